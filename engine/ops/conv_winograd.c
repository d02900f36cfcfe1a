/* conv_winograd.c — Winograd F(4x4,3x3) for 3x3 / stride 1 / pad 1 convs.
 *
 * Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks" (CVPR
 * 2016), interpolation points 0, ±1, ±2, ∞.  For one 4x4 output tile Y of
 * one (co, ci) pair, with d the 6x6 input patch (rows 4ty-1 .. 4ty+4) and
 * g the 3x3 filter:
 *
 *   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A                                  (Lavin eq. 8)
 *
 * Summing over ci turns the 36 element-wise products into 36 GEMMs:
 *   U[e][co][ci] = (G g Gᵀ)[e]        (filter transform)
 *   V[e][ci][t]  = (Bᵀ d_t B)[e]      (input transform, per tile t)
 *   M[e]         = U[e] · V[e]        [cout x cin]·[cin x tiles]
 *   Y_t          = Aᵀ M_t A           (output transform, + bias, ReLU)
 *
 * The input gradient uses the adjoint of the same linear map, so the same U
 * serves both directions (no second, flipped-filter cache):
 *   Z[e][co][t]  = (A dY_t Aᵀ)[e]
 *   N[e]         = U[e]ᵀ · Z[e]       [cin x cout]·[cout x tiles]
 *   din patch_t += B N_t Bᵀ           (overlapping 6x6 patches, scatter-add)
 *
 * Shapes: in/din [cin][h][w], out/dout [cout][h][w] (3x3, pad 1 keeps the
 * size); tiles tH x tW = ceil(h/4) x ceil(w/4).  Tiles are processed in
 * chunks that fit the workspace: [U unless passed in][36*cin*nt][36*cout*nt].
 * Loops are OpenMP-parallel with one writer per element (the gradient
 * scatter runs per input channel), so results do not depend on threads.
 */
#include "conv.h"

#include <cblas.h>
#include <string.h>

#define WT 6             /* transformed tile side (4 + 3 - 1) */
#define WE 36            /* elements per transformed tile     */
#define MIN_TILES 32     /* fewer tiles: im2col is faster     */
#define PAR_MIN 65536    /* smaller loops run on one thread   */

/* Each of the 36 planes of a buffer (filters [cout][cin], chunks [rows][nt])
 * is followed by PAD floats, so the 36 plane starts do not all fall on the
 * same cache set (4 KiB aliasing made the strided writes ~6x slower). */
#define PAD 16

static size_t
plane_floats (int rows, size_t nt)
{
  return (size_t) rows * nt + PAD;
}

static int
is_wino_shape (const NsConvSpec *c)
{
  return c && c->weight && c->kh == 3 && c->kw == 3 && c->stride == 1 && c->pad == 1
         && c->cin > 0 && c->cout > 0;
}

size_t
ns_conv_winograd_weight_floats (const NsConvSpec *c)
{
  return is_wino_shape (c) ? (size_t) WE * plane_floats (c->cout, (size_t) c->cin) : 0;
}

/* Tiles (and filters) are transformed TB at a time: Blk d[36] holds element
 * e of TB tiles contiguously, so the loops over k vectorise and the 36
 * planes are read and written in runs of TB floats. */
#define TB 8
typedef float Blk[TB];

/* o[0..5·so] = G g[0..2·si],  G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6;
 *                                 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1] */
static inline void
g6 (const Blk *g, const int si, Blk *o, const int so)
{
  for (int k = 0; k < TB; k++)
    {
      const float g0 = g[0][k], g1 = g[si][k], g2 = g[2 * si][k];
      o[0][k]      = g0 * 0.25f;
      o[so][k]     = -(g0 + g1 + g2) * (1.0f / 6.0f);
      o[2 * so][k] = -(g0 - g1 + g2) * (1.0f / 6.0f);
      o[3 * so][k] = g0 * (1.0f / 24.0f) + g1 * (1.0f / 12.0f) + g2 * (1.0f / 6.0f);
      o[4 * so][k] = g0 * (1.0f / 24.0f) - g1 * (1.0f / 12.0f) + g2 * (1.0f / 6.0f);
      o[5 * so][k] = g2;
    }
}

