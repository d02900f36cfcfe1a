/* conv.c — 2-D convolution forward and input gradient via im2col + sgemm.
 *
 * Shapes (see conv.h):  in [cin][h][w], weight [cout][K] with K = cin*kh*kw,
 * out [cout][N] with N = oh*ow.
 *
 *   forward:   col[K][N]  = im2col(in)           out  = W · col  (+ bias, ReLU)
 *   backward:  dcol[K][N] = Wᵀ · dout            din += col2im(dcol)
 *
 * The col matrix is never materialised whole unless the workspace allows:
 * columns are processed in chunks [c0, c0+nc) with K*nc <= ws->floats.  If
 * even one full column does not fit (ws->floats < K), the K rows are split
 * as well (forward accumulates partial products with beta = 1; backward rows
 * are independent).  With no workspace at all the plain loops are used.
 * 1x1 / stride 1 / pad 0 convs are a direct GEMM on the input.  (3x3 /
 * stride 1 / pad 1 convs in a network run on the fused Winograd path:
 * net/wino.h chooses; this file is the path for every other shape.)
 *
 * Non-GEMM loops are OpenMP-parallel with one writer per output element, so
 * results do not depend on the thread count.
 */
#include "conv.h"
#include "relu.h"

#include <cblas.h>
#include <string.h>

/* Loops touching fewer elements run on one thread: a parallel region costs
 * more than it saves there (and much more on an oversubscribed machine). */
#define PAR_MIN 65536

void
ns_conv_out_size (const NsConvSpec *c, int h, int w, int *oh, int *ow)
{
  int a = 0, b = 0;
  if (c->stride > 0 && h + 2 * c->pad >= c->kh && w + 2 * c->pad >= c->kw)
    {
      a = (h + 2 * c->pad - c->kh) / c->stride + 1;
      b = (w + 2 * c->pad - c->kw) / c->stride + 1;
    }
  *oh = a;
  *ow = b;
}

static int
is_pointwise (const NsConvSpec *c)
{
  return c->kh == 1 && c->kw == 1 && c->stride == 1 && c->pad == 0;
}

static int
shape_ok (const NsConvSpec *c, int h, int w)
{
  return c && c->cin > 0 && c->cout > 0 && c->kh > 0 && c->kw > 0 && c->stride > 0
         && c->pad >= 0 && h > 0 && w > 0;
}

static int
spec_ok (const NsConvSpec *c, int h, int w)
{
  return shape_ok (c, h, w) && c->weight;
}

size_t
ns_conv_workspace_floats (const NsConvSpec *c, int h, int w)
{
  int oh, ow;
  if (!shape_ok (c, h, w) || is_pointwise (c))   /* (a shape query: no weights needed) */
    return 0;
  ns_conv_out_size (c, h, w, &oh, &ow);
  size_t n = (size_t) c->cin * c->kh * c->kw * (size_t) oh * (size_t) ow;
  if (n > NS_WORKSPACE_MAX_FLOATS)
    n = NS_WORKSPACE_MAX_FLOATS;
  return n;
}

/* Floor division for possibly negative numerators (d > 0). */
static inline int
floordiv (int a, int d)
{
  return a >= 0 ? a / d : -((-a + d - 1) / d);
}

/* Output columns ox in [lo, hi) read a valid input column ix = ox*s - p + kx. */
static inline void
valid_range (int kx, int s, int p, int w, int ow, int *lo, int *hi)
{
  int a = -floordiv (-(p - kx), s);            /* ceil((p-kx)/s) */
  int b = floordiv (w - 1 + p - kx, s) + 1;
  *lo = a < 0 ? 0 : (a > ow ? ow : a);
  *hi = b < *lo ? *lo : (b > ow ? ow : b);
}

