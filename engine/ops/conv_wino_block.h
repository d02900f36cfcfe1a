/* conv_wino_block.h — one block of NT Winograd F(4x4,3x3) tiles, start to
 * finish, for one instruction set: conv_wino_fused.c compiles it once per
 * ISA through per_isa.h, so the vector-extension code uses that ISA's
 * registers.
 *
 * Math (Lavin & Gray 2016, eq. 8; F(4x4,3x3) with points 0, ±1, ±2):
 *   V[e][ci][k] = (Bᵀ d B)[e]       d: 6x6 input patch of tile k
 *   M[e][r][k]  = Σ_ci U[e][co][ci] V[e][ci][k]     co = co0 + r
 *   Y_k         = Aᵀ M_k A (+ bias, ReLU, or += into out)
 *
 * Shapes: in [cin][h][w], out [cout][h][w]; tiles numbered t = ty*tw + tx;
 * a block is tiles [t0, t0+nk), nk <= NT.  Packed filters (see
 * conv_wino_fused.c): U[cob][e][ci][MR].  Scratch: V [36][cin][NT],
 * M [36][MR][NT], both 64-byte aligned.
 */

#include "gemm_tile.h"   /* WB(), WB(vf), WB(ldu), WB(tile) */

/* M[r][0..NT) = Σ_ci u[ci][r] v[ci][0..NT) for r < MR (MR x NT = one tile) */
static inline void
WB (gemm) (const float *restrict u, const float *restrict v, int cin, float *restrict m)
{
  WB (tile) (u, MR, v, NT, cin, m, NT, 0, 1.0f);
}

/* Stride-4 (de)interleaving of VL tiles' columns with two-source shuffles:
 * DEINT(p, j)[k] = p[4k + j], k < VL (p: 4 VL floats);
 * INTERLEAVE writes q[4k + j] = x_j[k]. */
typedef int WB (vi) __attribute__ ((vector_size (WB_VBYTES)));
#if WB_VL == 16
#define WB_M1(j) { j, j + 4, j + 8, j + 12, j + 16, j + 20, j + 24, j + 28, \
                   j, j + 4, j + 8, j + 12, j + 16, j + 20, j + 24, j + 28 }
#define WB_M2    { 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23 }
#define WB_Z0    { 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23 }
#define WB_Z1    { 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31 }
#define WB_Y0    { 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23 }
#define WB_Y1    { 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31 }
#elif WB_VL == 8
#define WB_M1(j) { j, j + 4, j + 8, j + 12, j, j + 4, j + 8, j + 12 }
#define WB_M2    { 0, 1, 2, 3, 8, 9, 10, 11 }
#define WB_Z0    { 0, 8, 1, 9, 2, 10, 3, 11 }
#define WB_Z1    { 4, 12, 5, 13, 6, 14, 7, 15 }
#define WB_Y0    { 0, 1, 8, 9, 2, 3, 10, 11 }
#define WB_Y1    { 4, 5, 12, 13, 6, 7, 14, 15 }
#elif WB_VL == 4
#define WB_M1(j) { j, j + 4, j, j + 4 }
#define WB_M2    { 0, 1, 4, 5 }
#define WB_Z0    { 0, 4, 1, 5 }
#define WB_Z1    { 2, 6, 3, 7 }
#define WB_Y0    { 0, 1, 4, 5 }
#define WB_Y1    { 2, 3, 6, 7 }
#else
#error "WB_VL must be 4, 8 or 16"
#endif

#define WB_DEINT(a, j) \
  __builtin_shuffle (__builtin_shuffle ((a)[0], (a)[1], (WB (vi)) WB_M1 (j)), \
                     __builtin_shuffle ((a)[2], (a)[3], (WB (vi)) WB_M1 (j)), (WB (vi)) WB_M2)

/* q[0 .. 4VL) = columns x[0..3] interleaved: q[4k + j] = x[j][k] */
static inline void
WB (interleave) (const WB (vf) x[4], float *q)
{
  const WB (vf) s0 = __builtin_shuffle (x[0], x[1], (WB (vi)) WB_Z0);
  const WB (vf) s1 = __builtin_shuffle (x[0], x[1], (WB (vi)) WB_Z1);
  const WB (vf) t0 = __builtin_shuffle (x[2], x[3], (WB (vi)) WB_Z0);
  const WB (vf) t1 = __builtin_shuffle (x[2], x[3], (WB (vi)) WB_Z1);
  const WB (vf) o[4] = { __builtin_shuffle (s0, t0, (WB (vi)) WB_Y0),
                         __builtin_shuffle (s0, t0, (WB (vi)) WB_Y1),
                         __builtin_shuffle (s1, t1, (WB (vi)) WB_Y0),
                         __builtin_shuffle (s1, t1, (WB (vi)) WB_Y1) };
  memcpy (q, o, sizeof o);
}

