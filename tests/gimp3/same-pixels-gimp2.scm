; same-pixels-gimp2.scm — the GIMP 2.10 plug-in with the parameters of the
; GIMP 3 same-pixels run (tests/gimp3/neural-style-tests.py: 4 L-BFGS
; iterations at the content's own size, seed 3, one level, start from the
; content, the engine's other defaults: weights 70 / 100 / 0.1 and no noise,
; ns_params_init); the result layer as ns-out (PNG).
; run-gimp3-tests.sh defines ns-model, ns-content, ns-style, ns-out.
(let* ((c   (car (gimp-file-load RUN-NONINTERACTIVE ns-content ns-content)))
       (s   (car (gimp-file-load RUN-NONINTERACTIVE ns-style ns-style)))
       (l   (car (gimp-image-get-active-layer c)))
       (out (car (plug-in-neural-style RUN-NONINTERACTIVE c l 1 (vector s) 0 (vector) 0 (vector)
                                       70.0 100.0 0.1 4 0.0 0 0 1.0 1.0 0 1 0.0 3 0 1
                                       ns-model))))
  (file-png-save2 RUN-NONINTERACTIVE c out ns-out ns-out 0 9 0 0 0 0 0 0 1)
  (gimp-message "NSTEST END gimp2-same-pixels"))