/* U[e][co][ci] = (G g Gᵀ)[e] for every filter g = weight[co][ci]. */
void
ns_conv_winograd_transform_weights (const NsConvSpec *c, float *u)
{
  if (!is_wino_shape (c) || !u)
    return;
  const int cin = c->cin, cout = c->cout, nb = (cin + TB - 1) / TB;
  const size_t plane = plane_floats (cout, (size_t) cin);
#pragma omp parallel for collapse(2) schedule(static) if ((size_t) WE * cout * cin >= PAR_MIN)
  for (int co = 0; co < cout; co++)
    for (int bk = 0; bk < nb; bk++)
      {
        const int c0 = bk * TB, nk = cin - c0 < TB ? cin - c0 : TB;
        Blk g[9], t[WT * 3], r[WE];
        memset (g, 0, sizeof g);
        for (int k = 0; k < nk; k++)
          for (int i = 0; i < 9; i++)
            g[i][k] = c->weight[((size_t) co * cin + c0 + k) * 9 + i];
        for (int j = 0; j < 3; j++)
          g6 (g + j, 3, t + j, 3);           /* columns: G g  -> t [6][3] */
        for (int i = 0; i < WT; i++)
          g6 (t + i * 3, 1, r + i * WT, 1);  /* rows:    (·) Gᵀ         */
        float *dst = u + (size_t) co * cin + c0;
        for (int e = 0; e < WE; e++)
          memcpy (dst + e * plane, r[e], (size_t) nk * sizeof (float));
      }
}

/* x[0..5·s] <- Bᵀ x,  Bᵀ = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0;
 *                           0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1] */
static inline void
bt6 (Blk *x, const int s)
{
  for (int k = 0; k < TB; k++)
    {
      const float x0 = x[0][k], x1 = x[s][k], x2 = x[2 * s][k], x3 = x[3 * s][k],
                  x4 = x[4 * s][k], x5 = x[5 * s][k];
      x[0][k]     = 4.0f * x0 - 5.0f * x2 + x4;
      x[s][k]     = -4.0f * (x1 + x2) + x3 + x4;
      x[2 * s][k] = 4.0f * (x1 - x2) - x3 + x4;
      x[3 * s][k] = 2.0f * (x3 - x1) - x2 + x4;
      x[4 * s][k] = 2.0f * (x1 - x3) - x2 + x4;
      x[5 * s][k] = 4.0f * x1 - 5.0f * x3 + x5;
    }
}

/* x[0..5·s] <- B x  (the transpose of bt6) */
static inline void
b6 (Blk *x, const int s)
{
  for (int k = 0; k < TB; k++)
    {
      const float m0 = x[0][k], m1 = x[s][k], m2 = x[2 * s][k], m3 = x[3 * s][k],
                  m4 = x[4 * s][k], m5 = x[5 * s][k];
      x[0][k]     = 4.0f * m0;
      x[s][k]     = 4.0f * (m2 - m1 + m5) + 2.0f * (m4 - m3);
      x[2 * s][k] = -5.0f * m0 - 4.0f * (m1 + m2) - m3 - m4;
      x[3 * s][k] = m1 - m2 + 2.0f * (m3 - m4) - 5.0f * m5;
      x[4 * s][k] = m0 + m1 + m2 + m3 + m4;
      x[5 * s][k] = m5;
    }
}

/* o[0..3·so] = Aᵀ m[0..5·si],  Aᵀ = [1 1 1 1 1 0; 0 1 -1 2 -2 0;
 *                                   0 1 1 4 4 0; 0 1 -1 8 -8 1] */
static inline void
at6 (const Blk *m, const int si, Blk *o, const int so)
{
  for (int k = 0; k < TB; k++)
    {
      const float m0 = m[0][k], m1 = m[si][k], m2 = m[2 * si][k], m3 = m[3 * si][k],
                  m4 = m[4 * si][k], m5 = m[5 * si][k];
      o[0][k]      = m0 + m1 + m2 + m3 + m4;
      o[so][k]     = m1 - m2 + 2.0f * (m3 - m4);
      o[2 * so][k] = m1 + m2 + 4.0f * (m3 + m4);
      o[3 * so][k] = m1 - m2 + 8.0f * (m3 - m4) + m5;
    }
}

/* z[0..5·so] = A y[0..3·si]  (the transpose of at6) */
static inline void
a6 (const Blk *y, const int si, Blk *z, const int so)
{
  for (int k = 0; k < TB; k++)
    {
      const float y0 = y[0][k], y1 = y[si][k], y2 = y[2 * si][k], y3 = y[3 * si][k];
      z[0][k]      = y0;
      z[so][k]     = y0 + y1 + y2 + y3;
      z[2 * so][k] = y0 - y1 + y2 - y3;
      z[3 * so][k] = y0 + 2.0f * y1 + 4.0f * y2 + 8.0f * y3;
      z[4 * so][k] = y0 - 2.0f * y1 + 4.0f * y2 - 8.0f * y3;
      z[5 * so][k] = y3;
    }
}