/* col[k - k0][j - c0] for rows k in [k0,k1), columns j in [c0,c1). */
static void
im2col_chunk (const NsConvSpec *c, const float *in, int h, int w, int ow,
              int k0, int k1, int c0, int c1, float *col)
{
  const int kh = c->kh, kw = c->kw, s = c->stride, p = c->pad;
  const int nc = c1 - c0;
#pragma omp parallel for schedule(static) if ((size_t) (k1 - k0) * nc >= PAR_MIN)
  for (int k = k0; k < k1; k++)
    {
      const int ci = k / (kh * kw), ky = (k / kw) % kh, kx = k % kw;
      const float *src = in + (size_t) ci * h * w;
      float *dst = col + (size_t) (k - k0) * nc;
      int lo, hi;
      valid_range (kx, s, p, w, ow, &lo, &hi);
      for (int j = c0; j < c1;)
        {
          const int oy = j / ow, ox0 = j - oy * ow;
          const int ox1 = ox0 + (c1 - j < ow - ox0 ? c1 - j : ow - ox0);
          const int iy = oy * s - p + ky;
          float *d = dst + (j - c0);            /* d[ox - ox0] is column oy*ow+ox */
          int a = lo < ox1 ? lo : ox1, b = hi < ox1 ? hi : ox1;
          if (a < ox0)
            a = ox0;
          if (b < a)
            b = a;
          if (iy < 0 || iy >= h)
            a = b = ox1;                         /* whole row is padding */
          for (int ox = ox0; ox < a; ox++)
            d[ox - ox0] = 0.0f;
          if (b > a)
            {
              /* input column of ox is ox*s - p + kx (valid for ox in [a,b)) */
              const float *row = src + (size_t) iy * w + (a * s - p + kx);
              if (s == 1)
                memcpy (d + (a - ox0), row, (size_t) (b - a) * sizeof (float));
              else
                for (int ox = a; ox < b; ox++)
                  d[ox - ox0] = row[(ox - a) * s];
            }
          for (int ox = b; ox < ox1; ox++)
            d[ox - ox0] = 0.0f;
          j += ox1 - ox0;
        }
    }
}

/* din[ci] += col2im(dcol) for rows k in [k0,k1), columns [c0,c1).  Parallel
 * over input channels: each channel has exactly one writer. */
static void
col2im_chunk (const NsConvSpec *c, const float *dcol, int h, int w, int ow,
              int k0, int k1, int c0, int c1, float *din)
{
  const int kh = c->kh, kw = c->kw, s = c->stride, p = c->pad, khw = kh * kw;
  const int nc = c1 - c0;
  const int ci0 = k0 / khw, ci1 = (k1 - 1) / khw + 1;
#pragma omp parallel for schedule(static) if ((size_t) (k1 - k0) * nc >= PAR_MIN)
  for (int ci = ci0; ci < ci1; ci++)
    {
      float *dst = din + (size_t) ci * h * w;
      int ka = ci * khw > k0 ? ci * khw : k0;
      int kb = (ci + 1) * khw < k1 ? (ci + 1) * khw : k1;
      for (int k = ka; k < kb; k++)
        {
          const int ky = (k / kw) % kh, kx = k % kw;
          const float *src = dcol + (size_t) (k - k0) * nc;
          int lo, hi;
          valid_range (kx, s, p, w, ow, &lo, &hi);
          for (int j = c0; j < c1;)
            {
              const int oy = j / ow, ox0 = j - oy * ow;
              const int ox1 = ox0 + (c1 - j < ow - ox0 ? c1 - j : ow - ox0);
              const int iy = oy * s - p + ky;
              if (iy >= 0 && iy < h)
                {
                  const float *sv = src + (j - c0);   /* sv[ox - ox0] */
                  int a = ox0 > lo ? ox0 : lo, b = ox1 < hi ? ox1 : hi;
                  if (b > a)
                    {
                      float *row = dst + (size_t) iy * w + (a * s - p + kx);
                      for (int ox = a; ox < b; ox++)
                        row[(ox - a) * s] += sv[ox - ox0];
                    }
                }
              j += ox1 - ox0;
            }
        }
    }
}

/* out[co][c0:c1] += bias[co], then ReLU. */
static void
bias_relu_chunk (const NsConvSpec *c, float *out, size_t n, int c0, int c1, int relu)
{
  if (!c->bias && !relu)
    return;
#pragma omp parallel for schedule(static) if ((size_t) c->cout * (c1 - c0) >= PAR_MIN)
  for (int co = 0; co < c->cout; co++)
    {
      float *o = out + (size_t) co * n;
      const float b = c->bias ? c->bias[co] : 0.0f;
      for (int j = c0; j < c1; j++)
        {
          float v = o[j] + b;
          o[j] = relu && v < 0.0f ? 0.0f : v;
        }
    }
}

