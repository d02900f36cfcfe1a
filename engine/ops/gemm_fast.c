/* gemm_fast.c — Gram matrix and symmetric product for the style loss on
 * the per-ISA GEMM tile (gemm_tile.h).
 *
 * Gram: pixels are taken in chunks of P; each chunk is transposed into
 * FT [P][ldt] so both tile operands are rows of FT; tiles on or above the
 * diagonal accumulate into G (chunk by chunk, in order: deterministic), and
 * the lower triangle is mirrored at the end.
 * symm: out tile (8 channels x 32 pixels) += alpha Σ_k D[k][i] F[k][p]
 * (D symmetric, so its rows serve as columns), over panels of F copied to
 * a contiguous per-thread buffer; the last N % 32 pixels go through a
 * zero-padded copy.
 */
#include "gemm_fast.h"
#include "conv_wino_fused.h"   /* ns_isa_in_use */

#include <glib.h>
#include <omp.h>
#include <string.h>

#define TR 8
#define TC 32
/* symm: the per-thread panel of F (on the stack: 64 KiB) */
#define PANEL_FLOATS 16384

#define PER_ISA_BODY "gemm_tile.h"
#include "per_isa.h"

typedef void (*TileFn) (const float *, size_t, const float *, size_t, int, float *, size_t,
                        int, float);

static TileFn
tile_fn (void)
{
#ifdef NS_PER_ISA_X86
  switch (ns_isa_in_use ())
    {
    case NS_WINO_ISA_AVX512: return tile_avx512;
    case NS_WINO_ISA_AVX2:   return tile_avx2;
    default:                 break;
    }
#endif
  return tile_generic;
}

/* Gram chunk: P pixels (1 MiB of F: fewer parallel regions than 256 KiB,
 * 4-20% less Gram time at 512-1024 px for C = 64..128), FT row stride ldt
 * (C rounded up to TC, + TC slack so tiles past C read zeros inside the
 * buffer). */
static int
chunk_pixels (int C)
{
  int p = 262144 / (C > 0 ? C : 1);
  p = p < 64 ? 64 : p;
  return p - p % 8;
}

static size_t
ft_stride (int C)
{
  return (size_t) ((C + TC - 1) / TC) * TC + TC;
}

size_t
ns_gemm_fast_scratch_floats (int C)
{
  const size_t gram = (size_t) chunk_pixels (C) * ft_stride (C) + TC;
  const size_t tail = (size_t) C * (TC + TR);     /* symm: padded F and D columns */
  return gram > tail ? gram : tail;
}

void
ns_gram_fast (const float *F, int C, int N, float *G, float *scratch)
{
  if (C <= 0)
    return;
  memset (G, 0, (size_t) C * C * sizeof (float));
  if (N <= 0)
    return;
  const TileFn fn = tile_fn ();
  const int P = chunk_pixels (C);
  const size_t ldt = ft_stride (C);
  const int ni = (C + TR - 1) / TR, nj = (C + TC - 1) / TC;
  const float alpha = 1.0f / (float) N;
  float *ft = scratch;
  for (int p0 = 0; p0 < N; p0 += P)
    {
      const int np = N - p0 < P ? N - p0 : P;
#pragma omp parallel
      {
        /* FT[k][c] = F[c][p0 + k], 16 channels at a time; slack zeroed */
#pragma omp for schedule(static)
        for (int k0 = 0; k0 < np; k0 += 16)
          {
            const int k1 = k0 + 16 < np ? k0 + 16 : np;
            for (int c = 0; c < C; c++)
              {
                const float *src = F + (size_t) c * N + p0;
                for (int k = k0; k < k1; k++)
                  ft[(size_t) k * ldt + c] = src[k];
              }
            for (int k = k0; k < k1; k++)
              memset (ft + (size_t) k * ldt + C, 0, (ldt - (size_t) C) * sizeof (float));
          }
        /* tiles on or above the diagonal: rows i0..i0+7, cols j0..j0+31 */
#pragma omp for collapse(2) schedule(static)
        for (int bi = 0; bi < ni; bi++)
          for (int bj = 0; bj < nj; bj++)
            {
              const int i0 = bi * TR, j0 = bj * TC;
              if (j0 + TC <= i0)
                continue;
              if (i0 + TR <= C && j0 + TC <= C)
                fn (ft + i0, ldt, ft + j0, ldt, np, G + (size_t) i0 * C + j0, C, 1, alpha);
              else
                {
                  float m[TR * TC];
                  fn (ft + i0, ldt, ft + j0, ldt, np, m, TC, 0, 1.0f);
                  for (int r = 0; r < TR && i0 + r < C; r++)
                    for (int j = 0; j < TC && j0 + j < C; j++)
                      G[(size_t) (i0 + r) * C + j0 + j] += alpha * m[r * TC + j];
                }
            }
      }
    }
  for (int i = 0; i < C; i++)
    for (int j = 0; j < i; j++)
      G[(size_t) i * C + j] = G[(size_t) j * C + i];
}

