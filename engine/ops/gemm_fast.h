/* gemm_fast.h — the two products of the style loss on the engine's own
 * 8 x 32 GEMM tile (gemm_tile.h, per-ISA), OpenMP-parallel over output
 * tiles, so no BLAS thread pool competes with the engine's threads.
 * Results do not depend on the thread count.
 *
 *   Gram:  G[C][C] = F Fᵀ / N           F [C][N]
 *   symm:  out[C][N] += alpha · D F     D [C][C] symmetric; F and out rows
 *          (channels) ldf and ldo floats apart (N for whole maps)
 */
#ifndef NS_GEMM_FAST_H
#define NS_GEMM_FAST_H

#include <stddef.h>

/* Scratch floats either call needs for C channels. */
size_t ns_gemm_fast_scratch_floats (int C);
void   ns_gram_fast (const float *F, int C, int N, float *G, float *scratch);
void   ns_symm_acc_fast (const float *D, const float *F, size_t ldf, int C, int N,
                         float alpha, float *out, size_t ldo, float *scratch);

#endif
