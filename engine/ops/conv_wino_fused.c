/* conv_wino_fused.c — tile-blocked Winograd F(4x4,3x3): filter packing,
 * ISA dispatch and threading.  The per-block work is conv_wino_block.h,
 * compiled here once per instruction set.
 *
 * Packed filters, U = G g Gᵀ (Lavin & Gray 2016, eq. 8), laid out
 *   U[cob][e][ci][MR],  co = cob*MR + r  (rows past cout are 0)
 * so one block's GEMM reads one contiguous run per (cob, e), and each step
 * of the kernel's ci loop broadcasts MR consecutive floats.
 */
#include "conv_wino_fused.h"

#include <glib.h>
#include <omp.h>
#include <stdint.h>
#include <string.h>

#define NT 32   /* tiles per block (the GEMM's N) */
#define MR 8    /* output channels per packed group */
#define WT 6    /* transformed tile side */
#define WE 36   /* elements per transformed tile */

#define PER_ISA_BODY "conv_wino_block.h"
#include "per_isa.h"

typedef void (*BlockFn) (const float *, int, int, const float *, int, int, int, int, int,
                         const float *, int, int, float *, float *, float *);
typedef void (*InputFn) (const float *, int, int, int, int, int, int, float *);
typedef void (*GroupFn) (const float *, int, int, int, const float *, float *, int, int, int,
                         int, int, const float *, int, int, float *);
typedef struct { BlockFn block; InputFn input; GroupFn group; } Kernels;

NsWinoIsa
ns_isa_ceiling (void)
{
  const char *env = g_getenv ("NS_ISA");
  if (env == NULL)
    return NS_WINO_ISA_AVX512;
  if (g_ascii_strcasecmp (env, "generic") == 0 || g_ascii_strcasecmp (env, "sse") == 0
      || g_ascii_strcasecmp (env, "sse2") == 0)
    return NS_WINO_ISA_GENERIC;
  if (g_ascii_strcasecmp (env, "avx2") == 0)
    return NS_WINO_ISA_AVX2;
  return NS_WINO_ISA_AVX512;
}

int
ns_wino_isa_supported (NsWinoIsa isa)
{
  switch (isa)
    {
    case NS_WINO_ISA_AUTO:
    case NS_WINO_ISA_GENERIC:
      return 1;
#ifdef NS_PER_ISA_X86
    case NS_WINO_ISA_AVX2:
      return ns_isa_ceiling () >= NS_WINO_ISA_AVX2
             && __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma");
    case NS_WINO_ISA_AVX512:
      return ns_isa_ceiling () >= NS_WINO_ISA_AVX512 && __builtin_cpu_supports ("avx512f");
#endif
    default:
      return 0;
    }
}

NsWinoIsa
ns_isa_in_use (void)
{
  return ns_wino_isa_supported (NS_WINO_ISA_AVX512) ? NS_WINO_ISA_AVX512
       : ns_wino_isa_supported (NS_WINO_ISA_AVX2) ? NS_WINO_ISA_AVX2 : NS_WINO_ISA_GENERIC;
}

const char *
ns_wino_isa_name (NsWinoIsa isa)
{
  static const char *const names[] = { "auto", "generic", "avx2", "avx512" };
  return (unsigned) isa < sizeof names / sizeof names[0] ? names[isa] : "?";
}

static int
kernels (NsWinoIsa isa, Kernels *k)
{
#ifdef NS_PER_ISA_X86
  if (isa == NS_WINO_ISA_AUTO)
    isa = ns_isa_in_use ();
  if (isa == NS_WINO_ISA_AVX512 && ns_wino_isa_supported (isa))
    {
      *k = (Kernels) { block_avx512, input_transform_avx512, group_avx512 };
      return 1;
    }
  if (isa == NS_WINO_ISA_AVX2 && ns_wino_isa_supported (isa))
    {
      *k = (Kernels) { block_avx2, input_transform_avx2, group_avx2 };
      return 1;
    }
#endif
  if (isa != NS_WINO_ISA_AUTO && isa != NS_WINO_ISA_GENERIC)
    return 0;
  *k = (Kernels) { block_generic, input_transform_generic, group_generic };
  return 1;
}

size_t
ns_wino_packed_floats (int cout, int cin)
{
  if (cout <= 0 || cin <= 0)
    return 0;
  return (size_t) ((cout + MR - 1) / MR) * WE * (size_t) cin * MR;
}

/* U = G g Gᵀ for MR output channels at once (vectorised over r),
 * G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1].
 * g [9][MR] (row-major 3x3 per channel) -> u [36][MR]. */
