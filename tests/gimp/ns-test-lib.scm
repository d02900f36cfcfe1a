; ns-test-lib.scm — helpers shared by the real-GIMP test scripts.
;
; Loaded by run-gimp-tests.sh after it has defined:
;   ns-model          path of a real model (SqueezeNet 1.1 safetensors)
;   ns-corrupt-model  path of a damaged copy of it
;   ns-images         directory with dog.jpg, scream.jpg, kite.jpg
;   ns-tmp            scratch directory for exported pixels
;
; Output (gimp-message, i.e. stderr in batch mode), one line per check:
;   NSTEST ok <name>
;   NSTEST FAIL <name>: <detail>
;   NSTEST PIX <name> <kind> <args…>     pixel check done by the shell with pixcheck.py
; and finally "NSTEST END <script>".

(define (ns-say . parts) (gimp-message (apply string-append parts)))
(define (ns-num x) (number->string x))

(define (ns-check ok name detail)
  (ns-say (if ok "NSTEST ok " "NSTEST FAIL ") name (if ok "" (string-append ": " detail))))

(define (ns-pix name kind . args)
  (ns-say "NSTEST PIX " name " " kind
          (apply string-append (map (lambda (a) (string-append " " a)) args))))

; --- calling with error capture -------------------------------------------
(define ns-last-error "")

(define (ns-args->string args)
  (apply string-append
         (map (lambda (a) (cond ((string? a) a)
                                ((number? a) (ns-num a))
                                ((symbol? a) (symbol->string a))
                                (else "")))
              args)))

; Run thunk; its value, or #f on a Script-Fu error (message in ns-last-error).
(define (ns-try thunk)
  (let ((saved *error-hook*) (result #f))
    (set! ns-last-error "")
    (set! *error-hook* (lambda args (set! ns-last-error (ns-args->string args)) (throw)))
    (set! result (catch #f (thunk)))
    (set! *error-hook* saved)
    result))

(define (ns-contains? hay needle)
  (let ((n (string-length needle)) (h (string-length hay)))
    (let loop ((i 0))
      (cond ((> (+ i n) h) #f)
            ((string=? (substring hay i (+ i n)) needle) #t)
            (else (loop (+ i 1)))))))

; --- the procedure ---------------------------------------------------------
; A full NONINTERACTIVE call; opts is an association list overriding defaults.
(define (ns-opt opts key default)
  (let ((p (assoc key opts))) (if p (cdr p) default)))

(define (ns-call img drw styles opts)
  (let ((weights (ns-opt opts 'weights '()))
        (scales  (ns-opt opts 'scales '())))
    (plug-in-neural-style RUN-NONINTERACTIVE img drw
      (ns-opt opts 'num-styles (length styles)) (list->vector styles)
      (length weights) (list->vector weights)
      (length scales) (list->vector scales)
      (ns-opt opts 'content-weight 5.0)
      (ns-opt opts 'style-weight 100.0)
      (ns-opt opts 'tv-weight 0.001)
      (ns-opt opts 'iterations 8)
      0.0                              ; tolerance
      0                                ; optimizer L-BFGS
      (ns-opt opts 'pooling 0)
      1.0                              ; style-layer-weight-exp
      1.0                              ; content-weight-blend
      (ns-opt opts 'size 64)
      (ns-opt opts 'init 1)            ; start from the content
      0.0                              ; initial-noiseblend
      (ns-opt opts 'seed 7)
      0                                ; preserve-colors
      1                                ; multires: single level
      (ns-opt opts 'model ns-model))))

; Layer ID of a successful call, or -1 (reported as a failed check).
(define (ns-run name img drw styles opts)
  (let ((r (ns-try (lambda () (ns-call img drw styles opts)))))
    (ns-check (and r (> (car r) 0)) (string-append name "/runs") ns-last-error)
    (if r (car r) -1)))

; --- pixels ----------------------------------------------------------------
(define (ns-png drw file)
  (let ((path (string-append ns-tmp "/" file ".png")))
    (file-png-save2 RUN-NONINTERACTIVE (car (gimp-item-get-image drw)) drw path path
                    0 9 0 0 0 0 0 0 1)
    path))

(define (ns-raw drw file)
  (let ((path (string-append ns-tmp "/" file ".raw")))
    (file-raw-save RUN-NONINTERACTIVE (car (gimp-item-get-image drw)) drw path path)
    path))

(define (ns-n-layers img) (car (gimp-image-get-layers img)))

(define (ns-load file)
  (let ((path (string-append ns-images "/" file)))
    (car (gimp-file-load RUN-NONINTERACTIVE path path))))


; The value of key=... in a layer's "neural-style-parameters" parasite, or #f.
(define (ns-parasite-value layer key)
  (let* ((p (ns-try (lambda () (gimp-item-get-parasite layer "neural-style-parameters"))))
         (text (if p (caddr (car p)) ""))
         (k (string-append key "="))
         (n (string-length k)) (h (string-length text)))
    (let loop ((i 0))
      (cond ((> (+ i n) h) #f)
            ((and (string=? (substring text i (+ i n)) k)
                  (or (= i 0) (char=? (string-ref text (- i 1)) #\newline)))
             (let end ((j (+ i n)))
               (if (or (= j h) (char=? (string-ref text j) #\newline))
                   (substring text (+ i n) j)
                   (end (+ j 1)))))
            (else (loop (+ i 1)))))))
