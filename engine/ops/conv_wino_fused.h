/* conv_wino_fused.h — Winograd F(4x4,3x3) convolution, tile-blocked: each
 * thread transforms a block of 32 tiles, multiplies it by pre-packed filters
 * with its own register-blocked kernel and writes the output tiles, so the
 * transformed data stays in cache (conv_wino_block.h).  3x3, stride 1,
 * pad 1 only.  The one Winograd path: net/wino.h runs every 3x3/s1/p1 conv
 * of a network here, with packed filters kept, packed per call, or packed
 * group by group on the fly (ns_wino_fly_conv); other shapes use conv.c.
 *
 * The input gradient of a 3x3/s1/p1 conv is itself a 3x3/s1/p1 conv of dout
 * with the filters flipped 180° and in/out channels swapped:
 *   din[ci](y,x) = Σ_co Σ_ab dout[co](y+1-a, x+1-b) W[co][ci][a][b]
 *                = conv(dout, W')[ci](y,x),  W'[ci][co][a][b] = W[co][ci][2-a][2-b]
 * so one fused kernel serves forward and backward (pack with flip = 1).
 */
#ifndef NS_CONV_WINO_FUSED_H
#define NS_CONV_WINO_FUSED_H

#include "conv.h"

typedef enum
{
  NS_WINO_ISA_AUTO = 0,     /* best the CPU supports */
  NS_WINO_ISA_GENERIC,      /* portable vector code (SSE2 on x86-64) */
  NS_WINO_ISA_AVX2,         /* AVX2 + FMA */
  NS_WINO_ISA_AVX512,       /* AVX-512F */
} NsWinoIsa;

/* TRUE if this build and CPU can run isa (AUTO, GENERIC: always) and the
 * environment's NS_ISA does not forbid it (ns_isa_ceiling). */
int    ns_wino_isa_supported (NsWinoIsa isa);
/* NS_ISA=avx512|avx2|generic (sse, sse2: generic): the highest instruction
 * set the engine's own kernels may use, to measure or debug what a machine
 * without AVX-512 (or AVX2) gets; unset, empty, "auto" or anything else: no
 * limit.  OpenBLAS has its own switch (OPENBLAS_CORETYPE). */
NsWinoIsa ns_isa_ceiling (void);
/* The instruction set the kernels run with: the best supported one. */
NsWinoIsa ns_isa_in_use (void);
const char *ns_wino_isa_name (NsWinoIsa isa);

/* Packed filters: floats for a conv with cout outputs and cin inputs
 * (4.5x the 3x3 weights, output channels rounded up to 8). */
size_t ns_wino_packed_floats (int cout, int cin);
/* Pack c's filters (flip = 0: forward, cout x cin; flip = 1: input gradient,
 * cin x cout, W' above).  c must be 3x3/s1/p1. */
void   ns_wino_pack (const NsConvSpec *c, int flip, float *packed);

/* Scratch floats for nthreads threads at cin input channels. */
size_t ns_wino_scratch_floats (int cin, int nthreads);

/* out (=, or += when accumulate) = conv3x3(in) [+ bias] [ReLU, not with
 * accumulate] with packed filters of a cin -> cout conv (forward:
 * c->cin/c->cout; backward: swapped).  Uses as many threads (<= OpenMP's
 * maximum) as scratch holds; returns 0 (nothing done) if it holds none.
 * Results do not depend on the thread count. */
int    ns_wino_fused_conv (NsWinoIsa isa, const float *packed, int cin, int cout,
                           const float *in, int h, int w, const float *bias, int relu,
                           int accumulate, float *out, float *scratch, size_t scratch_floats);

/* The same without a packed bank: each thread packs one group of output
 * channels at a time into scratch while it uses it (conv_wino_fused.c).
 * Worth it for few tile blocks (small images, deep layers); the scratch
 * size is 0 (not offered) when the transformed input of all blocks would
 * exceed 8 MiB.  flip as ns_wino_pack; cin = flip ? c->cout : c->cin. */
size_t ns_wino_fly_scratch_floats (int cin, int h, int w, int nthreads);
int    ns_wino_fly_conv (NsWinoIsa isa, const NsConvSpec *c, int flip, const float *in,
                         int h, int w, const float *bias, int relu, int accumulate,
                         float *out, float *scratch, size_t scratch_floats);

#endif
