/* pool.c — max / average pooling (forward + input gradient).
 *
 * Shapes: in [c][h][w] -> out [c][oh][ow] (PyTorch output-size rule, see
 * pool.h).  Window of output (oy,ox): rows oy*s - p .. oy*s - p + k - 1,
 * clipped to the input; padding never wins a max.  Average pooling uses
 * PyTorch's count_include_pad divisor: the window clipped to the padded
 * input [-p, h+p), i.e. (min(y0+k, h+p) - y0) * (min(x0+k, w+p) - x0).
 * Loops run in parallel over channels (one writer per element).
 */
#include "pool.h"

#include <math.h>
#include <string.h>

/* Loops touching fewer elements run on one thread (region overhead). */
#define PAR_MIN 65536

static int
out_len (const NsPoolSpec *p, int n)
{
  if (p->k <= 0 || p->stride <= 0 || p->pad < 0 || n + 2 * p->pad < p->k)
    return 0;
  const int span = n + 2 * p->pad - p->k;
  int o = (p->ceil_mode ? (span + p->stride - 1) / p->stride : span / p->stride) + 1;
  /* ceil mode: the last window must start inside the input or left padding */
  if (p->ceil_mode && (o - 1) * p->stride >= n + p->pad)
    o--;
  return o;
}

void
ns_pool_out_size (const NsPoolSpec *p, int h, int w, int *oh, int *ow)
{
  *oh = out_len (p, h);
  *ow = out_len (p, w);
}

/* Window bounds of output index o along an axis of length n:
 * [*a, *b) clipped to the input, *cnt = extent inside the padded input. */
static inline void
window (const NsPoolSpec *p, int o, int n, int *a, int *b, int *cnt)
{
  int s = o * p->stride - p->pad;
  int e = s + p->k;
  if (e > n + p->pad)
    e = n + p->pad;
  *cnt = e - s;
  *a = s < 0 ? 0 : s;
  *b = e > n ? n : e;
}

/* Index of the first maximum of window (y0..y1) x (x0..x1) of x, row-major;
 * -1 if empty.  The rule of ns_pool_backward. */
static inline long
first_max (const float *x, int w, int y0, int y1, int x0, int x1)
{
  float best = -INFINITY;
  long arg = -1;
  for (int iy = y0; iy < y1; iy++)
    for (int ix = x0; ix < x1; ix++)
      {
        const long i = (long) iy * w + ix;
        if (arg < 0 || x[i] > best)
          {
            best = x[i];
            arg = i;
          }
      }
  return arg;
}

void
ns_pool_forward (const NsPoolSpec *p, const float *in, int c, int h, int w, float *out)
{
  int oh, ow;
  ns_pool_out_size (p, h, w, &oh, &ow);
  if (c <= 0 || oh <= 0 || ow <= 0)
    return;
#pragma omp parallel for schedule(static) if ((size_t) c * oh * ow * p->k * p->k >= PAR_MIN)
  for (int ch = 0; ch < c; ch++)
    {
      const float *x = in + (size_t) ch * h * w;
      float *y = out + (size_t) ch * oh * ow;
      for (int oy = 0; oy < oh; oy++)
        {
          int y0, y1, ny;
          window (p, oy, h, &y0, &y1, &ny);
          for (int ox = 0; ox < ow; ox++)
            {
              int x0, x1, nx;
              window (p, ox, w, &x0, &x1, &nx);
              float r;
              if (p->type == NS_POOLING_MAX)
                {
                  r = -INFINITY;
                  for (int iy = y0; iy < y1; iy++)
                    for (int ix = x0; ix < x1; ix++)
                      {
                        const float v = x[(size_t) iy * w + ix];
                        if (v > r || isnan (v))     /* NaN propagates, as in PyTorch */
                          r = v;
                      }
                  if (y1 <= y0 || x1 <= x0)
                    r = 0.0f;                    /* empty window (bad spec) */
                }
              else
                {
                  float sum = 0.0f;
                  for (int iy = y0; iy < y1; iy++)
                    for (int ix = x0; ix < x1; ix++)
                      sum += x[(size_t) iy * w + ix];
                  r = ny > 0 && nx > 0 ? sum / (float) (ny * nx) : 0.0f;
                }
              y[(size_t) oy * ow + ox] = r;
            }
        }
    }
}

