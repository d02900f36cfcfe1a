/* conv_wino_block.h — one block of NT Winograd F(4x4,3x3) tiles, start to
 * finish, for one instruction set.  Included by conv_wino_fused.c once per
 * ISA with WB_SUFFIX (function-name suffix), WB_VBYTES (vector bytes),
 * WB_RB / WB_CB (rows / columns of the GEMM register block) defined, inside
 * a `#pragma GCC target` region; GCC vectorises the loops over the NT tiles
 * and the vector-extension GEMM kernel with that ISA's registers.
 *
 * Math (Lavin & Gray 2016, eq. 8; the same matrices as conv_winograd.c):
 *   V[e][ci][k] = (Bᵀ d B)[e]       d: 6x6 input patch of tile k
 *   M[e][r][k]  = Σ_ci U[e][co][ci] V[e][ci][k]     co = co0 + r
 *   Y_k         = Aᵀ M_k A (+ bias, ReLU, or += into out)
 *
 * Shapes: in [cin][h][w], out [cout][h][w]; tiles numbered t = ty*tw + tx;
 * a block is tiles [t0, t0+nk), nk <= NT.  Packed filters (see
 * conv_wino_fused.c): U[cob][e][ci][MR].  Scratch: V [36][cin][NT],
 * M [36][MR][NT], both 64-byte aligned.
 */

#define WB_CAT2(a, b) a##_##b
#define WB_CAT(a, b)  WB_CAT2 (a, b)
#define WB(name)      WB_CAT (name, WB_SUFFIX)

#define WB_VL (WB_VBYTES / 4)
typedef float WB (vf) __attribute__ ((vector_size (WB_VBYTES), aligned (WB_VBYTES)));

/* M[r][0..NT) = Σ_ci u[ci][r] v[ci][0..NT) for r < MR, register-blocked
 * WB_RB rows x WB_CB columns (WB_CB / WB_VL vectors per row). */
static inline void
WB (gemm) (const float *restrict u, const float *restrict v, int cin, float *restrict m)
{
  enum { NVEC = WB_CB / WB_VL };
  for (int r0 = 0; r0 < MR; r0 += WB_RB)
    for (int c0 = 0; c0 < NT; c0 += WB_CB)
      {
        WB (vf) acc[WB_RB][NVEC];
        for (int r = 0; r < WB_RB; r++)
          for (int j = 0; j < NVEC; j++)
            acc[r][j] = (WB (vf)) { 0 };
        for (int ci = 0; ci < cin; ci++)
          {
            const WB (vf) *vv = (const WB (vf) *) (v + (size_t) ci * NT + c0);
            WB (vf) x[NVEC];
            for (int j = 0; j < NVEC; j++)
              x[j] = vv[j];
            const float *uu = u + (size_t) ci * MR + r0;
            for (int r = 0; r < WB_RB; r++)
              for (int j = 0; j < NVEC; j++)
                acc[r][j] += uu[r] * x[j];
          }
        for (int r = 0; r < WB_RB; r++)
          for (int j = 0; j < NVEC; j++)
            *(WB (vf) *) (m + (size_t) (r0 + r) * NT + c0 + j * WB_VL) = acc[r][j];
      }
}

/* V[e][ci][k] = (Bᵀ d_k B)[e] for the nk tiles of the block (k >= nk: 0). */
static void
WB (input_transform) (const float *in, int cin, int h, int w, int tw, int t0, int nk,
                      float *restrict vbuf)
{
  const int ty0 = t0 / tw, tx0 = t0 % tw;
  /* one tile row, every 6x6 patch inside the image: rows are contiguous */
  const int fast = nk == NT && tx0 + NT <= tw && ty0 * 4 - 1 >= 0 && ty0 * 4 + 5 <= h
                   && tx0 * 4 - 1 >= 0 && (tx0 + NT) * 4 + 1 <= w;
  for (int ci = 0; ci < cin; ci++)
    {
      const float *x = in + (size_t) ci * h * w;
      float d[WE][NT] __attribute__ ((aligned (64)));
      if (fast)
        for (int i = 0; i < WT; i++)
          {
            const float *row = x + (size_t) (ty0 * 4 - 1 + i) * w + tx0 * 4 - 1;
            for (int k = 0; k < NT; k++)
              for (int j = 0; j < WT; j++)
                d[i * WT + j][k] = row[4 * k + j];
          }
      else
        for (int k = 0; k < NT; k++)
          {
            const int t = t0 + k, y0 = (t / tw) * 4 - 1, x0 = (t % tw) * 4 - 1;
            for (int i = 0; i < WT; i++)
              for (int j = 0; j < WT; j++)
                {
                  const int yy = y0 + i, xx = x0 + j;
                  d[i * WT + j][k] = k < nk && yy >= 0 && yy < h && xx >= 0 && xx < w
                                     ? x[(size_t) yy * w + xx] : 0.0f;
                }
          }
      /* Bᵀ = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0;
       *       0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1], applied to the
       * columns (s = WT) then to the rows (s = 1) of d. */
      for (int pass = 0; pass < 2; pass++)
        for (int a = 0; a < WT; a++)
          {
            const int s = pass ? 1 : WT, o = pass ? a * WT : a;
            for (int k = 0; k < NT; k++)
              {
                const float x0 = d[o][k], x1 = d[o + s][k], x2 = d[o + 2 * s][k],
                            x3 = d[o + 3 * s][k], x4 = d[o + 4 * s][k], x5 = d[o + 5 * s][k];
                d[o][k]         = 4.0f * x0 - 5.0f * x2 + x4;
                d[o + s][k]     = -4.0f * (x1 + x2) + x3 + x4;
                d[o + 2 * s][k] = 4.0f * (x1 - x2) - x3 + x4;
                d[o + 3 * s][k] = 2.0f * (x3 - x1) - x2 + x4;
                d[o + 4 * s][k] = 2.0f * (x1 - x3) - x2 + x4;
                d[o + 5 * s][k] = 4.0f * x1 - 5.0f * x3 + x5;
              }
          }
      for (int e = 0; e < WE; e++)
        memcpy (vbuf + ((size_t) e * cin + ci) * NT, d[e], sizeof d[e]);
    }
}