/* Workspace floats for a chunk of nt tiles (+ U when not passed in). */
static size_t
wino_need (const NsConvSpec *c, const float *cached, size_t nt)
{
  size_t u = cached ? 0 : ns_conv_winograd_weight_floats (c);
  return u + (size_t) WE * (plane_floats (c->cin, nt) + plane_floats (c->cout, nt));
}

/* Preferred tiles per chunk: the two chunk buffers stay near CHUNK_FLOATS so
 * they are reused from cache between transform and GEMM. */
#define CHUNK_FLOATS ((size_t) 16 * 1024 * 1024)

static size_t
pref_tiles (const NsConvSpec *c, size_t tiles)
{
  size_t nt = CHUNK_FLOATS / ((size_t) WE * (c->cin + c->cout));
  nt = nt < 64 ? 64 : nt;
  return nt < tiles ? nt : tiles;
}

size_t
ns_conv_winograd_workspace_floats (const NsConvSpec *c, int h, int w)
{
  if (!is_wino_shape (c) || h <= 0 || w <= 0)
    return 0;
  size_t tiles = (size_t) ((h + 3) / 4) * (size_t) ((w + 3) / 4);
  size_t n = wino_need (c, NULL, pref_tiles (c, tiles));
  return n < NS_WORKSPACE_MAX_FLOATS ? n : NS_WORKSPACE_MAX_FLOATS;
}

int
ns_conv_winograd_usable (const NsConvSpec *c, const float *u, int h, int w,
                         const NsWorkspace *ws)
{
  if (!is_wino_shape (c) || h <= 0 || w <= 0)
    return 0;
  /* Measured against im2col (single core, u transformed per call): few
   * channels make the GEMMs too thin, and under ~32 tiles (e.g. 16x16) the
   * per-call filter transform (36*cout*cin floats) costs more than it saves. */
  size_t tiles = (size_t) ((h + 3) / 4) * (size_t) ((w + 3) / 4);
  if (c->cin < 16 || c->cout < 16 || (!u && tiles < MIN_TILES))
    return 0;
  if (!ws)
    return 1;
  return ws->data && ws->floats >= wino_need (c, u, tiles < MIN_TILES ? tiles : MIN_TILES);
}

int
ns_conv_winograd_applicable (const NsConvSpec *c, int h, int w, const NsWorkspace *ws)
{
  return ns_conv_winograd_usable (c, NULL, h, w, ws);
}

/* Split the workspace; returns tiles per chunk (0 if it does not fit). */
static int
layout (const NsConvSpec *c, const float *cached, const NsWorkspace *ws, int tiles,
        const float **u, float **a, float **b, int na, int nb)
{
  if (!ws || !ws->data || ws->floats < wino_need (c, cached, 1))
    return 0;
  float *p = ws->data;
  size_t left = ws->floats;
  if (cached)
    *u = cached;
  else
    {
      ns_conv_winograd_transform_weights (c, p);
      *u = p;
      p += ns_conv_winograd_weight_floats (c);
      left -= ns_conv_winograd_weight_floats (c);
    }
  size_t nt = (left - (size_t) WE * 2 * PAD) / ((size_t) WE * (na + nb));
  size_t pref = pref_tiles (c, (size_t) tiles);
  if (nt > pref)
    nt = pref;
  if (nt > TB)
    nt -= nt % TB;
  *a = p;
  *b = p + (size_t) WE * plane_floats (na, nt);
  return (int) nt;
}

/* V[e][ci][t - t0] = (Bᵀ d_t B)[e] for tiles [t0, t1); plane stride vp. */
static void
input_transform (const float *in, int cin, int h, int w, int tw, int t0, int t1,
                 float *v, size_t vp)
{
  const int nt = t1 - t0, nb = (nt + TB - 1) / TB;
#pragma omp parallel for collapse(2) schedule(static) if ((size_t) WE * cin * nt >= PAR_MIN)
  for (int ci = 0; ci < cin; ci++)
    for (int bk = 0; bk < nb; bk++)
      {
        const float *x = in + (size_t) ci * h * w;
        const int tb = t0 + bk * TB, nk = t1 - tb < TB ? t1 - tb : TB;
        Blk d[WE];
        memset (d, 0, sizeof d);
        for (int k = 0; k < nk; k++)
          {
            const int t = tb + k, y0 = (t / tw) * 4 - 1, x0 = (t % tw) * 4 - 1;
            if (y0 >= 0 && x0 >= 0 && y0 + WT <= h && x0 + WT <= w)
              for (int i = 0; i < WT; i++)
                {
                  const float *row = x + (size_t) (y0 + i) * w + x0;
                  for (int j = 0; j < WT; j++)
                    d[i * WT + j][k] = row[j];
                }
            else
              for (int i = 0; i < WT; i++)
                for (int j = 0; j < WT; j++)
                  {
                    const int yy = y0 + i, xx = x0 + j;
                    if (yy >= 0 && yy < h && xx >= 0 && xx < w)
                      d[i * WT + j][k] = x[(size_t) yy * w + xx];
                  }
          }
        for (int j = 0; j < WT; j++)
          bt6 (d + j, WT);                   /* columns: Bᵀ d   */
        for (int i = 0; i < WT; i++)
          bt6 (d + i * WT, 1);               /* rows:    (·) B  */
        float *dst = v + (size_t) ci * nt + (tb - t0);
        for (int e = 0; e < WE; e++)
          memcpy (dst + e * vp, d[e], (size_t) nk * sizeof (float));
      }
}

