; cancel-tests.scm — a cancelled run leaves the image exactly as it was;
; the plug-in speaks German.  Run with NEURAL_STYLE_TEST_CANCEL_AT=2 (the
; plug-in behaves as if the user pressed Cancel at iteration 2) and
; LANGUAGE=de with the build's catalogues (NEURAL_STYLE_LOCALEDIR).

(load ns-lib)

(define img (ns-load "dog.jpg"))
(gimp-image-scale img 96 72)
(define layer (car (gimp-image-get-active-layer img)))
(define style (ns-load "scream.jpg"))
(gimp-image-scale style 64 80)
(gimp-image-clean-all img)
(define before (ns-png layer "cancel-before"))

(let ((r (ns-try (lambda () (ns-call img layer (list style) '((iterations . 20)))))))
  ; Script-Fu turns GIMP_PDB_CANCEL into (#f): no error, no layer
  (ns-check (and (pair? r) (eq? (car r) #f)) "cancel/status-cancel"
            (if (and (pair? r) (number? (car r))) "returned a layer" "no (#f) result"))
  (ns-check (= (ns-n-layers img) 1) "cancel/no-new-layer" (ns-num (ns-n-layers img)))
  (ns-check (= (car (gimp-image-is-dirty img)) 0) "cancel/image-not-dirty" "dirty")
  (ns-pix "cancel/content-unchanged" "same" (ns-png layer "cancel-after") before))

; The messages are translated.
(let ((r (ns-try (lambda () (ns-call img layer '() '())))))
  (ns-check (and (not r) (ns-contains? ns-last-error "Kein Stilbild angegeben"))
            "i18n/german-error-message" (if r "succeeded" ns-last-error)))

(ns-say "NSTEST END cancel")