static void
transform_group (const float g[9][MR], float u[WE][MR])
{
  float t[WT * 3][MR];
  for (int j = 0; j < 3; j++)           /* columns: t = G g   ([6][3]) */
    for (int r = 0; r < MR; r++)
      {
        const float g0 = g[j][r], g1 = g[3 + j][r], g2 = g[6 + j][r];
        t[0 * 3 + j][r] = g0 * 0.25f;
        t[1 * 3 + j][r] = -(g0 + g1 + g2) * (1.0f / 6.0f);
        t[2 * 3 + j][r] = -(g0 - g1 + g2) * (1.0f / 6.0f);
        t[3 * 3 + j][r] = g0 * (1.0f / 24.0f) + g1 * (1.0f / 12.0f) + g2 * (1.0f / 6.0f);
        t[4 * 3 + j][r] = g0 * (1.0f / 24.0f) - g1 * (1.0f / 12.0f) + g2 * (1.0f / 6.0f);
        t[5 * 3 + j][r] = g2;
      }
  for (int i = 0; i < WT; i++)          /* rows: u = t Gᵀ     ([6][6]) */
    for (int r = 0; r < MR; r++)
      {
        const float t0 = t[i * 3][r], t1 = t[i * 3 + 1][r], t2 = t[i * 3 + 2][r];
        u[i * WT + 0][r] = t0 * 0.25f;
        u[i * WT + 1][r] = -(t0 + t1 + t2) * (1.0f / 6.0f);
        u[i * WT + 2][r] = -(t0 - t1 + t2) * (1.0f / 6.0f);
        u[i * WT + 3][r] = t0 * (1.0f / 24.0f) + t1 * (1.0f / 12.0f) + t2 * (1.0f / 6.0f);
        u[i * WT + 4][r] = t0 * (1.0f / 24.0f) - t1 * (1.0f / 12.0f) + t2 * (1.0f / 6.0f);
        u[i * WT + 5][r] = t2;
      }
}

/* U[cob] of the (flipped) conv: [e][ci][MR] at dst. */
static void
pack_group (const NsConvSpec *c, int flip, int cob, float *dst)
{
  enum { CB = 16 };   /* input channels per batch: 36 runs of CB*MR floats */
  const int cout = flip ? c->cin : c->cout, cin = flip ? c->cout : c->cin;
  for (int c0 = 0; c0 < cin; c0 += CB)
    {
      float u[CB][WE][MR];
      const int nc = cin - c0 < CB ? cin - c0 : CB;
      for (int q = 0; q < nc; q++)
        {
          const int ci = c0 + q;
          float g[9][MR];
          for (int r = 0; r < MR; r++)
            {
              const int co = cob * MR + r;
              /* flip: W'[co][ci][a][b] = W[ci][co][2-a][2-b] (input gradient) */
              const float *src = co >= cout ? NULL
                               : flip ? c->weight + ((size_t) ci * c->cin + co) * 9
                                      : c->weight + ((size_t) co * c->cin + ci) * 9;
              for (int i = 0; i < 9; i++)
                g[i][r] = !src ? 0.0f : flip ? src[8 - i] : src[i];
            }
          transform_group ((const float (*)[MR]) g, u[q]);
        }
      /* e-major: one contiguous run of nc*MR floats per element */
      for (int e = 0; e < WE; e++)
        for (int q = 0; q < nc; q++)
          memcpy (dst + (size_t) e * cin * MR + (size_t) (c0 + q) * MR, u[q][e],
                  MR * sizeof (float));
    }
}

void
ns_wino_pack (const NsConvSpec *c, int flip, float *packed)
{
  const int cout = flip ? c->cin : c->cout, cin = flip ? c->cout : c->cin;
  const int ncob = (cout + MR - 1) / MR;
#pragma omp parallel for schedule(static) if ((size_t) cout * cin >= 16384)
  for (int cob = 0; cob < ncob; cob++)
    pack_group (c, flip, cob, packed + (size_t) cob * WE * cin * MR);
}

#define SLACK 16   /* floats: room to align a buffer to 64 bytes */

static float *
align64 (float *p)
{
  return p + (SLACK - ((uintptr_t) p / sizeof (float)) % SLACK) % SLACK;
}

/* per thread: V [36][cin][NT] + M [36][MR][NT] + alignment slack */
static size_t
per_thread_floats (int cin)
{
  return (size_t) WE * NT * ((size_t) cin + MR) + SLACK;
}

size_t
ns_wino_scratch_floats (int cin, int nthreads)
{
  return per_thread_floats (cin) * (size_t) (nthreads > 0 ? nthreads : 1);
}