/* out tile = Aᵀ M_t A (+ bias, ReLU), clipped to h x w; plane stride mp. */
static void
output_transform (const float *m, int cout, int h, int w, int tw, int t0, int t1,
                  size_t mp, const float *bias, int relu, float *out)
{
  const int nt = t1 - t0, nb = (nt + TB - 1) / TB;
#pragma omp parallel for collapse(2) schedule(static) if ((size_t) WE * cout * nt >= PAR_MIN)
  for (int co = 0; co < cout; co++)
    for (int bk = 0; bk < nb; bk++)
      {
        float *y = out + (size_t) co * h * w;
        const float b = bias ? bias[co] : 0.0f;
        const int tb = t0 + bk * TB, nk = t1 - tb < TB ? t1 - tb : TB;
        const float *src = m + (size_t) co * nt + (tb - t0);
        Blk s[WE], r[4 * WT], o[16];
        memset (s, 0, sizeof s);
        for (int e = 0; e < WE; e++)
          memcpy (s[e], src + e * mp, (size_t) nk * sizeof (float));
        for (int j = 0; j < WT; j++)
          at6 (s + j, WT, r + j, WT);        /* columns: Aᵀ M   */
        for (int i = 0; i < 4; i++)
          at6 (r + i * WT, 1, o + i * 4, 1); /* rows:    (·) A  */
        for (int k = 0; k < nk; k++)
          {
            const int t = tb + k, oy = (t / tw) * 4, ox = (t % tw) * 4;
            const int ny = h - oy < 4 ? h - oy : 4, nx = w - ox < 4 ? w - ox : 4;
            for (int i = 0; i < ny; i++)
              for (int j = 0; j < nx; j++)
                {
                  const float val = o[i * 4 + j][k] + b;
                  y[(size_t) (oy + i) * w + ox + j] = relu && val < 0.0f ? 0.0f : val;
                }
          }
      }
}

int
ns_conv_winograd_forward (const NsConvSpec *c, const float *ucache, const float *in,
                          int h, int w, float *out, int relu, NsWorkspace *ws)
{
  if (!is_wino_shape (c) || h <= 0 || w <= 0)
    return 0;
  const int th = (h + 3) / 4, tw = (w + 3) / 4, tiles = th * tw;
  const float *u;
  float *v, *m;
  const int nt = layout (c, ucache, ws, tiles, &u, &v, &m, c->cin, c->cout);
  if (nt <= 0)
    return 0;
  const size_t uplane = plane_floats (c->cout, (size_t) c->cin);
  for (int t0 = 0; t0 < tiles; t0 += nt)
    {
      const int t1 = t0 + nt < tiles ? t0 + nt : tiles, n = t1 - t0;
      const size_t vp = plane_floats (c->cin, n), mp = plane_floats (c->cout, n);
      input_transform (in, c->cin, h, w, tw, t0, t1, v, vp);
      for (int e = 0; e < WE; e++)          /* M[e] = U[e] · V[e] */
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, c->cout, n, c->cin,
                     1.0f, u + e * uplane, c->cin, v + e * vp, n, 0.0f, m + e * mp, n);
      output_transform (m, c->cout, h, w, tw, t0, t1, mp, c->bias, relu, out);
    }
  return 1;
}

