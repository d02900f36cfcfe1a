; neural-style-tests.scm — real-GIMP checks of plug-in-neural-style
; (non-interactive calls).  See ns-test-lib.scm for the variables the shell
; defines and the output format.

(load ns-lib)

; --- fixtures --------------------------------------------------------------
; Content: dog.jpg at 96x72 on a 112x88 canvas, so the layer has offsets 8,8.
(define content (ns-load "dog.jpg"))
(gimp-image-scale content 96 72)
(gimp-image-resize content 112 88 8 8)
(define content-layer (car (gimp-image-get-active-layer content)))
(define scream (ns-load "scream.jpg"))
(gimp-image-scale scream 64 80)
(define kite (ns-load "kite.jpg"))
(gimp-image-scale kite 80 56)
(gimp-image-clean-all content)
(gimp-image-clean-all scream)
(gimp-image-clean-all kite)
(define content-before (ns-png content-layer "content-before"))
(define scream-before (ns-png (car (gimp-image-get-active-layer scream)) "scream-before"))

; 1. One style: the new layer, its name, size, offsets, place, parasite.
(define r1 (ns-run "one-style" content content-layer (list scream) '()))
(if (> r1 0)
  (begin
    (ns-check (string=? (car (gimp-item-get-name r1)) "Neural Style: scream")
              "one-style/name" (car (gimp-item-get-name r1)))
    (ns-check (and (= (car (gimp-drawable-width r1)) 96) (= (car (gimp-drawable-height r1)) 72))
              "one-style/size" (string-append (ns-num (car (gimp-drawable-width r1))) "x"
                                              (ns-num (car (gimp-drawable-height r1)))))
    (let ((off (gimp-drawable-offsets r1)))
      (ns-check (and (= (car off) 8) (= (cadr off) 8)) "one-style/offsets"
                (string-append (ns-num (car off)) "," (ns-num (cadr off)))))
    (ns-check (= (ns-n-layers content) 2) "one-style/one-new-layer" (ns-num (ns-n-layers content)))
    (ns-check (= (+ 1 (car (gimp-image-get-item-position content r1)))
                 (car (gimp-image-get-item-position content content-layer)))
              "one-style/above-content" "not directly above the content layer")
    (let ((p (ns-try (lambda () (gimp-item-get-parasite r1 "neural-style-parameters")))))
      (ns-check (and p (ns-contains? (caddr (car p)) "iterations=8")
                     (ns-contains? (caddr (car p)) "style-1-name=scream"))
                "one-style/parasite" "missing or incomplete")
      ; #19 item 9: how many iterations ran and why the run stopped.
      (ns-check (and p (ns-contains? (caddr (car p)) "iterations-run=8\n")
                     (ns-contains? (caddr (car p)) "stop-reason=iterations\n")
                     (ns-contains? (caddr (car p))
                                   (string-append "source-layer-tattoo="
                                                  (ns-num (car (gimp-item-get-tattoo content-layer))))))
                "one-style/parasite-outcome" (if p (caddr (car p)) "no parasite")))
    (ns-pix "one-style/pixels-changed" "differ" (ns-png r1 "one-style") content-before "2.0")))
(ns-check (= (car (gimp-image-is-dirty scream)) 0) "one-style/style-image-not-dirty" "dirty")
(ns-check (= (ns-n-layers scream) 1) "one-style/style-image-layers" (ns-num (ns-n-layers scream)))

; 2. Two styles with swapped weights give different results and names.
(define r2a (ns-run "weights-75-25" content content-layer (list scream kite)
                    '((weights 0.75 0.25))))
(define r2b (ns-run "weights-25-75" content content-layer (list scream kite)
                    '((weights 0.25 0.75))))
(if (and (> r2a 0) (> r2b 0))
  (begin
    (ns-check (string=? (car (gimp-item-get-name r2a)) "Neural Style: scream 75% + kite 25%")
              "two-styles/name" (car (gimp-item-get-name r2a)))
    (ns-pix "two-styles/weights-matter" "differ" (ns-png r2a "w75") (ns-png r2b "w25") "0.5")))

; 3. Average vs max pooling.
(define r3a (ns-run "pool-max" content content-layer (list scream) '((pooling . 0))))
(define r3b (ns-run "pool-avg" content content-layer (list scream) '((pooling . 1))))
(if (and (> r3a 0) (> r3b 0))
  (ns-pix "pooling/avg-vs-max" "differ" (ns-png r3a "pmax") (ns-png r3b "pavg") "0.5"))

; 4. RGBA content keeps its alpha.
(define rgba (car (gimp-image-duplicate content)))
(define rgba-layer (car (gimp-image-get-active-layer rgba)))
(gimp-layer-add-alpha rgba-layer)
(gimp-image-select-ellipse rgba CHANNEL-OP-REPLACE 20 20 40 30)
(gimp-drawable-edit-clear rgba-layer)
(gimp-selection-none rgba)
(define r4 (ns-run "rgba" rgba rgba-layer (list scream) '()))
(if (> r4 0)
  (begin
    (ns-check (= (car (gimp-drawable-has-alpha r4)) 1) "rgba/result-has-alpha" "no alpha")
    (ns-pix "rgba/alpha-copied" "alpha-same" (ns-png r4 "rgba-result") (ns-png rgba-layer "rgba-content"))))

; 5. A grayscale image works (result is a gray layer).
(define gray (car (gimp-image-duplicate content)))
(gimp-image-convert-grayscale gray)
(define gray-layer (car (gimp-image-get-active-layer gray)))
(define r5 (ns-run "gray" gray gray-layer (list scream) '()))
(if (> r5 0)
  (begin
    (ns-check (= (car (gimp-drawable-is-gray r5)) 1) "gray/result-is-gray" "not gray")
    (ns-pix "gray/pixels-changed" "differ" (ns-png r5 "gray-result") (ns-png gray-layer "gray-content") "1.0")))

; 6. 32-bit float image: the result holds finite values only.
(define flt (car (gimp-image-duplicate content)))
(gimp-image-convert-precision flt PRECISION-FLOAT-GAMMA)
(define r6 (ns-run "float" flt (car (gimp-image-get-active-layer flt)) (list scream) '()))
(if (> r6 0) (ns-pix "float/no-nan" "finite" (ns-raw r6 "float-result")))

; 7. A selection limits the effect; the result gets a mask.  The rectangle
;    30,20 24x16 (image) is 22,12 in layer coordinates; with the 16 px margin
;    the processed region is 6,0 56x44.
(define sel (car (gimp-image-duplicate content)))
(define sel-layer (car (gimp-image-get-active-layer sel)))
(gimp-image-select-rectangle sel CHANNEL-OP-REPLACE 30 20 24 16)
(define r7 (ns-run "selection" sel sel-layer (list scream) '()))
(if (> r7 0)
  (begin
    (ns-check (> (car (gimp-layer-get-mask r7)) 0) "selection/mask" "no layer mask")
    (ns-pix "selection/region-only" "region" (ns-png r7 "sel-result") (ns-png sel-layer "sel-content")
            "6" "0" "56" "44")))

; 8. Working size = layer size (size 0) and a larger working size.
(define r8 (ns-run "size-0" content content-layer (list scream) '((size . 0) (iterations . 3))))
(if (> r8 0)
  (ns-check (and (= (car (gimp-drawable-width r8)) 96) (= (car (gimp-drawable-height r8)) 72))
            "size-0/size" "wrong size"))

; 8b. An indexed style image is fine (read from an RGB copy); an indexed
;     content is refused with a clear message.
(define idx (car (gimp-image-duplicate kite)))
(gimp-image-convert-indexed idx 0 0 16 FALSE FALSE "")   ; no dither, generated palette
(gimp-image-clean-all idx)
(define r8b (ns-run "indexed-style" content content-layer (list idx) '((iterations . 3))))
(ns-check (= (car (gimp-image-is-dirty idx)) 0) "indexed-style/style-image-not-dirty" "dirty")
(let ((r (ns-try (lambda () (ns-call idx (car (gimp-image-get-active-layer idx)) (list scream) '())))))
  (ns-check (and (not r) (ns-contains? ns-last-error "Indexed images are not supported"))
            "error/indexed-content" (if r "succeeded" ns-last-error))
  (ns-check (and (= (ns-n-layers idx) 1) (= (car (gimp-image-is-dirty idx)) 0))
            "error/indexed-content/image-unchanged" "image modified"))

; 9. Bad calls: an error status with a clear message, the image unchanged.
(define bad (car (gimp-image-new 64 48 RGB)))
(define bad-layer (car (gimp-layer-new bad 64 48 RGB-IMAGE "bg" 100 LAYER-MODE-NORMAL)))
(gimp-image-insert-layer bad bad-layer 0 0)
(gimp-drawable-fill bad-layer FILL-WHITE)
(gimp-image-clean-all bad)

(define (ns-bad name styles opts expect)
  (let ((r (ns-try (lambda () (ns-call bad bad-layer styles opts)))))
    (ns-check (and (not r) (ns-contains? ns-last-error expect))
              (string-append "error/" name)
              (if r "succeeded" (string-append "message: " ns-last-error)))
    (ns-check (and (= (ns-n-layers bad) 1) (= (car (gimp-image-is-dirty bad)) 0))
              (string-append "error/" name "/image-unchanged") "image modified")))

(ns-bad "no-style" '() '() "invalid input arguments: No style image given")
(ns-bad "style-not-an-image" (list 987654) '() "is not an open image")
(ns-bad "negative-style-weight" (list scream) '((weights -0.5)) "the weight must be")
(ns-bad "weights-length" (list scream) '((weights 0.5 0.5)) "num-weights must be 0 or equal")
(ns-bad "negative-content-weight" (list scream) '((content-weight . -1.0)) "content-weight must not be negative")
(ns-bad "negative-style-weight-arg" (list scream) '((style-weight . -1.0)) "style-weight must not be negative")
(ns-bad "negative-tv-weight" (list scream) '((tv-weight . -0.1)) "tv-weight must not be negative")
(ns-bad "negative-iterations" (list scream) '((iterations . -1)) "iterations must be between")
(ns-bad "size-too-large" (list scream) '((size . 10000)) "size must be 0")
(ns-bad "missing-model" (list scream) (list (cons 'model (string-append ns-tmp "/no-such-model.safetensors")))
        "does not exist")
(ns-bad "corrupt-model" (list scream) (list (cons 'model ns-corrupt-model)) "failed: Could not load the model")
(ns-bad "not-a-model" (list scream) (list (cons 'model ns-images)) "does not exist")

; #19 item 3: a loss that is infinite from the start is an execution error
; (the CLI's stop_reason non-finite), not a success with the noisy start.
(ns-bad "non-finite-loss" (list scream) '((content-weight . 1e300) (iterations . 3)) "infinite or not a number")
; #19 item 4: all three weights 0: nothing to optimise.
(ns-bad "all-weights-zero" (list scream) '((content-weight . 0.0) (style-weight . 0.0) (tv-weight . 0.0))
        "are all 0")
; #19 item 9: a text file as the model says what it is first.
(let ((txt (string-append ns-tmp "/notes.safetensors")))
  (let ((port (open-output-file txt))) (write "just some text, not a model" port) (close-output-port port))
  (ns-bad "text-file-as-model" (list scream) (list (cons 'model txt)) "is not a safetensors model file"))

; #19 items 5, 6: a layer group or a floating selection is refused.
(define grp-img (car (gimp-image-new 64 48 RGB)))
(define grp-layer (car (gimp-layer-new grp-img 64 48 RGB-IMAGE "bg" 100 LAYER-MODE-NORMAL)))
(gimp-image-insert-layer grp-img grp-layer 0 0)
(gimp-drawable-fill grp-layer FILL-WHITE)
(define grp (car (gimp-layer-group-new grp-img)))
(gimp-image-insert-layer grp-img grp 0 0)
(define grp-child (car (gimp-layer-new grp-img 64 48 RGB-IMAGE "in group" 100 LAYER-MODE-NORMAL)))
(gimp-image-insert-layer grp-img grp-child grp 0)
(gimp-drawable-fill grp-child FILL-FOREGROUND)
(gimp-image-clean-all grp-img)
(let ((r (ns-try (lambda () (ns-call grp-img grp (list scream) '())))))
  (ns-check (and (not r) (ns-contains? ns-last-error "is a layer group"))
            "error/layer-group" (if r "succeeded" ns-last-error))
  (ns-check (and (= (ns-n-layers grp-img) 2) (= (car (gimp-image-is-dirty grp-img)) 0))
            "error/layer-group/image-unchanged" "image modified"))
; a layer inside a group is fine; the result goes into the group, above it
(define r-in-grp (ns-run "layer-in-group" grp-img grp-child (list scream) '((iterations . 2))))
(if (> r-in-grp 0)
  (ns-check (= (car (gimp-item-get-parent r-in-grp)) grp) "layer-in-group/result-in-group"
            (ns-num (car (gimp-item-get-parent r-in-grp)))))
(gimp-edit-copy grp-layer)
(define floating (car (gimp-edit-paste grp-layer FALSE)))
(gimp-image-clean-all grp-img)
(let ((r (ns-try (lambda () (ns-call grp-img floating (list scream) '())))))
  (ns-check (and (not r) (ns-contains? ns-last-error "floating selection"))
            "error/floating-selection" (if r "succeeded" ns-last-error))
  (ns-check (and (= (car (gimp-layer-is-floating-sel floating)) 1)
                 (= (car (gimp-image-is-dirty grp-img)) 0))
            "error/floating-selection/unchanged" "floating selection changed"))
(gimp-floating-sel-remove floating)

; #19 item 8: RUN-INTERACTIVE without a display (this session has none):
; the given arguments are used; unusable ones and no previous settings give
; a clear error instead of "Plug-in crashed".
(let ((r (ns-try (lambda ()
                   (plug-in-neural-style RUN-INTERACTIVE content content-layer 1 (vector scream) 0 (vector)
                                         0 (vector) 5.0 100.0 0.001 2 0.0 0 0 1.0 1.0 48 1 0.0 7 0 1
                                         ns-model)))))
  (ns-check (and r (> (car r) 0)) "no-display/interactive-uses-arguments" ns-last-error)
  (if r (ns-check (= (car (gimp-drawable-width (car r))) 96) "no-display/result-size" "wrong size")))
(let ((r (ns-try (lambda ()
                   (plug-in-neural-style RUN-INTERACTIVE bad bad-layer 0 (vector) 0 (vector) 0 (vector)
                                         0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 "")))))
  (ns-check (and (not r) (ns-contains? ns-last-error "no display"))
            "no-display/clear-error" (if r "succeeded" ns-last-error))
  (ns-check (= (ns-n-layers bad) 1) "no-display/image-unchanged" "image modified"))

(let ((r (ns-try (lambda () (plug-in-neural-style RUN-WITH-LAST-VALS bad bad-layer 0 (vector) 0 (vector) 0 (vector)
                                                  0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 "")))))
  (ns-check (and (not r) (ns-contains? ns-last-error "no previous settings")) "error/last-vals-without-previous"
            (if r "succeeded" ns-last-error)))

;; 9b. Refine (#15): plug-in-neural-style-continue starts from a result's own
;; pixels with the parameters of its parasite.
(if (> r1 0)
  (let* ((layers-before (ns-n-layers content))
         (r (ns-try (lambda () (plug-in-neural-style-continue RUN-NONINTERACTIVE content r1 0 3)))))
    (ns-check (and r (> (car r) 0)) "refine/runs" ns-last-error)
    (if (and r (> (car r) 0))
      (let* ((new (car r))
             (l0 (ns-parasite-value r1 "loss-start"))    ; the first run: from the content
             (l1 (ns-parasite-value new "loss-start")))  ; the second: from r1's pixels
        (ns-check (and l0 l1 (< (string->number l1) (string->number l0)))
                  "refine/first-loss-below-the-content-start"
                  (string-append "from r1: " (if l1 l1 "?") ", from the content: " (if l0 l0 "?")))
        (ns-check (equal? (ns-parasite-value new "continued-from-tattoo")
                          (ns-num (car (gimp-item-get-tattoo r1))))
                  "refine/parasite-names-the-start-layer" (if (ns-parasite-value new "continued-from-tattoo") "other" "none"))
        (ns-check (and (equal? (ns-parasite-value new "iterations") "3")
                       (equal? (ns-parasite-value new "content-weight") "5")
                       (equal? (ns-parasite-value new "style-1-name") "scream"))
                  "refine/parameters-from-the-parasite" "iterations, weight or style differ")
        (ns-check (= (ns-n-layers content) (+ layers-before 1)) "refine/adds-one-layer" "layer count")
        (ns-check (= (car (gimp-drawable-width new)) 96) "refine/result-size" "wrong size"))))
  (ns-check #f "refine/runs" "no first result"))
(let ((r (ns-try (lambda () (plug-in-neural-style-continue RUN-NONINTERACTIVE content content-layer 0 0)))))
  (ns-check (and (not r) (ns-contains? ns-last-error "no Neural Style parameters"))
            "refine/refuses-a-layer-that-is-no-result" (if r "succeeded" ns-last-error)))

; 10. The content layer and the style image are untouched after all runs.
(ns-pix "content/unchanged" "same" (ns-png content-layer "content-after") content-before)
(ns-pix "style/unchanged" "same" (ns-png (car (gimp-image-get-active-layer scream)) "scream-after") scream-before)

(ns-say "NSTEST END main")
