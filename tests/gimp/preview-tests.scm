; preview-tests.scm — the dialog's live preview under Xvfb.  Run with
; NEURAL_STYLE_TEST_DIALOG=wait,...,change,wait,...,cancel: the dialog
; opens (the preview starts), a control changes mid-run (the preview
; restarts), Cancel closes the dialog (the preview is cancelled).  The
; shell checks $NEURAL_STYLE_TEST_PREVIEW_LOG (pictures, step gaps).

(load ns-lib)

(define img (ns-load "dog.jpg"))
(define layer (car (gimp-image-get-active-layer img)))
(define scream (ns-load "scream.jpg"))
(gimp-image-scale scream 240 300)
(define n-before (ns-n-layers img))
(define r (ns-try (lambda ()
                    (plug-in-neural-style RUN-INTERACTIVE img layer 0 (vector) 0 (vector) 0 (vector)
                                          0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 ""))))
; (Cancel: Script-Fu gets no layer; the shell checks the steps ran)
(ns-check (or (not r) (null? r) (not (number? (car r))) (< (car r) 0)) "preview/no-result-on-cancel" "a layer was returned")
(ns-check (= (ns-n-layers img) n-before) "preview/image-unchanged" "a layer was added")
(ns-say "NSTEST END preview")
