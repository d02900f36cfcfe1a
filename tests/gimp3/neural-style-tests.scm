; neural-style-tests.scm — plug-in-neural-style in real GIMP 3 from
; Script-Fu (v3 dialect, named arguments), run by run-gimp3-tests.sh with
; ns-model, ns-content, ns-style and ns-tmp defined.  Prints
; "NSTEST ok NAME" / "NSTEST FAIL NAME: why" lines and "NSTEST END sf".
; (Script-Fu 3.0 can pass only item arrays: a style image is given by one
; of its layers.)
(script-fu-use-v3)

(define (ns-report ok? name why)
  (gimp-message (string-append "NSTEST " (if ok? "ok " "FAIL ") name
                               (if ok? "" (string-append ": " why)))))
(define (contains? s sub)
  (let loop ((i 0))
    (cond ((> (+ i (string-length sub)) (string-length s)) #f)
          ((string=? (substring s i (+ i (string-length sub))) sub) #t)
          (else (loop (+ i 1))))))
(define (starts-with? s prefix)
  (and (>= (string-length s) (string-length prefix))
       (string=? (substring s 0 (string-length prefix)) prefix)))

; Evaluate thunk; return (result . first-error-message-or-"").
(define (ns-try thunk)
  (let* ((old *error-hook*) (err "") (result #f))
    (set! *error-hook* (lambda (xs) (if (= (string-length err) 0)
                                        (set! err (if (string? xs) xs "non-string error")))))
    (set! result (thunk))
    (set! *error-hook* old)
    (cons result err)))

(define content (gimp-file-load RUN-NONINTERACTIVE ns-content))
(define style   (gimp-file-load RUN-NONINTERACTIVE ns-style))
(define layer   (vector-ref (gimp-image-get-layers content) 0))
(define style-layer (vector-ref (gimp-image-get-layers style) 0))

; 1. A run with every argument named.
(define out
  (plug-in-neural-style #:run-mode RUN-NONINTERACTIVE #:image content #:drawables (vector layer)
                        #:style-images (vector style-layer)
                        #:style-weights (vector 1.0) #:style-scales (vector 1.0)
                        #:content-weight 1.0 #:style-weight 10.0 #:tv-weight 1.0
                        #:iterations 4 #:tolerance 0.0 #:optimizer "lbfgs" #:pooling "max"
                        #:style-layer-weight-exp 1.0 #:content-weight-blend 1.0
                        #:size 48 #:init "content" #:initial-noiseblend 0.0 #:seed 3
                        #:preserve-colors #f #:multires 1 #:model ns-model))
(define layers (gimp-image-get-layers content))
(ns-report (gimp-item-id-is-layer out) "sf/returns-a-layer" "not a layer")
(ns-report (= (vector-length layers) 2) "sf/layer-added"
           (number->string (vector-length layers)))
(ns-report (and (= (gimp-image-get-item-position content out) 0)
                (= (gimp-image-get-item-position content layer) 1))
           "sf/above-the-content" "wrong position")
(ns-report (starts-with? (gimp-item-get-name out) "Neural Style: ")
           "sf/layer-name" (gimp-item-get-name out))
(let ((p (ns-try (lambda () (gimp-item-get-parasite out "neural-style-parameters")))))
  (ns-report (and (= (string-length (cdr p)) 0)
                  (let ((text (caddr (car p))))
                    (and (contains? text "seed=3") (contains? text "iterations=4")
                         (contains? text (string-append "model=" ns-model)))))
             "sf/parasite" (cdr p)))
(ns-report (= (vector-length (gimp-image-get-layers style)) 1) "sf/style-untouched"
           "the style image changed")

; 2. Positional arguments, empty weight/scale arrays (= 1.0), the rest
;    (seed, model = the default: $NEURAL_STYLE_MODEL) left to their defaults.
(define out2
  (plug-in-neural-style RUN-NONINTERACTIVE content (vector layer) (vector style-layer)
                        (vector) (vector) 1.0 10.0 1.0 3 0.0 "lbfgs" "max" 1.0 1.0 32))
(ns-report (and (gimp-item-id-is-layer out2)
                (= (vector-length (gimp-image-get-layers content)) 3))
           "sf/positional-call" "no new layer")

; 3. A calling error (two weights for one style) leaves the image as it was.
(let* ((n (vector-length (gimp-image-get-layers content)))
       (r (ns-try (lambda ()
                    (plug-in-neural-style #:run-mode RUN-NONINTERACTIVE #:image content
                                          #:drawables (vector layer)
                                          #:style-images (vector style-layer)
                                          #:style-weights (vector 1.0 2.0)
                                          #:iterations 2 #:size 32 #:model ns-model)))))
  (ns-report (contains? (cdr r) "style-weights") "sf/calling-error-message" (cdr r))
  (ns-report (= (vector-length (gimp-image-get-layers content)) n)
             "sf/calling-error-image-unchanged" "layers changed"))

(gimp-message "NSTEST END sf")
