/* image_ops.c — layout conversion, separable resampling, colour
 * preservation and the deterministic RNG.
 *
 * Layouts: interleaved [h][w][3] (NsImage), planar [c][h][w] (network input).
 */
#include "image_ops.h"

#include <math.h>
#include <string.h>

/* ------------------------------------------------------------ layouts */

void
ns_interleaved_to_planar (const float *src, int w, int h, float *dst)
{
  const size_t plane = (size_t) w * h;
  for (size_t i = 0; i < plane; i++)
    for (int c = 0; c < 3; c++)
      dst[c * plane + i] = src[3 * i + c];
}

void
ns_planar_to_interleaved (const float *src, int w, int h, float *dst)
{
  const size_t plane = (size_t) w * h;
  for (size_t i = 0; i < plane; i++)
    for (int c = 0; c < 3; c++)
      dst[3 * i + c] = src[c * plane + i];
}

/* ------------------------------------------------------------ resampling */

/* One axis of the separable filter: which source pixels feed output pixel j
 * and with what weight.  Weights are computed on the fly (no tables, no
 * allocation).
 *   same size  identity, weight 1
 *   shrinking  output j covers the source interval [j s, (j+1) s), s = n/m;
 *              source pixel i gets (length of [i,i+1) ∩ that interval) / s
 *              (exact area coverage, weights sum to 1, and every source
 *              pixel contributes 1/s in total, so the mean is preserved)
 *   enlarging  bilinear at u = (j + 0.5) s - 0.5 clamped to [0, n-1]
 *              (pixel centres aligned: PyTorch align_corners=False) */
typedef struct
{
  int    n, m;       /* source and destination length */
  double s;          /* n / m */
} Axis;

static inline Axis
axis_make (int n, int m)
{
  Axis a = { n, m, (double) n / (double) m };
  return a;
}

static inline void
axis_span (const Axis *a, int j, int *i0, int *i1)
{
  if (a->n == a->m)
    {
      *i0 = *i1 = j;
    }
  else if (a->n > a->m)
    {
      double left = j * a->s, right = (j + 1) * a->s;
      *i0 = (int) floor (left);
      *i1 = (int) ceil (right) - 1;
      if (*i1 > a->n - 1)
        *i1 = a->n - 1;
      if (*i1 < *i0)
        *i1 = *i0;
    }
  else
    {
      double u = (j + 0.5) * a->s - 0.5;
      if (u < 0)
        u = 0;
      int k = (int) floor (u);
      if (k >= a->n - 1)
        *i0 = *i1 = a->n - 1;
      else
        *i0 = k, *i1 = k + 1;
    }
}

static inline double
axis_weight (const Axis *a, int j, int i)
{
  if (a->n == a->m)
    return 1.0;
  if (a->n > a->m)
    {
      double left = j * a->s, right = (j + 1) * a->s;
      double ov = fmin (right, i + 1.0) - fmax (left, (double) i);
      return ov > 0 ? ov / a->s : 0.0;
    }
  double u = (j + 0.5) * a->s - 0.5;
  if (u < 0)
    u = 0;
  int k = (int) floor (u);
  if (k >= a->n - 1)
    return 1.0;
  double f = u - k;
  return i == k ? 1.0 - f : f;
}

/* Weight table of one axis: output j reads source pixels first[j] ..
 * first[j]+count[j]-1 with weights w[j*taps + k].  NULL if out of memory. */
typedef struct
{
  int    taps;
  int   *first, *count;
  double *w;
} AxisTable;

static void
table_free (AxisTable *t)
{
  g_clear_pointer (&t->first, g_free);
  g_clear_pointer (&t->count, g_free);
  g_clear_pointer (&t->w, g_free);
}

static gboolean
table_build (const Axis *a, AxisTable *t)
{
  t->taps = a->n == a->m ? 1 : (a->n > a->m ? (int) ceil (a->s) + 2 : 2);
  t->first = g_try_new (int, a->m);
  t->count = g_try_new (int, a->m);
  t->w = g_try_new (double, (gsize) a->m * t->taps);
  if (!t->first || !t->count || !t->w)
    {
      table_free (t);
      return FALSE;
    }
  for (int j = 0; j < a->m; j++)
    {
      int i0, i1;
      axis_span (a, j, &i0, &i1);
      if (i1 - i0 + 1 > t->taps)
        i1 = i0 + t->taps - 1;     /* cannot happen; keeps the table in bounds */
      t->first[j] = i0;
      t->count[j] = i1 - i0 + 1;
      for (int i = i0; i <= i1; i++)
        t->w[(size_t) j * t->taps + (i - i0)] = axis_weight (a, j, i);
    }
  return TRUE;
}