/* The block's tiles as runs within one tile row: run r covers lanes
 * [k0, k0 + n) = tiles (ty, tx .. tx + n - 1). */
typedef struct { int k0, n, ty, tx; } WB (Run);

static int
WB (runs) (int tw, int t0, int nk, WB (Run) *run)
{
  int nr = 0;
  for (int k = 0; k < nk;)
    {
      const int t = t0 + k, ty = t / tw, tx = t % tw;
      const int n = tw - tx < nk - k ? tw - tx : nk - k;
      run[nr++] = (WB (Run)) { k, n, ty, tx };
      k += n;
    }
  return nr;
}

/* dst[q] = x[x0 + q] for q < n, 0 outside [0, w) */
static inline void
WB (copy_clipped) (const float *x, int w, int x0, int n, float *dst)
{
  if (x0 >= 0 && x0 + n <= w)
    {
      for (int q = 0; q < n; q++)      /* short: a loop, not a libc call */
        dst[q] = x[x0 + q];
      return;
    }
  int a = x0 < 0 ? -x0 : 0, b = w - x0 < n ? w - x0 : n;
  if (b < a)
    b = a;
  if (a > 0)
    memset (dst, 0, (size_t) a * sizeof (float));
  if (b > a)
    memcpy (dst + a, x + x0 + a, (size_t) (b - a) * sizeof (float));
  if (n > b)
    memset (dst + b, 0, (size_t) (n - b) * sizeof (float));
}

/* V[e][ci][k] = (Bᵀ d_k B)[e] for the nk tiles of the block (k >= nk: 0).
 * Per input row i of the 6x6 patches, la holds columns 4tx-1 .. 4tx+2 of
 * every lane's tile and lb columns 4tx+3, 4tx+4 (4 floats a lane, zero
 * outside the image), so the patch columns are stride-4 shuffles. */
