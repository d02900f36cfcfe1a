; bigstyle-tests.scm — #19 item 7: a huge style image is scaled inside GIMP
; to the size it is used at, so the plug-in never holds it at full size.
; Run with NEURAL_STYLE_TEST_PEAK_LOG set: each plug-in run appends its peak
; resident memory (KiB); run-gimp-tests.sh compares the two lines.

(load ns-lib)

(define img (ns-load "dog.jpg"))
(gimp-image-scale img 64 48)
(define layer (car (gimp-image-get-active-layer img)))

; Run 1 (reference, same settings): a small style image.
(define small (ns-load "scream.jpg"))
(gimp-image-scale small 80 100)
(define r1 (ns-run "bigstyle/small-style" img layer (list small) '((iterations . 2) (size . 64))))

; Run 2: an 8000 x 8000 style image (768 MB as RGB floats) at 64 px.
(define huge (car (gimp-image-new 8000 8000 RGB)))
(define huge-layer (car (gimp-layer-new huge 8000 8000 RGB-IMAGE "pattern" 100 LAYER-MODE-NORMAL)))
(gimp-image-insert-layer huge huge-layer 0 0)
(gimp-drawable-fill huge-layer FILL-PATTERN)
(gimp-image-clean-all huge)
(define r2 (ns-run "bigstyle/huge-style" img layer (list huge) '((iterations . 2) (size . 64))))
(ns-check (and (= (car (gimp-image-width huge)) 8000) (= (car (gimp-image-is-dirty huge)) 0)
               (= (ns-n-layers huge) 1))
          "bigstyle/style-image-unchanged" "the style image was modified")
(if (and (> r1 0) (> r2 0))
  (ns-pix "bigstyle/peak-memory" "peak" "100"))

(ns-say "NSTEST END bigstyle")