/* Chunk sizes: nc columns per chunk, kc rows per K chunk (kc*nc <= floats). */
static void
chunking (size_t floats, int K, int N, int *kc, int *nc)
{
  if (floats >= (size_t) K)
    {
      size_t n = floats / (size_t) K;
      *nc = n < (size_t) N ? (int) n : N;
      *kc = K;
    }
  else
    {
      *nc = 1;
      *kc = (int) floats;
    }
}

void
ns_conv_forward (const NsConvSpec *c, const float *in, int h, int w,
                 float *out, int relu, NsWorkspace *ws)
{
  ns_conv_forward_im2col (c, in, h, w, out, relu, ws);
}

void
ns_conv_backward_input (const NsConvSpec *c, const float *dout, int h, int w,
                        float *din, int accumulate, NsWorkspace *ws)
{
  ns_conv_backward_input_im2col (c, dout, h, w, din, accumulate, ws);
}

void
ns_conv_forward_im2col (const NsConvSpec *c, const float *in, int h, int w,
                        float *out, int relu, NsWorkspace *ws)
{
  int oh, ow;
  if (!spec_ok (c, h, w))
    return;
  ns_conv_out_size (c, h, w, &oh, &ow);
  if (oh <= 0 || ow <= 0)
    return;
  const int K = c->cin * c->kh * c->kw, N = oh * ow;

  if (is_pointwise (c))
    {
      /* out[cout][N] = W[cout][cin] · in[cin][N] */
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, c->cout, N, c->cin,
                   1.0f, c->weight, c->cin, in, N, 0.0f, out, N);
      bias_relu_chunk (c, out, (size_t) N, 0, N, relu);
      return;
    }
  if (!ws || !ws->data || ws->floats == 0)
    {
      ns_conv_forward_naive (c, in, h, w, out);
      if (relu)
        ns_relu_forward (out, (size_t) c->cout * N);
      return;
    }

  int kc, nc;
  chunking (ws->floats, K, N, &kc, &nc);
  for (int c0 = 0; c0 < N; c0 += nc)
    {
      const int c1 = c0 + nc < N ? c0 + nc : N;
      for (int k0 = 0; k0 < K; k0 += kc)
        {
          const int k1 = k0 + kc < K ? k0 + kc : K;
          im2col_chunk (c, in, h, w, ow, k0, k1, c0, c1, ws->data);
          /* out[:, c0:c1] (+)= W[:, k0:k1] · col */
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, c->cout, c1 - c0,
                       k1 - k0, 1.0f, c->weight + k0, K, ws->data, c1 - c0,
                       k0 == 0 ? 0.0f : 1.0f, out + c0, N);
        }
      bias_relu_chunk (c, out, (size_t) N, c0, c1, relu);
    }
}