int
ns_wino_fused_conv (NsWinoIsa isa, const float *packed, int cin, int cout, const float *in,
                    int h, int w, const float *bias, int relu, int accumulate, float *out,
                    float *scratch, size_t scratch_floats)
{
  Kernels k;
  const size_t per = per_thread_floats (cin);
  if (!kernels (isa, &k) || !packed || cin <= 0 || cout <= 0 || h <= 0 || w <= 0 || !scratch
      || scratch_floats < per)
    return 0;
  const int th = (h + 3) / 4, tw = (w + 3) / 4, tiles = th * tw;
  const int blocks = (tiles + NT - 1) / NT;
  int nthreads = omp_get_max_threads ();
  if ((size_t) nthreads > scratch_floats / per)
    nthreads = (int) (scratch_floats / per);
  if (nthreads > blocks)
    nthreads = blocks;
#pragma omp parallel num_threads(nthreads) if (nthreads > 1)
  {
    float *mine = align64 (scratch + per * (size_t) omp_get_thread_num ());
    float *vbuf = mine, *mbuf = mine + (size_t) WE * cin * NT;
#pragma omp for schedule(static)
    for (int b = 0; b < blocks; b++)
      {
        const int t0 = b * NT, nk = tiles - t0 < NT ? tiles - t0 : NT;
        k.block (packed, cin, cout, in, h, w, tw, t0, nk, bias, relu, accumulate, out, vbuf,
                 mbuf);
      }
  }
  return 1;
}

/* ------------------------------------------------------------------ packing on the fly
 * For a few blocks of tiles (a small image at a deep layer), writing the
 * whole packed filter bank (36/9 of the weights) costs as much as using it.
 * Instead: transform every block's input once (V for all blocks), then
 * each thread takes groups of MR output channels, packs that group's
 * filters into its own buffer (in cache) and runs it over every block. */

#define FLY_MAX_V ((size_t) 6 * 1024 * 1024)   /* V of all blocks, floats (24 MiB) */

/* per thread: U[cob] [36][cin][MR] + M [36][MR][NT] + alignment slack */
static size_t
fly_per_thread_floats (int cin)
{
  return (size_t) WE * MR * ((size_t) cin + NT) + SLACK;
}

size_t
ns_wino_fly_scratch_floats (int cin, int h, int w, int nthreads)
{
  if (cin <= 0 || h <= 0 || w <= 0)
    return 0;
  const size_t blocks = ((size_t) ((h + 3) / 4) * ((w + 3) / 4) + NT - 1) / NT;
  const size_t v = blocks * WE * (size_t) cin * NT;
  if (v > FLY_MAX_V)
    return 0;
  /* V, then per thread: U[cob] + M */
  return v + SLACK + (size_t) (nthreads > 0 ? nthreads : 1) * fly_per_thread_floats (cin);
}

int
ns_wino_fly_conv (NsWinoIsa isa, const NsConvSpec *c, int flip, const float *in, int h, int w,
                  const float *bias, int relu, int accumulate, float *out, float *scratch,
                  size_t scratch_floats)
{
  Kernels k;
  const int cout = flip ? c->cin : c->cout, cin = flip ? c->cout : c->cin;
  if (!kernels (isa, &k) || !c->weight || h <= 0 || w <= 0 || !scratch)
    return 0;
  const size_t need1 = ns_wino_fly_scratch_floats (cin, h, w, 1);
  if (need1 == 0 || scratch_floats < need1)
    return 0;
  const int th = (h + 3) / 4, tw = (w + 3) / 4, tiles = th * tw;
  const int blocks = (tiles + NT - 1) / NT, ncob = (cout + MR - 1) / MR;
  const size_t vblk = (size_t) WE * cin * NT, per = fly_per_thread_floats (cin);
  float *vall = align64 (scratch);
  float *threads0 = scratch + blocks * vblk + SLACK;
  int nthreads = omp_get_max_threads ();
  const size_t fit = (scratch_floats - (blocks * vblk + SLACK)) / per;
  nthreads = (size_t) nthreads > fit ? (int) fit : nthreads;
#pragma omp parallel num_threads(nthreads) if (nthreads > 1)
  {
#pragma omp for schedule(static)
    for (int b = 0; b < blocks; b++)
      {
        const int t0 = b * NT, nk = tiles - t0 < NT ? tiles - t0 : NT;
        k.input (in, cin, h, w, tw, t0, nk, vall + b * vblk);
      }
    float *mine = align64 (threads0 + per * (size_t) omp_get_thread_num ());
    float *ub = mine, *mbuf = mine + (size_t) WE * cin * MR;
#pragma omp for schedule(static)
    for (int cob = 0; cob < ncob; cob++)
      {
        pack_group (c, flip, cob, ub);
        for (int b = 0; b < blocks; b++)
          {
            const int t0 = b * NT, nk = tiles - t0 < NT ? tiles - t0 : NT;
            k.group (ub, cin, cout, cob * MR, vall + b * vblk, mbuf, h, w, tw, t0, nk, bias,
                     relu, accumulate, out);
          }
      }
  }
  return 1;
}