void
ns_resample (const float *src, int c, int w, int h,
             ptrdiff_t scs, ptrdiff_t sys, ptrdiff_t sxs,
             float *dst, int w2, int h2,
             ptrdiff_t dcs, ptrdiff_t dys, ptrdiff_t dxs)
{
  if (c <= 0 || w <= 0 || h <= 0 || w2 <= 0 || h2 <= 0)
    return;
  const Axis ax = axis_make (w, w2), ay = axis_make (h, h2);
  const long rows = (long) c * h2;
  AxisTable tx = { 0 }, ty = { 0 };
  const gboolean tables = table_build (&ax, &tx) && table_build (&ay, &ty);

  /* out[y2][x2] = Σ_y wy(y2,y) Σ_x wx(x2,x) src[y][x]   (double accumulators) */
#pragma omp parallel for schedule(static) if ((size_t) rows * w2 >= 65536)
  for (long r = 0; r < rows; r++)
    {
      const int ch = (int) (r / h2), y2 = (int) (r % h2);
      const float *sp = src + ch * scs;
      float *dp = dst + ch * dcs + y2 * dys;
      if (tables)
        {
          const double *wy = ty.w + (size_t) y2 * ty.taps;
          const int y0 = ty.first[y2], ny = ty.count[y2];
          for (int x2 = 0; x2 < w2; x2++)
            {
              const double *wx = tx.w + (size_t) x2 * tx.taps;
              const int x0 = tx.first[x2], nx = tx.count[x2];
              double acc = 0.0;
              for (int a = 0; a < ny; a++)
                {
                  const float *px = sp + (y0 + a) * sys + x0 * sxs;
                  double racc = 0.0;
                  for (int b = 0; b < nx; b++)
                    racc += wx[b] * px[b * sxs];
                  acc += wy[a] * racc;
                }
              dp[x2 * dxs] = (float) acc;
            }
          continue;
        }
      /* Out of memory for the (small) tables: same weights, computed on
       * the fly. */
      int y0, y1;
      axis_span (&ay, y2, &y0, &y1);
      for (int x2 = 0; x2 < w2; x2++)
        {
          int x0, x1;
          axis_span (&ax, x2, &x0, &x1);
          double acc = 0.0;
          for (int y = y0; y <= y1; y++)
            {
              const float *row = sp + y * sys;
              double racc = 0.0;
              for (int x = x0; x <= x1; x++)
                racc += axis_weight (&ax, x2, x) * row[x * sxs];
              acc += axis_weight (&ay, y2, y) * racc;
            }
          dp[x2 * dxs] = (float) acc;
        }
    }
  table_free (&tx);
  table_free (&ty);
}

void
ns_planar_resize (const float *src, int c, int w, int h, float *dst, int w2, int h2)
{
  if (c <= 0 || w <= 0 || h <= 0 || w2 <= 0 || h2 <= 0)
    return;
  if (w == w2 && h == h2)
    {
      memmove (dst, src, (size_t) c * w * h * sizeof (float));
      return;
    }
  ns_resample (src, c, w, h, (ptrdiff_t) w * h, w, 1,
               dst, w2, h2, (ptrdiff_t) w2 * h2, w2, 1);
}

/* ------------------------------------------------------------ colour */

static inline float
clamp01 (double v)
{
  return v < 0.0 ? 0.0f : (v > 1.0 ? 1.0f : (float) v);
}

/* BT.601 full-range (JFIF) YCbCr:
 *   Y  =  0.299    R + 0.587    G + 0.114    B
 *   Cb = -0.168736 R - 0.331264 G + 0.5      B
 *   Cr =  0.5      R - 0.418688 G - 0.081312 B
 *   R = Y + 1.402 Cr,  G = Y - 0.344136 Cb - 0.714136 Cr,  B = Y + 1.772 Cb
 * (the +0.5 chroma offset cancels and is omitted). */
void
ns_preserve_colors (float *img, const float *content, int w, int h)
{
  if (w <= 0 || h <= 0)
    return;
  const size_t plane = (size_t) w * h;
  float *R = img, *G = img + plane, *B = img + 2 * plane;
  const float *cR = content, *cG = content + plane, *cB = content + 2 * plane;

#pragma omp parallel for schedule(static) if (plane >= 65536)
  for (size_t i = 0; i < plane; i++)
    {
      double y  = 0.299 * R[i] + 0.587 * G[i] + 0.114 * B[i];
      double cb = -0.168736 * cR[i] - 0.331264 * cG[i] + 0.5 * cB[i];
      double cr = 0.5 * cR[i] - 0.418688 * cG[i] - 0.081312 * cB[i];
      R[i] = clamp01 (y + 1.402 * cr);
      G[i] = clamp01 (y - 0.344136 * cb - 0.714136 * cr);
      B[i] = clamp01 (y + 1.772 * cb);
    }
}

/* ------------------------------------------------------------ RNG */

/* splitmix64 (Steele, Lea & Flood 2014) expands the seed into the state. */
static guint64
splitmix64 (guint64 *x)
{
  guint64 z = (*x += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

void
ns_rng_seed (NsRng *r, guint64 seed)
{
  guint64 x = seed;
  for (int i = 0; i < 4; i++)
    r->s[i] = splitmix64 (&x);
}

static inline guint64
rotl (guint64 x, int k)
{
  return (x << k) | (x >> (64 - k));
}

/* xoshiro256** 1.0 (Blackman & Vigna 2018). */
guint64
ns_rng_next (NsRng *r)
{
  guint64 *s = r->s;
  const guint64 result = rotl (s[1] * 5, 7) * 9;
  const guint64 t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

/* Top 53 bits scaled by 2^-53: uniform on [0, 1). */
double
ns_rng_uniform (NsRng *r)
{
  return (double) (ns_rng_next (r) >> 11) * 0x1.0p-53;
}