/* Z[e][co][t - t0] = (A dY_t Aᵀ)[e], dY_t the 4x4 tile of dout (0 outside). */
static void
grad_transform (const float *dout, int cout, int h, int w, int tw, int t0, int t1,
                float *z, size_t zp)
{
  const int nt = t1 - t0, nb = (nt + TB - 1) / TB;
#pragma omp parallel for collapse(2) schedule(static) if ((size_t) WE * cout * nt >= PAR_MIN)
  for (int co = 0; co < cout; co++)
    for (int bk = 0; bk < nb; bk++)
      {
        const float *g = dout + (size_t) co * h * w;
        const int tb = t0 + bk * TB, nk = t1 - tb < TB ? t1 - tb : TB;
        Blk y[16], r[WT * 4], s[WE];
        memset (y, 0, sizeof y);
        for (int k = 0; k < nk; k++)
          {
            const int t = tb + k, oy = (t / tw) * 4, ox = (t % tw) * 4;
            const int ny = h - oy < 4 ? h - oy : 4, nx = w - ox < 4 ? w - ox : 4;
            for (int i = 0; i < ny; i++)
              for (int j = 0; j < nx; j++)
                y[i * 4 + j][k] = g[(size_t) (oy + i) * w + ox + j];
          }
        for (int j = 0; j < 4; j++)
          a6 (y + j, 4, r + j, 4);           /* columns: A dY   */
        for (int i = 0; i < WT; i++)
          a6 (r + i * 4, 1, s + i * WT, 1);  /* rows:    (·) Aᵀ */
        float *dst = z + (size_t) co * nt + (tb - t0);
        for (int e = 0; e < WE; e++)
          memcpy (dst + e * zp, s[e], (size_t) nk * sizeof (float));
      }
}

/* din patch_t += B N_t Bᵀ, clipped to the image.  Patches overlap, so each
 * input channel is one thread's, tiles in order (deterministic). */
static void
grad_scatter (const float *nmat, int cin, int h, int w, int tw, int t0, int t1,
              size_t np, float *din)
{
  const int nt = t1 - t0, nb = (nt + TB - 1) / TB;
#pragma omp parallel for schedule(static) if ((size_t) WE * cin * nt >= PAR_MIN)
  for (int ci = 0; ci < cin; ci++)
    {
      float *x = din + (size_t) ci * h * w;
      for (int bk = 0; bk < nb; bk++)
        {
          const int tb = t0 + bk * TB, nk = t1 - tb < TB ? t1 - tb : TB;
          const float *src = nmat + (size_t) ci * nt + (tb - t0);
          Blk d[WE];
          memset (d, 0, sizeof d);
          for (int e = 0; e < WE; e++)
            memcpy (d[e], src + e * np, (size_t) nk * sizeof (float));
          for (int j = 0; j < WT; j++)
            b6 (d + j, WT);                  /* columns: B N    */
          for (int i = 0; i < WT; i++)
            b6 (d + i * WT, 1);              /* rows:    (·) Bᵀ */
          for (int k = 0; k < nk; k++)
            {
              const int t = tb + k, y0 = (t / tw) * 4 - 1, x0 = (t % tw) * 4 - 1;
              const int ia = y0 < 0 ? -y0 : 0, ib = h - y0 < WT ? h - y0 : WT;
              const int ja = x0 < 0 ? -x0 : 0, jb = w - x0 < WT ? w - x0 : WT;
              for (int i = ia; i < ib; i++)
                {
                  float *row = x + (size_t) (y0 + i) * w;
                  for (int j = ja; j < jb; j++)
                    row[x0 + j] += d[i * WT + j][k];
                }
            }
        }
    }
}

int
ns_conv_winograd_backward_input (const NsConvSpec *c, const float *ucache, const float *dout,
                                 int h, int w, float *din, int accumulate, NsWorkspace *ws)
{
  if (!is_wino_shape (c) || h <= 0 || w <= 0)
    return 0;
  const int th = (h + 3) / 4, tw = (w + 3) / 4, tiles = th * tw;
  const float *u;
  float *z, *nm;
  const int nt = layout (c, ucache, ws, tiles, &u, &z, &nm, c->cout, c->cin);
  if (nt <= 0)
    return 0;
  if (!accumulate)
    memset (din, 0, (size_t) c->cin * h * w * sizeof (float));
  const size_t uplane = plane_floats (c->cout, (size_t) c->cin);
  for (int t0 = 0; t0 < tiles; t0 += nt)
    {
      const int t1 = t0 + nt < tiles ? t0 + nt : tiles, n = t1 - t0;
      const size_t zp = plane_floats (c->cout, n), np = plane_floats (c->cin, n);
      grad_transform (dout, c->cout, h, w, tw, t0, t1, z, zp);
      for (int e = 0; e < WE; e++)          /* N[e] = U[e]ᵀ · Z[e] */
        cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, c->cin, n, c->cout,
                     1.0f, u + e * uplane, c->cin, z + e * zp, n, 0.0f, nm + e * np, n);
      grad_scatter (nm, c->cin, h, w, tw, t0, t1, np, din);
    }
  return 1;
}