static void
WB (input_transform) (const float *in, int cin, int h, int w, int tw, int t0, int nk,
                      float *restrict vbuf)
{
  enum { NV = NT / WB_VL };
  WB (Run) run[NT];
  const int nr = WB (runs) (tw, t0, nk, run);
  for (int ci = 0; ci < cin; ci++)
    {
      const float *x = in + (size_t) ci * h * w;
      WB (vf) hd[WE][NV];        /* after the row pass: hd[i*6 + b] */
      for (int i = 0; i < WT; i++)
        {
          float la[4 * NT + 4] __attribute__ ((aligned (64)));
          float lb[4 * NT] __attribute__ ((aligned (64)));
          const float *pla = la, *plb = lb;
          const int yy1 = run[0].ty * 4 - 1 + i, xa = run[0].tx * 4 - 1;
          if (nr == 1 && nk == NT && yy1 >= 0 && yy1 < h)
            {
              /* one run: lb is la shifted by one lane; read the image
               * directly when the whole span is inside it */
              const float *row = x + (size_t) yy1 * w;
              if (xa >= 0 && xa + 4 * NT + 4 <= w)
                pla = row + xa;
              else
                WB (copy_clipped) (row, w, xa, 4 * NT + 4, la);
              plb = pla + 4;
            }
          else if (nr == 1 && nk == NT)
            {
              memset (la, 0, sizeof la);
              plb = la + 4;
            }
          else if (nk < NT)
            {
              memset (la + 4 * nk, 0, (size_t) (NT - nk) * 4 * sizeof (float));
              memset (lb + 4 * nk, 0, (size_t) (NT - nk) * 4 * sizeof (float));
            }
          for (int r = 0; r < nr && !(nr == 1 && nk == NT); r++)
            {
              const int yy = run[r].ty * 4 - 1 + i, n4 = 4 * run[r].n;
              float *pa = la + 4 * run[r].k0, *pb = lb + 4 * run[r].k0;
              if (yy < 0 || yy >= h)
                {
                  memset (pa, 0, (size_t) n4 * sizeof (float));
                  memset (pb, 0, (size_t) n4 * sizeof (float));
                  continue;
                }
              const float *row = x + (size_t) yy * w;
              WB (copy_clipped) (row, w, run[r].tx * 4 - 1, n4, pa);
              WB (copy_clipped) (row, w, run[r].tx * 4 + 3, n4, pb);
            }
          for (int v = 0; v < NV; v++)
            {
              WB (vf) a[4], b[4];
              for (int q = 0; q < 4; q++)
                {
                  a[q] = WB (ldu) (pla + 4 * WB_VL * v + WB_VL * q);
                  b[q] = WB (ldu) (plb + 4 * WB_VL * v + WB_VL * q);
                }
              const WB (vf) x0 = WB_DEINT (a, 0), x1 = WB_DEINT (a, 1), x2 = WB_DEINT (a, 2),
                            x3 = WB_DEINT (a, 3), x4 = WB_DEINT (b, 0), x5 = WB_DEINT (b, 1);
              /* row pass: (d B)[i][b] = Σ_j d[i][j] Bᵀ[b][j],
               * Bᵀ = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0;
               *       0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1] */
              WB (vf) *o = &hd[i * WT][v];
              o[0 * NV] = 4.0f * x0 - 5.0f * x2 + x4;
              o[1 * NV] = -4.0f * (x1 + x2) + x3 + x4;
              o[2 * NV] = 4.0f * (x1 - x2) - x3 + x4;
              o[3 * NV] = 2.0f * (x3 - x1) - x2 + x4;
              o[4 * NV] = 2.0f * (x1 - x3) - x2 + x4;
              o[5 * NV] = 4.0f * x1 - 5.0f * x3 + x5;
            }
        }
      /* column pass: V[a*6 + b] = Σ_i Bᵀ[a][i] hd[i*6 + b] */
      for (int bb = 0; bb < WT; bb++)
        for (int v = 0; v < NV; v++)
          {
            const WB (vf) x0 = hd[bb][v], x1 = hd[WT + bb][v], x2 = hd[2 * WT + bb][v],
                          x3 = hd[3 * WT + bb][v], x4 = hd[4 * WT + bb][v],
                          x5 = hd[5 * WT + bb][v];
            const WB (vf) r[WT] = { 4.0f * x0 - 5.0f * x2 + x4, -4.0f * (x1 + x2) + x3 + x4,
                                    4.0f * (x1 - x2) - x3 + x4, 2.0f * (x3 - x1) - x2 + x4,
                                    2.0f * (x1 - x3) - x2 + x4, 4.0f * x1 - 5.0f * x3 + x5 };
            for (int a = 0; a < WT; a++)
              *(WB (vf) *) (vbuf + ((size_t) (a * WT + bb) * cin + ci) * NT + v * WB_VL) = r[a];
          }
    }
}

