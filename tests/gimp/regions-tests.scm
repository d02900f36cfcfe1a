; regions-tests.scm — real-GIMP checks of plug-in-neural-style-regions
; (issue 14): a channel per style, a content mask, the colour transfers.
; See ns-test-lib.scm for the variables the shell defines and the output.

(load ns-lib)

; plug-in-neural-style-regions: ns-call's arguments, then the region ones.
(define (ns-call-regions img drw styles opts masks content-mask strength colors)
  (let ((weights (ns-opt opts 'weights '())))
    (plug-in-neural-style-regions RUN-NONINTERACTIVE img drw
      (length styles) (list->vector styles)
      (length weights) (list->vector weights)
      0 #()
      5.0 100.0 0.001 (ns-opt opts 'iterations 8) 0.0 0 0 1.0 1.0 64 1 0.0 7 0 1 ns-model
      (length masks) (list->vector masks) content-mask strength colors)))

(define (ns-run-regions name img drw styles opts masks content-mask strength colors)
  (let ((r (ns-try (lambda () (ns-call-regions img drw styles opts masks content-mask
                                               strength colors)))))
    (ns-check (and r (> (car r) 0)) (string-append name "/runs") ns-last-error)
    (if r (car r) -1)))

(define (ns-fails name thunk pattern)
  (let ((r (ns-try thunk)))
    (ns-check (and (not r) (ns-contains? ns-last-error pattern)) name
              (if r "succeeded" ns-last-error))))

; --- fixtures: dog.jpg at 96x72 (layer offsets 8,8 on 112x88), two styles,
; channels "left" (white on the left half of the canvas) and "right".
(define content (ns-load "dog.jpg"))
(gimp-image-scale content 96 72)
(gimp-image-resize content 112 88 8 8)
(define layer (car (gimp-image-get-active-layer content)))
(define scream (ns-load "scream.jpg"))
(gimp-image-scale scream 64 80)
(define kite (ns-load "kite.jpg"))
(gimp-image-scale kite 80 56)
(define (ns-channel name x w)
  (let ((ch (car (gimp-channel-new content 112 88 name 50 '(255 0 0)))))
    (gimp-image-insert-channel content ch 0 0)
    (gimp-context-set-foreground '(0 0 0))
    (gimp-selection-none content)
    (gimp-drawable-edit-fill ch FILL-FOREGROUND)
    (if (> w 0)
      (begin
        (gimp-image-select-rectangle content CHANNEL-OP-REPLACE x 0 w 88)
        (gimp-drawable-edit-fill ch FILL-WHITE)
        (gimp-selection-none content)))
    ch))
(define left (ns-channel "left" 0 56))
(define right (ns-channel "right" 56 56))
(define black (ns-channel "black" 0 0))
(define before (ns-png layer "regions-content"))

; 1. No masks, no content mask, colours from the styles: the default
;    procedure's result, pixel for pixel (the same arguments in the same order).
(define plain (ns-run "regions-plain" content layer (list scream kite) '()))
(define same (ns-run-regions "regions-no-masks" content layer (list scream kite) '() '() -1 10.0 0))
(if (and (> plain 0) (> same 0))
  (ns-pix "regions-no-masks/same-as-plug-in-neural-style" "same"
          (ns-png plain "regions-plain") (ns-png same "regions-no-masks")))

; 2. A channel per style: left / right and swapped give different pictures.
(define lr (ns-run-regions "regions-channels" content layer (list scream kite) '()
                           (list left right) -1 10.0 0))
(define rl (ns-run-regions "regions-channels-swapped" content layer (list scream kite) '()
                           (list right left) -1 10.0 0))
(if (and (> lr 0) (> rl 0))
  (begin
    (ns-pix "regions-channels/swapped-differ" "differ" (ns-png lr "regions-lr")
            (ns-png rl "regions-rl") "2.0")
    (ns-pix "regions-channels/changed" "differ" (ns-png lr "regions-lr2") before "2.0")
    (ns-check (= (ns-n-layers content) 5) "regions-channels/one-layer-per-run"
              (ns-num (ns-n-layers content)))))

; 3. A style whose mask is black everywhere is left out: with weights 1 and
;    0 ... and -1 (the whole image) for the first style, the result is the
;    one-style run of the default procedure.
(define one (ns-run "regions-one-style" content layer (list scream) '()))
(define drop (ns-run-regions "regions-black-mask" content layer (list scream kite)
                             '((weights 1.0 0.0)) (list -1 black) -1 10.0 0))
(if (and (> one 0) (> drop 0))
  (ns-pix "regions-black-mask/style-left-out" "same" (ns-png one "regions-one")
          (ns-png drop "regions-drop")))

; 4. A content mask (a layer mask of another layer works as well as a
;    channel) and each colour transfer.
(define protect (ns-run-regions "regions-protect" content layer (list scream kite) '()
                                (list left right) left 30.0 0))
(if (and (> protect 0) (> lr 0))
  (ns-pix "regions-protect/differs" "differ" (ns-png protect "regions-protect")
          (ns-png lr "regions-lr3") "0.5"))
(define mc (ns-run-regions "regions-meancov" content layer (list scream kite) '()
                           (list left right) -1 10.0 1))
(define lum (ns-run-regions "regions-luminance" content layer (list scream kite) '()
                            (list left right) -1 10.0 2))
(if (and (> mc 0) (> lum 0) (> lr 0))
  (begin
    (ns-pix "regions-meancov/differs" "differ" (ns-png mc "regions-mc") (ns-png lr "regions-lr4") "1.0")
    (ns-pix "regions-luminance/differs" "differ" (ns-png lum "regions-lum") (ns-png lr "regions-lr5") "1.0")))
(let* ((l2 (car (gimp-layer-new content 112 88 RGB-IMAGE "mask holder" 100 LAYER-MODE-NORMAL)))
       (m  (begin (gimp-image-insert-layer content l2 0 -1)
                  (car (gimp-layer-create-mask l2 ADD-MASK-WHITE)))))
  (gimp-layer-add-mask l2 m)
  (gimp-item-set-visible l2 FALSE)
  (ns-run-regions "regions-layer-mask" content layer (list scream kite) '() (list m -1) -1 10.0 0))

; 5. With a selection: the masks are read over its bounding box.
(gimp-image-select-rectangle content CHANNEL-OP-REPLACE 30 20 40 30)
(ns-run-regions "regions-selection" content layer (list scream kite) '() (list left right) right 10.0 1)
; the selection itself as a region (the dialog's "Selection"): the first
; style inside it, the second everywhere
(ns-run-regions "regions-selection-as-mask" content layer (list scream kite) '()
                (list (car (gimp-image-get-selection content)) -1) -1 10.0 0)
(gimp-selection-none content)

; 6. Bad calls: clear messages.
(ns-fails "regions-errors/mask-count"
          (lambda () (ns-call-regions content layer (list scream kite) '() (list left) -1 10.0 0))
          "num-style-masks")
(ns-fails "regions-errors/color-transfer"
          (lambda () (ns-call-regions content layer (list scream) '() '() -1 10.0 5))
          "color-transfer")
(ns-fails "regions-errors/strength"
          (lambda () (ns-call-regions content layer (list scream) '() '() left -1.0 0))
          "content-mask-strength")
(ns-fails "regions-errors/not-a-drawable"
          (lambda () (ns-call-regions content layer (list scream) '() '() 99999 10.0 0))
          "not a drawable")

; 7. A mask of another image, of another size (40 x 30 gray, the left half
;    white): taken whole and resized to the working size, as a --style-mask
;    file; it changes the one-style result.
(let* ((img (car (gimp-image-new 40 30 GRAY)))
       (m (car (gimp-layer-new img 40 30 GRAY-IMAGE "half" 100 LAYER-MODE-NORMAL))))
  (gimp-image-insert-layer img m 0 -1)
  (gimp-context-set-foreground '(0 0 0))
  (gimp-drawable-edit-fill m FILL-FOREGROUND)
  (gimp-image-select-rectangle img CHANNEL-OP-REPLACE 0 0 20 30)
  (gimp-drawable-edit-fill m FILL-WHITE)
  (gimp-selection-none img)
  (let ((foreign (ns-run-regions "regions-foreign-mask" content layer (list scream) '()
                                 (list m) -1 10.0 0)))
    (if (and (> foreign 0) (> one 0))
      (ns-pix "regions-foreign-mask/differs" "differ" (ns-png foreign "regions-foreign")
              (ns-png one "regions-one2") "1.0"))))

(ns-say "NSTEST END regions")
