; preview-mask-tests.scm — the live preview honours Protect (issue 14) in
; the 2.10 dialog, under Xvfb with NEURAL_STYLE_TEST_DIALOG=small, 10 ×
; wait, protect, 10 × wait, unprotect, 10 × wait, cancel and
; $NEURAL_STYLE_TEST_PREVIEW_DUMP: three finished previews (no mask, the
; channel "left" as Protect, no mask again), compared by the shell.

(load ns-lib)

(define img (ns-load "dog.jpg"))
(define layer (car (gimp-image-get-active-layer img)))
(define w (car (gimp-image-width img)))
(define h (car (gimp-image-height img)))
(define scream (ns-load "scream.jpg"))
(gimp-image-scale scream 120 150)
(define left (car (gimp-channel-new img w h "left" 50 '(255 0 0))))
(gimp-image-insert-channel img left 0 0)
(gimp-context-set-foreground '(0 0 0))
(gimp-selection-none img)
(gimp-drawable-edit-fill left FILL-FOREGROUND)
(gimp-image-select-rectangle img CHANNEL-OP-REPLACE 0 0 (/ w 2) h)
(gimp-drawable-edit-fill left FILL-WHITE)
(gimp-selection-none img)
(define n-before (ns-n-layers img))
(define r (ns-try (lambda ()
                    (plug-in-neural-style RUN-INTERACTIVE img layer 0 (vector) 0 (vector) 0 (vector)
                                          0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 ""))))
(ns-check (= (ns-n-layers img) n-before) "preview-mask/image-unchanged" "a layer was added")
(ns-say "NSTEST END preview-mask")