/* out[co0 + r] tile k = Aᵀ M_k A (+ bias, ReLU / += out) for r < nr, k < nk. */
static void
WB (output_transform) (const float *restrict mbuf, int nrows, int co0, int h, int w, int tw,
                       int t0, int nk, const float *bias, int relu, int accumulate,
                       float *out)
{
  enum { NV = NT / WB_VL };
  WB (Run) run[NT];
  const int nr = WB (runs) (tw, t0, nk, run);
  for (int r = 0; r < nrows; r++)
    {
      const int co = co0 + r;
      const float b = bias ? bias[co] : 0.0f;
      float *y = out + (size_t) co * h * w;
      /* Aᵀ = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
       * column pass: t[i][b] = Σ_a Aᵀ[i][a] M[a][b]  (i < 4, b < 6) */
      WB (vf) t[4 * WT][NV];
      for (int bb = 0; bb < WT; bb++)
        for (int v = 0; v < NV; v++)
          {
            WB (vf) m[WT];
            for (int a = 0; a < WT; a++)
              m[a] = *(const WB (vf) *) (mbuf + ((size_t) (a * WT + bb) * MR + r) * NT
                                         + v * WB_VL);
            t[0 * WT + bb][v] = m[0] + m[1] + m[2] + m[3] + m[4];
            t[1 * WT + bb][v] = m[1] - m[2] + 2.0f * (m[3] - m[4]);
            t[2 * WT + bb][v] = m[1] + m[2] + 4.0f * (m[3] + m[4]);
            t[3 * WT + bb][v] = m[1] - m[2] + 8.0f * (m[3] - m[4]) + m[5];
          }
      for (int i = 0; i < 4; i++)
        {
          /* row pass: o[i][j] = Σ_b t[i][b] Aᵀ[j][b], + bias; interleaved
           * into the 4 NT output pixels of this row */
          float q[4 * NT] __attribute__ ((aligned (64)));
          const int oy1 = run[0].ty * 4 + i, ox1 = run[0].tx * 4;
          /* one run inside the image, no +=: straight into the output row */
          const int direct = nr == 1 && nk == NT && oy1 < h && ox1 + 4 * NT <= w && !accumulate;
          float *qq = direct ? y + (size_t) oy1 * w + ox1 : q;
          for (int v = 0; v < NV; v++)
            {
              const WB (vf) *m = &t[i * WT][v];
              const WB (vf) m0 = m[0], m1 = m[NV], m2 = m[2 * NV], m3 = m[3 * NV],
                            m4 = m[4 * NV], m5 = m[5 * NV];
              WB (vf) o[4] = { m0 + m1 + m2 + m3 + m4 + b,
                               m1 - m2 + 2.0f * (m3 - m4) + b,
                               m1 + m2 + 4.0f * (m3 + m4) + b,
                               m1 - m2 + 8.0f * (m3 - m4) + m5 + b };
              if (direct && relu)
                for (int j = 0; j < 4; j++)     /* o < 0 -> 0; NaN stays */
                  o[j] = (WB (vf)) ((WB (vi)) o[j] & ~(WB (vi)) (o[j] < 0.0f));
              WB (interleave) (o, qq + 4 * WB_VL * v);
            }
          for (int rr = 0; rr < nr && !direct; rr++)
            {
              const int oy = run[rr].ty * 4 + i, ox = run[rr].tx * 4;
              if (oy >= h)
                continue;
              const int n = w - ox < 4 * run[rr].n ? w - ox : 4 * run[rr].n;
              float *dst = y + (size_t) oy * w + ox;
              const float *src = q + 4 * run[rr].k0;
              if (accumulate)
                for (int p = 0; p < n; p++)
                  dst[p] += src[p];
              else if (relu)
                for (int p = 0; p < n; p++)
                  dst[p] = src[p] < 0.0f ? 0.0f : src[p];   /* NaN stays visible */
              else
                for (int p = 0; p < n; p++)     /* short runs: no libc call */
                  dst[p] = src[p];
            }
        }
    }
}

/* One group of MR output channels (co0 = cob*MR, packed filters ub =
 * U[cob]) for one transformed block: the 36 GEMMs, then the output
 * transform. */
static void
WB (group) (const float *ub, int cin, int cout, int co0, const float *vbuf, float *mbuf,
            int h, int w, int tw, int t0, int nk, const float *bias, int relu, int accumulate,
            float *out)
{
  for (int e = 0; e < WE; e++)
    WB (gemm) (ub + (size_t) e * cin * MR, vbuf + (size_t) e * cin * NT, cin,
               mbuf + (size_t) e * MR * NT);
  const int nr = cout - co0 < MR ? cout - co0 : MR;
  WB (output_transform) (mbuf, nr, co0, h, w, tw, t0, nk, bias, relu, accumulate, out);
}

/* One block: transform nk tiles from t0, then every output group. */
static void
WB (block) (const float *u, int cin, int cout, const float *in, int h, int w, int tw,
            int t0, int nk, const float *bias, int relu, int accumulate, float *out,
            float *vbuf, float *mbuf)
{
  WB (input_transform) (in, cin, h, w, tw, t0, nk, vbuf);
  const int ncob = (cout + MR - 1) / MR;
  for (int cob = 0; cob < ncob; cob++)
    WB (group) (u + (size_t) cob * WE * cin * MR, cin, cout, cob * MR, vbuf, mbuf, h, w, tw,
                t0, nk, bias, relu, accumulate, out);
}

#undef WB_M1
#undef WB_M2
#undef WB_Z0
#undef WB_Z1
#undef WB_Y0
#undef WB_Y1
#undef WB_DEINT
#undef WB_CAT
#undef WB_CAT2