/* out[co0 + r] tile k = Aᵀ M_k A (+ bias, ReLU / += out) for r < nr, k < nk. */
static void
WB (output_transform) (const float *restrict mbuf, int nr, int co0, int h, int w, int tw,
                       int t0, int nk, const float *bias, int relu, int accumulate,
                       float *out)
{
  const int ty0 = t0 / tw, tx0 = t0 % tw;
  const int fast = nk == NT && tx0 + NT <= tw && ty0 * 4 + 4 <= h && (tx0 + NT) * 4 <= w;
  for (int r = 0; r < nr; r++)
    {
      float s[WE][NT] __attribute__ ((aligned (64)));
      float t[4 * WT][NT] __attribute__ ((aligned (64)));
      float o[16][NT] __attribute__ ((aligned (64)));
      for (int e = 0; e < WE; e++)
        memcpy (s[e], mbuf + ((size_t) e * MR + r) * NT, sizeof s[e]);
      /* Aᵀ = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]:
       * t[i][j] = Σ_a Aᵀ[i][a] s[a][j] (columns), o[i][j] = Σ_b t[i][b] Aᵀ[j][b]. */
      for (int pass = 0; pass < 2; pass++)
        for (int a = 0; a < (pass ? 4 : WT); a++)
          {
            const float (*src)[NT] = pass ? t : s;
            float (*dst)[NT] = pass ? o : t;
            const int si = pass ? 1 : WT, so = pass ? 1 : WT;
            const int ib = pass ? a * WT : a, ob = pass ? a * 4 : a;
            for (int k = 0; k < NT; k++)
              {
                const float m0 = src[ib][k], m1 = src[ib + si][k], m2 = src[ib + 2 * si][k],
                            m3 = src[ib + 3 * si][k], m4 = src[ib + 4 * si][k],
                            m5 = src[ib + 5 * si][k];
                dst[ob][k]          = m0 + m1 + m2 + m3 + m4;
                dst[ob + so][k]     = m1 - m2 + 2.0f * (m3 - m4);
                dst[ob + 2 * so][k] = m1 + m2 + 4.0f * (m3 + m4);
                dst[ob + 3 * so][k] = m1 - m2 + 8.0f * (m3 - m4) + m5;
              }
          }
      const int co = co0 + r;
      const float b = bias ? bias[co] : 0.0f;
      float *y = out + (size_t) co * h * w;
      if (fast)
        for (int i = 0; i < 4; i++)
          {
            float *row = y + (size_t) (ty0 * 4 + i) * w + tx0 * 4;
            float tmp[4 * NT] __attribute__ ((aligned (64)));
            for (int k = 0; k < NT; k++)
              for (int j = 0; j < 4; j++)
                tmp[4 * k + j] = o[i * 4 + j][k] + b;
            if (accumulate)
              for (int q = 0; q < 4 * NT; q++)
                row[q] += tmp[q];
            else if (relu)
              for (int q = 0; q < 4 * NT; q++)
                row[q] = tmp[q] > 0.0f ? tmp[q] : 0.0f;
            else
              memcpy (row, tmp, sizeof tmp);
          }
      else
        for (int k = 0; k < nk; k++)
          {
            const int tt = t0 + k, oy = (tt / tw) * 4, ox = (tt % tw) * 4;
            const int ny = h - oy < 4 ? h - oy : 4, nx = w - ox < 4 ? w - ox : 4;
            for (int i = 0; i < ny; i++)
              for (int j = 0; j < nx; j++)
                {
                  float *p = y + (size_t) (oy + i) * w + ox + j;
                  const float val = o[i * 4 + j][k] + b;
                  *p = accumulate ? *p + val : relu && val < 0.0f ? 0.0f : val;
                }
          }
    }
}

/* One block: transform nk tiles from t0, then per group of MR output
 * channels the 36 GEMMs and the output transform. */
static void
WB (block) (const float *u, int cin, int cout, const float *in, int h, int w, int tw,
            int t0, int nk, const float *bias, int relu, int accumulate, float *out,
            float *vbuf, float *mbuf)
{
  WB (input_transform) (in, cin, h, w, tw, t0, nk, vbuf);
  const int ncob = (cout + MR - 1) / MR;
  for (int cob = 0; cob < ncob; cob++)
    {
      const float *ub = u + (size_t) cob * WE * cin * MR;
      for (int e = 0; e < WE; e++)
        WB (gemm) (ub + (size_t) e * cin * MR, vbuf + (size_t) e * cin * NT, cin,
                   mbuf + (size_t) e * MR * NT);
      const int nr = cout - cob * MR < MR ? cout - cob * MR : MR;
      WB (output_transform) (mbuf, nr, cob * MR, h, w, tw, t0, nk, bias, relu, accumulate,
                             out);
    }
}

#undef WB_VL
#undef WB
#undef WB_CAT
#undef WB_CAT2
