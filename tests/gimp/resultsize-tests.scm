; resultsize-tests.scm — Result size (#18): the layer's own size, tiled where
; the memory limit needs it.  Run under Xvfb with
; NEURAL_STYLE_MEMORY_LIMIT_MB=150 (a 700x500 SqueezeNet run then needs 2x1
; tiles: untiled it needs about 170 MiB even with 3 L-BFGS pairs), NEURAL_STYLE_MODEL set,
; NEURAL_STYLE_TEST_DIALOG=iterations=2,seed=3000000000,sizes,full,sizes,ok (each dialog logs
; its Result size labels before and after choosing Full layer size, then
; presses OK) and NEURAL_STYLE_TEST_PREVIEW_LOG (the log; run-gimp-tests.sh
; checks the labels).
;   1. Script-Fu size 0 on a 700x500 layer: a result of exactly that size,
;      computed at that size in 2x1 tiles; its pixels go to the shell, which
;      compares them with the CLI's `--size 0 --memory-limit 150` on the same
;      PNGs (identical pixels: the tiled evaluation is exact and both run
;      the same engine).
;   2. The dialog's Full layer size: a result the layer's size, size=0 and
;      the tiles in its parasite.
;   3. WITH_LAST_VALS repeats it at the layer's size (size 0 round-trips
;      through the last values).
;   4. The dialog on that result opens with its settings (the parasite's
;      size 0 is Full layer size: the log's third block) and runs at full
;      size again.

(load ns-lib)

(define img (ns-load "dog.jpg"))
(gimp-image-scale img 700 500)
(define layer (car (gimp-image-get-active-layer img)))
(define scream (ns-load "scream.jpg"))
(define scream-layer (car (gimp-image-get-active-layer scream)))
; the inputs as PNG, for the CLI (the plug-in reads the same 8-bit pixels)
(ns-png layer "rs-content")
(ns-png scream-layer "rs-style")

(define (ns-size-of l) (string-append (ns-num (car (gimp-drawable-width l))) "x"
                                      (ns-num (car (gimp-drawable-height l)))))
(define (ns-full-size name l)
  (ns-check (string=? (ns-size-of l) "700x500") (string-append name "/layer-size") (ns-size-of l))
  (ns-check (equal? (ns-parasite-value l "working-size") "700x500")
            (string-append name "/computed-at-the-layer-size")
            (or (ns-parasite-value l "working-size") "no parasite"))
  (ns-check (equal? (ns-parasite-value l "size") "0") (string-append name "/size-0")
            (or (ns-parasite-value l "size") "no parasite"))
  (ns-check (equal? (ns-parasite-value l "tiles") "2x1") (string-append name "/tiled-2x1")
            (or (ns-parasite-value l "tiles") "no parasite")))

; 1. Script-Fu size 0
(define r1 (ns-run "scriptfu-size0" img layer (list scream) '((size . 0) (iterations . 2))))
(if (> r1 0)
  (begin
    (ns-full-size "scriptfu-size0" r1)
    (ns-say "NSTEST PIX scriptfu-size0/same-pixels-as-cli cli " (ns-png r1 "rs-scriptfu"))))

(define (ns-mode-call mode drw)
  (ns-try (lambda ()
            (plug-in-neural-style mode img drw 0 (vector) 0 (vector) 0 (vector)
                                  0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 ""))))

; 2. The dialog: Full layer size, OK
(define r2 (ns-mode-call RUN-INTERACTIVE layer))
(ns-check (and r2 (> (car r2) 0)) "dialog-full/runs" ns-last-error)
(if r2 (ns-full-size "dialog-full" (car r2)))
; the dialog's seed step typed 3000000000 with Randomize off: the run used
; the 31 bits the box showed (run-gimp-tests.sh checks the box's value)
(if r2 (ns-check (equal? (ns-parasite-value (car r2) "seed") "852516352") "dialog-full/seed-of-the-box"
                 (or (ns-parasite-value (car r2) "seed") "no parasite")))

; 3. last values
(define r3 (ns-mode-call RUN-WITH-LAST-VALS layer))
(ns-check (and r3 (> (car r3) 0)) "last-vals-full/runs" ns-last-error)
(if r3 (ns-full-size "last-vals-full" (car r3)))

; 4. the dialog on the result: its settings, Full layer size
(define r4 (if r2 (ns-mode-call RUN-INTERACTIVE (car r2)) #f))
(ns-check (and r4 (> (car r4) 0)) "result-dialog-full/runs" ns-last-error)
(if r4 (ns-full-size "result-dialog-full" (car r4)))

(ns-say "NSTEST END resultsize")
