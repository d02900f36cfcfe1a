; interactive-tests.scm — the INTERACTIVE and WITH_LAST_VALS run modes.
; Run under Xvfb with NEURAL_STYLE_TEST_DIALOG=reset,preset=0,continue,ok (the
; dialog resets to the defaults, chooses the Subtle preset, ticks "Continue from
; this layer" where it is offered, and presses OK by itself) and NEURAL_STYLE_MODEL set (the
; dialog leaves the model empty = the default model).

(load ns-lib)

(define img (ns-load "dog.jpg"))
(gimp-image-scale img 64 48)
(define layer (car (gimp-image-get-active-layer img)))
(define scream (ns-load "scream.jpg"))
(gimp-image-scale scream 48 60)
(define kite (ns-load "kite.jpg"))
(gimp-image-scale kite 60 42)

(define (ns-mode-call mode)
  (ns-try (lambda ()
            (plug-in-neural-style mode img layer 0 (vector) 0 (vector) 0 (vector)
                                  0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 ""))))

(define (ns-name-of r) (if r (car (gimp-item-get-name (car r))) ""))

; 1. The dialog: rows from the two other open images, defaults, OK.
(define r1 (ns-mode-call RUN-INTERACTIVE))
(ns-check (and r1 (> (car r1) 0)) "interactive/runs" ns-last-error)
(ns-check (and r1 (ns-contains? (ns-name-of r1) "scream 50%") (ns-contains? (ns-name-of r1) "kite 50%"))
          "interactive/two-styles-from-open-images" (ns-name-of r1))
(if r1
  (let ((p (ns-try (lambda () (gimp-item-get-parasite (car r1) "neural-style-parameters")))))
    (ns-check (and p (ns-contains? (caddr (car p)) "working-size=64x48")
                   (ns-contains? (caddr (car p)) "squeezenet1_1.safetensors"))
              "interactive/default-size-and-model" (if p (caddr (car p)) "no parasite"))
    ; #20: the Preset combo (Subtle) set the weights from the engine's table.
    (ns-check (and p (ns-contains? (caddr (car p)) "content-weight=200\n")
                   (ns-contains? (caddr (car p)) "style-weight=100\n")
                   (ns-contains? (caddr (car p)) "initial-noiseblend=0\n"))
              "interactive/preset-subtle-sets-weights" (if p (caddr (car p)) "no parasite"))))

; 2. Repeat with the last values (no dialog).
(define r2 (ns-mode-call RUN-WITH-LAST-VALS))
(ns-check (and r2 (> (car r2) 0)) "last-vals/runs" ns-last-error)
; (GIMP appends " #1" to the second layer of the same name)
(ns-check (and r1 r2 (ns-contains? (ns-name-of r2) (ns-name-of r1))) "last-vals/same-styles" (ns-name-of r2))

; #19 item 10: the active layer is a result: the dialog offers its source
; layer as the content (ticked by default), so Re-Show does not stylise the
; stylised layer again.
(define r2b (if r1 (ns-try (lambda ()
                             (plug-in-neural-style RUN-INTERACTIVE img (car r1) 0 (vector) 0 (vector) 0 (vector)
                                                   0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 "")))
                #f))
(ns-check (and r2b (> (car r2b) 0)) "result-layer/runs" ns-last-error)
(if r2b
  (let ((p (ns-try (lambda () (gimp-item-get-parasite (car r2b) "neural-style-parameters")))))
    (ns-check (and p (ns-contains? (caddr (car p))
                                   (string-append "source-layer-tattoo="
                                                  (ns-num (car (gimp-item-get-tattoo layer))) "\n")))
              "result-layer/source-used" (if p (caddr (car p)) "no parasite"))
    (ns-check (= (+ 1 (car (gimp-image-get-item-position img (car r2b))))
                 (car (gimp-image-get-item-position img layer)))
              "result-layer/above-source" "not directly above the source layer")
    ; #15 refine: "Continue from this layer" (ticked by the test hook) starts
    ; from r1's pixels: the parasite names r1, the first loss is below the
    ; one r1 started with from the content (same settings after the reset)
    (let ((text (if p (caddr (car p)) "")))
      (ns-check (ns-contains? text (string-append "continued-from-tattoo="
                                                  (ns-num (car (gimp-item-get-tattoo (car r1)))) "\n"))
                "refine-dialog/continued-from-the-result" text))
    (let ((l0 (ns-parasite-value (car r1) "loss-start"))
          (l1 (ns-parasite-value (car r2b) "loss-start")))
      (ns-check (and l0 l1 (< (string->number l1) (string->number l0)))
                "refine-dialog/first-loss-below-the-content-start"
                (string-append "from r1: " (if l1 l1 "?") ", from the content: " (if l0 l0 "?"))))))

; #19 item 9: a layer mask as the active drawable: its layer is the content.
(define masked (car (gimp-image-duplicate img)))
(define masked-layer (car (gimp-image-get-active-layer masked)))
(define mask (car (gimp-layer-create-mask masked-layer ADD-MASK-WHITE)))
(gimp-layer-add-mask masked-layer mask)
(define r2c (ns-try (lambda ()
                      (plug-in-neural-style RUN-WITH-LAST-VALS masked mask 0 (vector) 0 (vector) 0 (vector)
                                            0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 ""))))
(ns-check (and r2c (> (car r2c) 0)) "layer-mask/uses-its-layer" ns-last-error)
(if r2c
  (ns-check (= (+ 1 (car (gimp-image-get-item-position masked (car r2c))))
               (car (gimp-image-get-item-position masked masked-layer)))
            "layer-mask/result-above-layer" "not above the mask's layer"))

; 3. A style image of the last values has been closed: the dialog drops it.
(gimp-image-delete scream)
(define r3 (ns-mode-call RUN-INTERACTIVE))
(ns-check (and r3 (> (car r3) 0)) "interactive/closed-style-image" ns-last-error)
(ns-check (string=? (ns-name-of r3) "Neural Style: kite") "interactive/closed-style-image-name" (ns-name-of r3))

; 4. WITH_LAST_VALS whose style image is gone: a clear error, no crash.
(gimp-image-delete kite)
(define r4 (ns-mode-call RUN-WITH-LAST-VALS))
(ns-check (and (not r4) (ns-contains? ns-last-error "is not an open image")) "last-vals/closed-style-image"
          (if r4 "succeeded" ns-last-error))

(ns-say "NSTEST END interactive")
