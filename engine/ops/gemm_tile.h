/* gemm_tile.h — one 8 x 32 GEMM tile in GCC vector extensions, compiled
 * once per instruction set through per_isa.h (which sets WB_SUFFIX,
 * WB_VBYTES, WB_RB, WB_CB).  May be included several times in one file.
 *
 *   acc[r][j] = Σ_{k<K} u[k*ldu + r] · v[k*ldv + j]      r < 8, j < 32
 *   m[r*ldm + j] = acc  (accumulate: m += alpha · acc)
 *
 * Each step of k broadcasts 8 u values against 32 v values: with AVX-512
 * one 8 x 2-vector register block (16 accumulators) covers the tile.
 */
#undef WB_CAT2
#undef WB_CAT
#undef WB
#undef WB_VL
#define WB_CAT2(a, b) a##_##b
#define WB_CAT(a, b)  WB_CAT2 (a, b)
#define WB(name)      WB_CAT (name, WB_SUFFIX)
#define WB_VL (WB_VBYTES / 4)

typedef float WB (vf) __attribute__ ((vector_size (WB_VBYTES), aligned (WB_VBYTES)));

static inline WB (vf)
WB (ldu) (const float *p)
{
  WB (vf) v;
  memcpy (&v, p, sizeof v);
  return v;
}

static inline void
WB (tile) (const float *restrict u, size_t ldu, const float *restrict v, size_t ldv, int K,
           float *restrict m, size_t ldm, int accumulate, float alpha)
{
  enum { NVEC = WB_CB / WB_VL };
  for (int r0 = 0; r0 < 8; r0 += WB_RB)
    for (int c0 = 0; c0 < 32; c0 += WB_CB)
      {
        WB (vf) acc[WB_RB][NVEC];
        for (int r = 0; r < WB_RB; r++)
          for (int j = 0; j < NVEC; j++)
            acc[r][j] = (WB (vf)) { 0 };
        for (int k = 0; k < K; k++)
          {
            WB (vf) x[NVEC];
            for (int j = 0; j < NVEC; j++)
              x[j] = WB (ldu) (v + (size_t) k * ldv + c0 + j * WB_VL);
            const float *uu = u + (size_t) k * ldu + r0;
            for (int r = 0; r < WB_RB; r++)
              for (int j = 0; j < NVEC; j++)
                acc[r][j] += uu[r] * x[j];
          }
        for (int r = 0; r < WB_RB; r++)
          for (int j = 0; j < NVEC; j++)
            {
              float *dst = m + (size_t) (r0 + r) * ldm + c0 + j * WB_VL;
              WB (vf) o = acc[r][j];
              if (accumulate)
                o = WB (ldu) (dst) + alpha * o;
              memcpy (dst, &o, sizeof o);
            }
      }
}