void
ns_pool_backward (const NsPoolSpec *p, const float *in, const float *out,
                  const float *dout, int c, int h, int w, float *din)
{
  int oh, ow;
  (void) out;   /* the first maximum is recomputed from `in` (same result) */
  if (c <= 0 || h <= 0 || w <= 0)
    return;
  ns_pool_out_size (p, h, w, &oh, &ow);
#pragma omp parallel for schedule(static) if ((size_t) c * h * w >= PAR_MIN)
  for (int ch = 0; ch < c; ch++)
    {
      const float *x = in ? in + (size_t) ch * h * w : NULL;   /* max only */
      const float *dy = dout + (size_t) ch * oh * ow;
      float *dx = din + (size_t) ch * h * w;
      memset (dx, 0, (size_t) h * w * sizeof (float));
      for (int oy = 0; oy < oh; oy++)
        {
          int y0, y1, ny;
          window (p, oy, h, &y0, &y1, &ny);
          for (int ox = 0; ox < ow; ox++)
            {
              int x0, x1, nx;
              window (p, ox, w, &x0, &x1, &nx);
              const float g = dy[(size_t) oy * ow + ox];
              if (p->type == NS_POOLING_MAX)
                {
                  /* route to the first maximum in row-major window order */
                  const long arg = first_max (x, w, y0, y1, x0, x1);
                  if (arg >= 0)
                    dx[arg] += g;
                }
              else if (ny > 0 && nx > 0)
                {
                  const float gs = g / (float) (ny * nx);
                  for (int iy = y0; iy < y1; iy++)
                    for (int ix = x0; ix < x1; ix++)
                      dx[(size_t) iy * w + ix] += gs;
                }
            }
        }
    }
}

/* Four outputs of a 2x2/2 max pool from rows r0, r1 (8 inputs each), four
 * at a time with GCC vector extensions (SSE2 at least): the same rule as
 * the scalar loop below — the first maximum in window order 0..3, and NaN
 * if any input is NaN. */
typedef float v4sf __attribute__ ((vector_size (16)));
typedef int v4si __attribute__ ((vector_size (16)));

static inline v4sf
select4 (v4si m, v4sf a, v4sf b)
{
  return (v4sf) (((v4si) a & m) | ((v4si) b & ~m));
}

static inline void
max4_2x2 (const float *r0, const float *r1, float *y, unsigned char *a)
{
  v4sf p, q, s, t;
  memcpy (&p, r0, sizeof p);
  memcpy (&q, r0 + 4, sizeof q);
  memcpy (&s, r1, sizeof s);
  memcpy (&t, r1 + 4, sizeof t);
  const v4si even = { 0, 2, 4, 6 }, odd = { 1, 3, 5, 7 };
  const v4sf v0 = __builtin_shuffle (p, q, even), v1 = __builtin_shuffle (p, q, odd);
  const v4sf v2 = __builtin_shuffle (s, t, even), v3 = __builtin_shuffle (s, t, odd);
  v4sf best = v0;
  v4si i = { 0, 0, 0, 0 }, m;
  m = v1 > best;
  best = select4 (m, v1, best);
  i = (m & 1) | (i & ~m);
  m = v2 > best;
  best = select4 (m, v2, best);
  i = (m & 2) | (i & ~m);
  m = v3 > best;
  best = select4 (m, v3, best);
  i = (m & 3) | (i & ~m);
  const v4si nan = (v0 != v0) | (v1 != v1) | (v2 != v2) | (v3 != v3);
  const v4sf qnan = { NAN, NAN, NAN, NAN };
  best = select4 (nan, qnan, best);
  memcpy (y, &best, sizeof best);
  for (int k = 0; k < 4; k++)
    a[k] = (unsigned char) i[k];
}