void
ns_conv_backward_input_im2col (const NsConvSpec *c, const float *dout, int h, int w,
                               float *din, int accumulate, NsWorkspace *ws)
{
  int oh, ow;
  if (!spec_ok (c, h, w))
    return;
  ns_conv_out_size (c, h, w, &oh, &ow);
  const size_t hw = (size_t) h * w;
  if (oh <= 0 || ow <= 0)
    {
      if (!accumulate)
        memset (din, 0, (size_t) c->cin * hw * sizeof (float));
      return;
    }
  const int K = c->cin * c->kh * c->kw, N = oh * ow;

  if (is_pointwise (c))
    {
      /* din[cin][N] (+)= Wᵀ[cin][cout] · dout[cout][N] */
      cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, c->cin, N, c->cout,
                   1.0f, c->weight, c->cin, dout, N, accumulate ? 1.0f : 0.0f, din, N);
      return;
    }
  if (!ws || !ws->data || ws->floats == 0)
    {
      if (!accumulate)
        {
          ns_conv_backward_input_naive (c, dout, h, w, din);
          return;
        }
      /* No scratch to hold the un-accumulated result: scatter directly. */
      for (int co = 0; co < c->cout; co++)
        for (int ci = 0; ci < c->cin; ci++)
          for (int ky = 0; ky < c->kh; ky++)
            for (int kx = 0; kx < c->kw; kx++)
              {
                const float wv = c->weight[(((size_t) co * c->cin + ci) * c->kh + ky) * c->kw + kx];
                for (int oy = 0; oy < oh; oy++)
                  {
                    const int iy = oy * c->stride - c->pad + ky;
                    if (iy < 0 || iy >= h)
                      continue;
                    for (int ox = 0; ox < ow; ox++)
                      {
                        const int ix = ox * c->stride - c->pad + kx;
                        if (ix >= 0 && ix < w)
                          din[ci * hw + (size_t) iy * w + ix] += wv * dout[(size_t) co * N + (size_t) oy * ow + ox];
                      }
                  }
              }
      return;
    }

  if (!accumulate)
    memset (din, 0, (size_t) c->cin * hw * sizeof (float));
  int kc, nc;
  chunking (ws->floats, K, N, &kc, &nc);
  for (int c0 = 0; c0 < N; c0 += nc)
    {
      const int c1 = c0 + nc < N ? c0 + nc : N;
      for (int k0 = 0; k0 < K; k0 += kc)
        {
          const int k1 = k0 + kc < K ? k0 + kc : K;
          /* dcol[k0:k1][c0:c1] = W[:, k0:k1]ᵀ · dout[:, c0:c1] */
          cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, k1 - k0, c1 - c0,
                       c->cout, 1.0f, c->weight + k0, K, dout + c0, N, 0.0f,
                       ws->data, c1 - c0);
          col2im_chunk (c, ws->data, h, w, ow, k0, k1, c0, c1, din);
        }
    }
}

/* ------------------------------------------------------------ reference */

void
ns_conv_forward_naive (const NsConvSpec *c, const float *in, int h, int w, float *out)
{
  int oh, ow;
  if (!spec_ok (c, h, w))
    return;
  ns_conv_out_size (c, h, w, &oh, &ow);
  for (int co = 0; co < c->cout; co++)
    for (int oy = 0; oy < oh; oy++)
      for (int ox = 0; ox < ow; ox++)
        {
          double acc = c->bias ? c->bias[co] : 0.0;
          for (int ci = 0; ci < c->cin; ci++)
            for (int ky = 0; ky < c->kh; ky++)
              for (int kx = 0; kx < c->kw; kx++)
                {
                  const int iy = oy * c->stride - c->pad + ky;
                  const int ix = ox * c->stride - c->pad + kx;
                  if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                    continue;
                  acc += (double) c->weight[(((size_t) co * c->cin + ci) * c->kh + ky) * c->kw + kx]
                         * in[((size_t) ci * h + iy) * w + ix];
                }
          out[((size_t) co * oh + oy) * ow + ox] = (float) acc;
        }
}

void
ns_conv_backward_input_naive (const NsConvSpec *c, const float *dout, int h, int w, float *din)
{
  int oh, ow;
  if (!spec_ok (c, h, w))
    return;
  ns_conv_out_size (c, h, w, &oh, &ow);
  /* Gather form: din[ci][iy][ix] = Σ W[co][ci][ky][kx] · dout[co][oy][ox]
   * over all (co, ky, kx, oy, ox) with oy*s - p + ky = iy, ox*s - p + kx = ix. */
  for (int ci = 0; ci < c->cin; ci++)
    for (int iy = 0; iy < h; iy++)
      for (int ix = 0; ix < w; ix++)
        {
          double acc = 0.0;
          for (int co = 0; co < c->cout; co++)
            for (int ky = 0; ky < c->kh; ky++)
              for (int kx = 0; kx < c->kw; kx++)
                {
                  const int ty = iy + c->pad - ky, tx = ix + c->pad - kx;
                  if (ty < 0 || tx < 0 || ty % c->stride || tx % c->stride)
                    continue;
                  const int oy = ty / c->stride, ox = tx / c->stride;
                  if (oy >= oh || ox >= ow)
                    continue;
                  acc += (double) c->weight[(((size_t) co * c->cin + ci) * c->kh + ky) * c->kw + kx]
                         * dout[((size_t) co * oh + oy) * ow + ox];
                }
          din[((size_t) ci * h + iy) * w + ix] = (float) acc;
        }
}