void
ns_symm_acc_fast (const float *D, const float *F, size_t ldf, int C, int N, float alpha,
                  float *out, size_t ldo, float *scratch)
{
  if (C <= 0 || N <= 0)
    return;
  const TileFn fn = tile_fn ();
  const int ni = (C + TR - 1) / TR, nfull = N / TC, tail = N % TC;
  /* rows past C (C not a multiple of 8) would read past D: those blocks
   * go through the padded path below */
  const int ni_full = C / TR;
  /* Panels of pw pixels (a multiple of 32; C x pw <= PANEL_FLOATS) outside,
   * channel blocks inside: each thread copies F's panel to a contiguous
   * buffer on its stack, which stays in L1/L2 for all C/8 rows of output
   * tiles, and writes the panel's output rows contiguously.  (F's rows are
   * ldf apart, often a power of two: read in place, 32 pixels at a time,
   * they map to the same cache sets.) */
  const int pw = MAX (TC, (PANEL_FLOATS / C) / TC * TC);
  const int npanel = (nfull * TC + pw - 1) / pw;
  if (C * TC > PANEL_FLOATS)       /* more channels than a panel holds: in place */
    {
#pragma omp parallel for collapse(2) schedule(static)
      for (int bp = 0; bp < nfull; bp++)
        for (int bi = 0; bi < ni_full; bi++)
          fn (D + bi * TR, C, F + (size_t) bp * TC, ldf, C,
              out + (size_t) bi * TR * ldo + bp * TC, ldo, 1, alpha);
    }
  else
#pragma omp parallel
    {
      float pk[PANEL_FLOATS] __attribute__ ((aligned (64)));
#pragma omp for schedule(static)
      for (int q = 0; q < npanel; q++)
        {
          const int p0 = q * pw, np = MIN (pw, nfull * TC - p0);
          for (int k = 0; k < C; k++)
            memcpy (pk + (size_t) k * pw, F + (size_t) k * ldf + p0,
                    (size_t) np * sizeof (float));
          for (int bi = 0; bi < ni_full; bi++)
            for (int j = 0; j < np; j += TC)
              fn (D + bi * TR, C, pk + j, pw, C, out + (size_t) bi * TR * ldo + p0 + j, ldo, 1,
                  alpha);
        }
    }
  /* the remaining pixels (and channels): zero-padded operands in scratch */
  if (tail == 0 && ni_full == ni)
    return;
  float *fpad = scratch;                      /* [C][TC] */
  float *upad = scratch + (size_t) C * TC;     /* [C][TR] */
  for (int bi = 0; bi < ni; bi++)
    {
      /* u rows: D[k][i0 .. i0+7], clipped to C via a padded copy per k */
      for (int k = 0; k < C; k++)
        for (int r = 0; r < TR; r++)
          upad[(size_t) k * TR + r] = bi * TR + r < C ? D[(size_t) k * C + bi * TR + r] : 0.0f;
      for (int bp = bi < ni_full ? nfull : 0; bp * TC < N; bp++)
        {
          const int p0 = bp * TC, np = N - p0 < TC ? N - p0 : TC;
          float m[TR * TC];
          for (int k = 0; k < C; k++)
            {
              memcpy (fpad + (size_t) k * TC, F + (size_t) k * ldf + p0,
                      (size_t) np * sizeof (float));
              memset (fpad + (size_t) k * TC + np, 0, (size_t) (TC - np) * sizeof (float));
            }
          fn (upad, TR, fpad, TC, C, m, TC, 0, 1.0f);
          for (int r = 0; r < TR && bi * TR + r < C; r++)
            for (int j = 0; j < np; j++)
              out[(size_t) (bi * TR + r) * ldo + p0 + j] += alpha * m[r * TC + j];
        }
    }
}