void
ns_pool_forward_arg (const NsPoolSpec *p, const float *in, int c, int h, int w,
                     float *out, unsigned char *arg)
{
  int oh, ow;
  ns_pool_out_size (p, h, w, &oh, &ow);
  if (p->type != NS_POOLING_MAX || !arg)
    {
      ns_pool_forward (p, in, c, h, w, out);
      return;
    }
  if (c <= 0 || oh <= 0 || ow <= 0)
    return;
  if (p->k == 2 && p->stride == 2 && p->pad == 0 && 2 * oh <= h && 2 * ow <= w)
    {
      /* VGG's 2x2/2 windows, all inside: the same rule, branch-free */
#pragma omp parallel for schedule(static) if ((size_t) c * oh * ow * 4 >= PAR_MIN)
      for (int ch = 0; ch < c; ch++)
        for (int oy = 0; oy < oh; oy++)
          {
            const float *r0 = in + ((size_t) ch * h + 2 * oy) * w, *r1 = r0 + w;
            float *y = out + ((size_t) ch * oh + oy) * ow;
            unsigned char *a = arg + ((size_t) ch * oh + oy) * ow;
            int ox = 0;
            for (; ox + 4 <= ow; ox += 4)
              max4_2x2 (r0 + 2 * ox, r1 + 2 * ox, y + ox, a + ox);
            for (; ox < ow; ox++)
              {
                const float v0 = r0[2 * ox], v1 = r0[2 * ox + 1], v2 = r1[2 * ox],
                            v3 = r1[2 * ox + 1];
                float best = v0;
                int i = 0;
                i = v1 > best ? 1 : i;
                best = v1 > best ? v1 : best;
                i = v2 > best ? 2 : i;
                best = v2 > best ? v2 : best;
                i = v3 > best ? 3 : i;
                best = v3 > best ? v3 : best;
                const int nan = isnan (v0) | isnan (v1) | isnan (v2) | isnan (v3);
                y[ox] = nan ? NAN : best;
                a[ox] = (unsigned char) i;
              }
          }
      return;
    }
#pragma omp parallel for schedule(static) if ((size_t) c * oh * ow * p->k * p->k >= PAR_MIN)
  for (int ch = 0; ch < c; ch++)
    {
      const float *x = in + (size_t) ch * h * w;
      float *y = out + (size_t) ch * oh * ow;
      unsigned char *a = arg + (size_t) ch * oh * ow;
      for (int oy = 0; oy < oh; oy++)
        {
          int y0, y1, ny;
          window (p, oy, h, &y0, &y1, &ny);
          const int sy = oy * p->stride - p->pad;
          for (int ox = 0; ox < ow; ox++)
            {
              int x0, x1, nx;
              window (p, ox, w, &x0, &x1, &nx);
              const long i = first_max (x, w, y0, y1, x0, x1);
              const size_t o = (size_t) oy * ow + ox;
              if (i < 0)
                {
                  y[o] = 0.0f;         /* empty window (bad spec) */
                  a[o] = 255;
                }
              else
                {
                  /* NaN anywhere in the window propagates, as in PyTorch */
                  float r = x[i];
                  for (int iy = y0; iy < y1; iy++)
                    for (int ix = x0; ix < x1; ix++)
                      if (isnan (x[(size_t) iy * w + ix]))
                        r = NAN;
                  y[o] = r;
                  const int sx = ox * p->stride - p->pad;
                  a[o] = (unsigned char) ((i / w - sy) * p->k + (i % w - sx));
                }
            }
        }
    }
}

void
ns_pool_backward_arg (const NsPoolSpec *p, const unsigned char *arg, const float *dout,
                      int c, int h, int w, float *din)
{
  int oh, ow;
  if (c <= 0 || h <= 0 || w <= 0)
    return;
  ns_pool_out_size (p, h, w, &oh, &ow);
  if (p->type != NS_POOLING_MAX)
    {
      ns_pool_backward (p, NULL, NULL, dout, c, h, w, din);
      return;
    }
  if (p->k == 2 && p->stride == 2 && p->pad == 0 && 2 * oh <= h && 2 * ow <= w)
    {
      /* VGG's 2x2/2 windows: every input written once (no memset and
       * scatter); 0 + d as the scatter's += gives (-0 becomes +0) */
#pragma omp parallel for schedule(static) if ((size_t) c * h * w >= PAR_MIN)
      for (int ch = 0; ch < c; ch++)
        {
          float *dx = din + (size_t) ch * h * w;
          for (int oy = 0; oy < oh; oy++)
            {
              const float *dy = dout + ((size_t) ch * oh + oy) * ow;
              const unsigned char *a = arg + ((size_t) ch * oh + oy) * ow;
              float *r0 = dx + (size_t) 2 * oy * w, *r1 = r0 + w;
              for (int ox = 0; ox < ow; ox++)
                {
                  const float d = 0.0f + dy[ox];
                  r0[2 * ox] = a[ox] == 0 ? d : 0.0f;
                  r0[2 * ox + 1] = a[ox] == 1 ? d : 0.0f;
                  r1[2 * ox] = a[ox] == 2 ? d : 0.0f;
                  r1[2 * ox + 1] = a[ox] == 3 ? d : 0.0f;
                }
              for (int x = 2 * ow; x < w; x++)     /* an odd last column */
                r0[x] = r1[x] = 0.0f;
            }
          if (2 * oh < h)                          /* an odd last row */
            memset (dx + (size_t) 2 * oh * w, 0, (size_t) (h - 2 * oh) * w * sizeof (float));
        }
      return;
    }
#pragma omp parallel for schedule(static) if ((size_t) c * h * w >= PAR_MIN)
  for (int ch = 0; ch < c; ch++)
    {
      const float *dy = dout + (size_t) ch * oh * ow;
      const unsigned char *a = arg + (size_t) ch * oh * ow;
      float *dx = din + (size_t) ch * h * w;
      memset (dx, 0, (size_t) h * w * sizeof (float));
      for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++)
          {
            const size_t o = (size_t) oy * ow + ox;
            if (a[o] == 255)
              continue;
            const int iy = oy * p->stride - p->pad + a[o] / p->k;
            const int ix = ox * p->stride - p->pad + a[o] % p->k;
            dx[(size_t) iy * w + ix] += dy[o];
          }
    }
}

