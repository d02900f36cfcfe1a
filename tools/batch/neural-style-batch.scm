; neural-style-batch.scm — stylise every image of a folder in GIMP 2.10
; (Script-Fu, batch mode), each saved as NAME-styled.png.  docs/batch.md.
;
;   gimp -i -b '(begin (load "tools/batch/neural-style-batch.scm")
;                       (neural-style-batch "photos/*.jpg" "scream.jpg" "styled" 512 50 ""))' \
;        -b '(gimp-quit 0)'
;
; (load and the call in one -b: GIMP 2.10 forgets definitions between -b
; commands.)  Or copy this file into GIMP's scripts folder
; (~/.config/GIMP/2.10/scripts/): neural-style-batch is then defined in
; every session, and -b '(neural-style-batch ...)' alone works.
;
; (neural-style-batch PATTERN STYLE OUT-DIR SIZE ITERATIONS MODEL)
;   PATTERN     a file-glob pattern, e.g. "photos/*.jpg"
;   STYLE       the style image file
;   OUT-DIR     folder for the results (must exist; "" = next to each photo)
;   SIZE        longest side of the working image (0 = the photo's size)
;   ITERATIONS  iterations of the last level (50 = the plug-in's default)
;   MODEL       model file, "" = the installed default
; The other parameters are the plug-in's defaults (the balanced preset).
; One line per photo on stderr ("neural-style-batch: [2/3] a.jpg ->
; styled/a-styled.png" or "... FAILED: reason"); a photo that fails does not
; stop the others.  Returns the number of photos that failed.

(define (ns-batch-say . parts)
  (gimp-message (apply string-append "neural-style-batch: " parts)))

; NAME of "dir/NAME.ext"
(define (ns-batch-stem path)
  (let* ((chars (string->list path))
         (slash (let loop ((i 0) (cs chars) (last -1))
                  (cond ((null? cs) last)
                        ((char=? (car cs) #\/) (loop (+ i 1) (cdr cs) i))
                        (else (loop (+ i 1) (cdr cs) last)))))
         (base (substring path (+ slash 1) (string-length path)))
         (dot (let loop ((i (- (string-length base) 1)))
                (cond ((<= i 0) (string-length base))
                      ((char=? (string-ref base i) #\.) i)
                      (else (loop (- i 1)))))))
    (list (substring path 0 (+ slash 1)) (substring base 0 dot))))

(define (ns-batch-output photo out-dir)
  (let ((parts (ns-batch-stem photo)))
    (string-append (if (string=? out-dir "") (car parts) (string-append out-dir "/"))
                   (cadr parts) "-styled.png")))

; strings sorted (insertion sort: file-glob's order is the folder's)
(define (ns-batch-sort strings)
  (define (insert s sorted)
    (cond ((null? sorted) (list s))
          ((string<? s (car sorted)) (cons s sorted))
          (else (cons (car sorted) (insert s (cdr sorted))))))
  (let loop ((in strings) (out '()))
    (if (null? in) out (loop (cdr in) (insert (car in) out)))))

; The result of thunk, or the error message as (error "message").
(define (ns-batch-try thunk)
  (let ((saved *error-hook*) (message "") (result #f))
    (set! *error-hook*
          (lambda args
            (set! message (apply string-append
                                 (map (lambda (a) (cond ((string? a) a)
                                                        ((number? a) (number->string a))
                                                        (else " ")))
                                      args)))
            (throw)))
    (set! result (catch #f (thunk)))
    (set! *error-hook* saved)
    (if result result (list 'error message))))

; Stylise one photo with the style image style-img; saved to out.
(define (ns-batch-one photo style-img out size iterations model)
  (let* ((img (car (gimp-file-load RUN-NONINTERACTIVE photo photo)))
         (layer (car (gimp-image-get-active-layer img)))
         (result (car (plug-in-neural-style RUN-NONINTERACTIVE img layer
                        1 (vector style-img) 0 #() 0 #()
                        30.0 100.0 0.1 iterations 0.0 0 0 1.0 1.0 size 1 0.0 0 0 0 model))))
    (gimp-file-save RUN-NONINTERACTIVE img result out out)
    (gimp-image-delete img)
    'ok))

(define (neural-style-batch pattern style out-dir size iterations model)
  (let* ((photos (ns-batch-sort (cadr (file-glob pattern 1))))
         (n (length photos))
         (style-img (car (gimp-file-load RUN-NONINTERACTIVE style style))))
    (let loop ((ps photos) (i 1) (failed 0))
      (if (null? ps)
          (begin
            (gimp-image-delete style-img)
            (ns-batch-say (number->string (- n failed)) " of " (number->string n)
                          " written, " (number->string failed) " failed")
            failed)
          (let* ((photo (car ps))
                 (out (ns-batch-output photo out-dir))
                 (r (ns-batch-try (lambda ()
                                    (ns-batch-one photo style-img out size iterations model))))
                 (ok (eq? r 'ok))
                 (head (string-append "[" (number->string i) "/" (number->string n) "] " photo)))
            (if ok
                (ns-batch-say head " -> " out)
                (ns-batch-say head ": FAILED: " (cadr r)))
            (loop (cdr ps) (+ i 1) (if ok failed (+ failed 1))))))))
