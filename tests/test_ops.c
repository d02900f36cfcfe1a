/* test_ops.c — convolution, pooling and ReLU against independent plain
 * loops and finite differences.
 *
 *  conv forward   : im2col/GEMM path vs ns_conv_forward_naive for k 1/3/5,
 *                   stride 1/2, pad 0/1/2, odd sizes; full, tiny and no
 *                   workspace; bias / no bias; fused ReLU.
 *  conv backward  : vs ns_conv_backward_input_naive (=, +=) and vs central
 *                   differences of L(x) = Σ g·conv(x) (double accumulation).
 *  pool           : output sizes (VGG 2x2/2 floor, SqueezeNet / GoogLeNet 3x3/2
 *                   ceil, GoogLeNet's 3x3/1 pad-1 and 7x7 average),
 *                   forward vs a loop written from the PyTorch definition,
 *                   backward vs finite differences, first-max routing.
 *  relu           : forward / backward / NaN.
 */
#include "test_util.h"

#include "conv.h"
#include "pool.h"
#include "relu.h"

static float *
rnd (size_t n, guint32 seed)
{
  float *x = g_new (float, n ? n : 1);
  test_fill_random (x, n, seed, -1.0f, 1.0f);
  return x;
}

/* max |a-b| / (atol + max|b|) style comparison: one CHECK per array. */
static void
check_arrays (const float *a, const float *b, size_t n, double rtol, double atol,
              const char *what)
{
  double scale = 0.0, worst = 0.0;
  size_t at = 0;
  for (size_t i = 0; i < n; i++)
    scale = fmax (scale, fabs (b[i]));
  for (size_t i = 0; i < n; i++)
    {
      double e = fabs ((double) a[i] - b[i]);
      if (!(e <= worst))
        {
          worst = e;
          at = i;
        }
    }
  CHECK (worst <= atol + rtol * scale, "%s: max err %.3g at %zu (%.9g vs %.9g), scale %.3g",
         what, worst, at, n ? a[at] : 0.0, n ? b[at] : 0.0, scale);
}

/* ------------------------------------------------------------------ conv */

typedef struct { int cin, cout, h, w, k, s, p; } Shape;

static void
conv_case (const Shape *sh, guint32 seed, int with_bias)
{
  NsConvSpec c = { sh->cin, sh->cout, sh->k, sh->k, sh->s, sh->p, NULL, NULL };
  int oh, ow;
  ns_conv_out_size (&c, sh->h, sh->w, &oh, &ow);
  CHECK (oh == (sh->h + 2 * sh->p - sh->k) / sh->s + 1
         && ow == (sh->w + 2 * sh->p - sh->k) / sh->s + 1, "out size");
  const size_t K = (size_t) sh->cin * sh->k * sh->k;
  const size_t nin = (size_t) sh->cin * sh->h * sh->w, nout = (size_t) sh->cout * oh * ow;
  float *wt = rnd (K * sh->cout, seed), *bias = rnd (sh->cout, seed + 1);
  float *in = rnd (nin, seed + 2), *dout = rnd (nout, seed + 3);
  c.weight = wt;
  c.bias = with_bias ? bias : NULL;

  float *ref = g_new (float, nout), *out = g_new (float, nout), *relu_ref = g_new (float, nout);
  float *dref = g_new (float, nin), *din = g_new (float, nin), *base = rnd (nin, seed + 4);
  ns_conv_forward_naive (&c, in, sh->h, sh->w, ref);
  ns_conv_backward_input_naive (&c, dout, sh->h, sh->w, dref);

  size_t full = ns_conv_workspace_floats (&c, sh->h, sh->w);
  /* the full im2col size */
  if (!(sh->k == 1 && sh->s == 1 && sh->p == 0))
    CHECK (full == K * oh * ow, "workspace floats %zu", full);
  /* full, a few odd chunk widths, less than one column (K split), none */
  size_t sizes[] = { full, K * 3 + 1, K, K / 2 + 1, 5, 0 };
  float *wsbuf = g_new (float, MAX (full, K * 3 + 1) + 16);
  char what[160];
  for (size_t t = 0; t < G_N_ELEMENTS (sizes); t++)
    {
      NsWorkspace ws = { wsbuf, sizes[t] };
      NsWorkspace *wp = sizes[t] ? &ws : NULL;
      g_snprintf (what, sizeof what, "fwd cin%d cout%d %dx%d k%d s%d p%d ws%zu bias%d",
                  sh->cin, sh->cout, sh->h, sh->w, sh->k, sh->s, sh->p, sizes[t], with_bias);
      for (size_t i = 0; i < nout; i++)
        out[i] = NAN;
      ns_conv_forward (&c, in, sh->h, sh->w, out, 0, wp);
      check_arrays (out, ref, nout, 1e-5, 1e-6, what);

      ns_conv_forward (&c, in, sh->h, sh->w, out, 1, wp);
      int nonneg = 1;
      for (size_t i = 0; i < nout; i++)
        {
          nonneg &= out[i] >= 0.0f;
          relu_ref[i] = fmaxf (ref[i], 0.0f);
        }
      CHECK (nonneg, "%s: fused relu >= 0", what);
      g_strlcat (what, " relu", sizeof what);
      check_arrays (out, relu_ref, nout, 1e-5, 1e-6, what);

      g_snprintf (what, sizeof what, "bwd cin%d cout%d %dx%d k%d s%d p%d ws%zu",
                  sh->cin, sh->cout, sh->h, sh->w, sh->k, sh->s, sh->p, sizes[t]);
      for (size_t i = 0; i < nin; i++)
        din[i] = NAN;
      ns_conv_backward_input (&c, dout, sh->h, sh->w, din, 0, wp);
      check_arrays (din, dref, nin, 1e-5, 1e-6, what);

      /* accumulate: din = base + dL/din */
      float *expect = g_new (float, nin);
      for (size_t i = 0; i < nin; i++)
        {
          din[i] = base[i];
          expect[i] = base[i] + dref[i];
        }
      ns_conv_backward_input (&c, dout, sh->h, sh->w, din, 1, wp);
      g_strlcat (what, " accumulate", sizeof what);
      check_arrays (din, expect, nin, 1e-5, 1e-6, what);
      g_free (expect);
    }
  g_free (wsbuf);
  g_free (wt); g_free (bias); g_free (in); g_free (dout);
  g_free (ref); g_free (out); g_free (relu_ref); g_free (dref); g_free (din); g_free (base);
}

/* L(x) = Σ g · conv_naive(x), accumulated in double. */
static double
conv_functional (const NsConvSpec *c, const float *x, int h, int w, const float *g, float *tmp)
{
  int oh, ow;
  ns_conv_out_size (c, h, w, &oh, &ow);
  ns_conv_forward_naive (c, x, h, w, tmp);
  double L = 0.0;
  for (size_t i = 0; i < (size_t) c->cout * oh * ow; i++)
    L += (double) g[i] * tmp[i];
  return L;
}

/* Central differences of the linear functional vs the fast backward. */
static void
conv_fd_case (const Shape *sh, guint32 seed)
{
  NsConvSpec c = { sh->cin, sh->cout, sh->k, sh->k, sh->s, sh->p, NULL, NULL };
  int oh, ow;
  ns_conv_out_size (&c, sh->h, sh->w, &oh, &ow);
  const size_t K = (size_t) sh->cin * sh->k * sh->k;
  const size_t nin = (size_t) sh->cin * sh->h * sh->w, nout = (size_t) sh->cout * oh * ow;
  float *wt = rnd (K * sh->cout, seed), *bias = rnd (sh->cout, seed + 1);
  float *x = rnd (nin, seed + 2), *g = rnd (nout, seed + 3), *tmp = g_new (float, nout);
  float *din = g_new (float, nin);
  c.weight = wt;
  c.bias = bias;
  size_t wsf = ns_conv_workspace_floats (&c, sh->h, sh->w);
  float *wsbuf = g_new (float, wsf + 1);
  NsWorkspace ws = { wsbuf, wsf };
  ns_conv_backward_input (&c, g, sh->h, sh->w, din, 0, &ws);

  const float eps = 1e-2f;   /* L is linear in x: no truncation error */
  double worst = 0.0;
  for (size_t i = 0; i < nin; i++)
    {
      const float x0 = x[i];
      x[i] = x0 + eps;
      double lp = conv_functional (&c, x, sh->h, sh->w, g, tmp);
      x[i] = x0 - eps;
      double lm = conv_functional (&c, x, sh->h, sh->w, g, tmp);
      x[i] = x0;
      double fd = (lp - lm) / (2.0 * eps);
      worst = fmax (worst, fabs (fd - din[i]) / (1.0 + fabs (fd)));
    }
  CHECK (worst < 2e-3, "conv FD k%d s%d p%d %dx%d: worst rel err %.3g",
         sh->k, sh->s, sh->p, sh->h, sh->w, worst);
  g_free (wt); g_free (bias); g_free (x); g_free (g); g_free (tmp); g_free (din);
  g_free (wsbuf);
}

static void
test_conv (void)
{
  const int ks[] = { 1, 3, 5 }, ss[] = { 1, 2 }, ps[] = { 0, 1, 2 };
  const int hw[][2] = { { 7, 5 }, { 8, 8 }, { 5, 9 }, { 11, 6 } };
  guint32 seed = 100;
  int cases = 0;
  for (size_t a = 0; a < G_N_ELEMENTS (ks); a++)
    for (size_t b = 0; b < G_N_ELEMENTS (ss); b++)
      for (size_t d = 0; d < G_N_ELEMENTS (ps); d++)
        for (size_t e = 0; e < G_N_ELEMENTS (hw); e++)
          {
            Shape sh = { 3, 5, hw[e][0], hw[e][1], ks[a], ss[b], ps[d] };
            if (sh.h + 2 * sh.p < sh.k || sh.w + 2 * sh.p < sh.k)
              continue;
            conv_case (&sh, seed += 10, (int) (e & 1));
            cases++;
          }
  CHECK (cases >= 60, "conv cases run: %d", cases);

  /* VGG-like channel counts (multi-chunk with a half-size workspace) */
  const Shape big[] = { { 16, 32, 19, 13, 3, 1, 1 }, { 64, 64, 33, 30, 3, 1, 1 },
                        { 32, 16, 15, 15, 1, 1, 0 }, { 3, 64, 23, 21, 3, 1, 1 },
                        { 8, 12, 13, 13, 3, 2, 0 } };   /* SqueezeNet conv1 style */
  for (size_t i = 0; i < G_N_ELEMENTS (big); i++)
    conv_case (&big[i], seed += 10, 1);

  const Shape fd[] = { { 3, 5, 7, 5, 3, 1, 1 }, { 3, 5, 7, 5, 3, 2, 0 },
                       { 3, 5, 6, 7, 5, 2, 2 }, { 3, 5, 5, 4, 1, 1, 0 },
                       { 2, 4, 9, 8, 3, 2, 1 } };
  for (size_t i = 0; i < G_N_ELEMENTS (fd); i++)
    conv_fd_case (&fd[i], seed += 10);

  /* naive backward is the adjoint of naive forward: <g, A x> == <Aᵀ g, x> */
  {
    NsConvSpec c = { 4, 6, 3, 3, 2, 1, NULL, NULL };
    const int h = 10, w = 7;
    int oh, ow;
    ns_conv_out_size (&c, h, w, &oh, &ow);
    float *wt = rnd (6 * 4 * 9, 7), *x = rnd (4 * h * w, 8), *g = rnd ((size_t) 6 * oh * ow, 9);
    float *y = g_new (float, 6 * oh * ow), *gx = g_new (float, 4 * h * w);
    c.weight = wt;
    ns_conv_forward_naive (&c, x, h, w, y);
    ns_conv_backward_input_naive (&c, g, h, w, gx);
    double l = 0, r = 0;
    for (int i = 0; i < 6 * oh * ow; i++)
      l += (double) g[i] * y[i];
    for (int i = 0; i < 4 * h * w; i++)
      r += (double) gx[i] * x[i];
    CHECK_CLOSE (l, r, 1e-5, 1e-6, "adjoint identity");
    g_free (wt); g_free (x); g_free (g); g_free (y); g_free (gx);
  }

  /* degenerate: input smaller than the kernel -> empty output, din zeroed */
  {
    float wt[5 * 5] = { 0 }, in[3 * 3], din[3 * 3];
    NsConvSpec c = { 1, 1, 5, 5, 1, 0, wt, NULL };
    int oh, ow;
    ns_conv_out_size (&c, 3, 3, &oh, &ow);
    CHECK (oh == 0 && ow == 0, "empty output %dx%d", oh, ow);
    for (int i = 0; i < 9; i++)
      din[i] = in[i] = 1.0f;
    float ws[4];
    NsWorkspace w = { ws, 4 };
    ns_conv_forward (&c, in, 3, 3, NULL, 1, &w);   /* must not touch out */
    ns_conv_backward_input (&c, NULL, 3, 3, din, 0, &w);
    int zero = 1;
    for (int i = 0; i < 9; i++)
      zero &= din[i] == 0.0f;
    CHECK (zero, "empty conv backward zeroes din");
  }
}

/* ------------------------------------------------------------------ pool */

/* Written directly from the definition: window positions oy*s - p + ky,
 * padding never contributes to max; avg divides by positions < n + p. */
static void
pool_naive (const NsPoolSpec *p, const float *in, int c, int h, int w, float *out)
{
  int oh, ow;
  ns_pool_out_size (p, h, w, &oh, &ow);
  for (int ch = 0; ch < c; ch++)
    for (int oy = 0; oy < oh; oy++)
      for (int ox = 0; ox < ow; ox++)
        {
          double best = -INFINITY, sum = 0.0;
          int count = 0;
          for (int ky = 0; ky < p->k; ky++)
            for (int kx = 0; kx < p->k; kx++)
              {
                int iy = oy * p->stride - p->pad + ky, ix = ox * p->stride - p->pad + kx;
                if (iy < h + p->pad && ix < w + p->pad)
                  count++;
                if (iy < 0 || ix < 0 || iy >= h || ix >= w)
                  continue;
                double v = in[((size_t) ch * h + iy) * w + ix];
                best = fmax (best, v);
                sum += v;
              }
          out[((size_t) ch * oh + oy) * ow + ox] =
            (float) (p->type == NS_POOLING_MAX ? best : sum / count);
        }
}

static double
pool_functional (const NsPoolSpec *p, const float *x, int c, int h, int w,
                 const float *g, float *tmp)
{
  int oh, ow;
  ns_pool_out_size (p, h, w, &oh, &ow);
  ns_pool_forward (p, x, c, h, w, tmp);
  double L = 0.0;
  for (size_t i = 0; i < (size_t) c * oh * ow; i++)
    L += (double) g[i] * tmp[i];
  return L;
}

static void
pool_case (int k, int s, int pad, int ceil_mode, NsPoolingType type, int c, int h, int w,
           guint32 seed)
{
  NsPoolSpec p = { k, s, pad, ceil_mode, type };
  int oh, ow;
  ns_pool_out_size (&p, h, w, &oh, &ow);
  const size_t nin = (size_t) c * h * w, nout = (size_t) c * oh * ow;
  /* distinct values (a shuffled ramp) so max windows have no ties */
  float *x = g_new (float, nin);
  GRand *r = g_rand_new_with_seed (seed);
  for (size_t i = 0; i < nin; i++)
    x[i] = (float) ((double) i / nin * 2.0 - 1.0);
  for (size_t i = nin - 1; i > 0; i--)
    {
      size_t j = (size_t) g_rand_int_range (r, 0, (gint32) i + 1);
      float t = x[i]; x[i] = x[j]; x[j] = t;
    }
  g_rand_free (r);
  float *out = g_new (float, nout), *ref = g_new (float, nout);
  float *g = rnd (nout, seed + 1), *din = g_new (float, nin), *tmp = g_new (float, nout);
  char what[128];
  g_snprintf (what, sizeof what, "pool %s k%d s%d p%d ceil%d %dx%d",
              type == NS_POOLING_MAX ? "max" : "avg", k, s, pad, ceil_mode, h, w);
  ns_pool_forward (&p, x, c, h, w, out);
  pool_naive (&p, x, c, h, w, ref);
  check_arrays (out, ref, nout, 1e-6, 1e-7, what);

  /* the argmax-recording variant: same forward, and its backward (which
   * sees neither in nor out) equals ns_pool_backward bitwise */
  {
    unsigned char *arg = g_new (unsigned char, nout);
    float *out2 = g_new (float, nout), *din2 = g_new (float, nin);
    ns_pool_forward_arg (&p, x, c, h, w, out2, arg);
    CHECK (memcmp (out2, out, nout * sizeof (float)) == 0, "%s: forward_arg output", what);
    ns_pool_backward (&p, x, out, g, c, h, w, din);
    ns_pool_backward_arg (&p, arg, g, c, h, w, din2);
    CHECK (memcmp (din2, din, nin * sizeof (float)) == 0, "%s: backward_arg", what);
    g_free (arg); g_free (out2); g_free (din2);
  }

  for (size_t i = 0; i < nin; i++)
    din[i] = NAN;
  ns_pool_backward (&p, x, out, g, c, h, w, din);
  /* spacing between values is 2/nin; eps well below half of that keeps
   * every max window's argmax fixed (L piecewise linear). */
  const float eps = (float) (0.25 / nin);
  double worst = 0.0;
  for (size_t i = 0; i < nin; i++)
    {
      const float x0 = x[i];
      x[i] = x0 + eps;
      double lp = pool_functional (&p, x, c, h, w, g, tmp);
      x[i] = x0 - eps;
      double lm = pool_functional (&p, x, c, h, w, g, tmp);
      x[i] = x0;
      double fd = (lp - lm) / ((double) (x0 + eps) - (double) (x0 - eps));
      worst = fmax (worst, fabs (fd - din[i]));
    }
  CHECK (worst < 5e-3, "%s backward vs FD: worst abs err %.3g", what, worst);
  g_free (x); g_free (out); g_free (ref); g_free (g); g_free (din); g_free (tmp);
}

static void
test_pool (void)
{
  const struct { int k, s, p, ceil, h, oh; } sizes[] = {
    { 2, 2, 0, 0, 224, 112 }, { 2, 2, 0, 0, 7, 3 }, { 2, 2, 0, 0, 113, 56 },
    { 3, 2, 0, 1, 113, 56 }, { 3, 2, 0, 1, 56, 28 }, { 3, 2, 0, 1, 28, 14 },
    { 3, 2, 0, 1, 111, 55 }, { 3, 2, 0, 1, 14, 7 },  { 3, 2, 0, 0, 56, 27 },
    { 2, 2, 1, 1, 5, 3 },    /* ceil would give 4, but that window starts in the right padding */
    { 3, 2, 1, 0, 8, 4 },    { 3, 1, 1, 0, 6, 6 },
    /* GoogLeNet (Caffe rounds up): pool1 112 -> 56 (floor: 55), branch 3x3/1
     * pad 1 keeps 28, pool5 7x7/1 -> 1 */
    { 3, 2, 0, 1, 112, 56 }, { 3, 2, 0, 0, 112, 55 }, { 3, 1, 1, 1, 28, 28 },
    { 7, 1, 0, 1, 7, 1 },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      NsPoolSpec p = { sizes[i].k, sizes[i].s, sizes[i].p, sizes[i].ceil, NS_POOLING_MAX };
      int oh, ow;
      ns_pool_out_size (&p, sizes[i].h, sizes[i].h + 1, &oh, &ow);
      CHECK (oh == sizes[i].oh, "pool k%d s%d p%d ceil%d: %d -> %d, want %d", sizes[i].k,
             sizes[i].s, sizes[i].p, sizes[i].ceil, sizes[i].h, oh, sizes[i].oh);
    }

  guint32 seed = 500;
  for (int t = 0; t < 2; t++)
    {
      NsPoolingType type = t ? NS_POOLING_AVG : NS_POOLING_MAX;
      pool_case (2, 2, 0, 0, type, 3, 8, 6, seed++);     /* VGG */
      pool_case (2, 2, 0, 0, type, 2, 7, 9, seed++);     /* VGG, odd -> floor */
      pool_case (2, 2, 0, 0, type, 3, 11, 21, seed++);   /* 4-at-a-time + tail, odd */
      pool_case (3, 2, 0, 1, type, 2, 13, 11, seed++);   /* SqueezeNet ceil, odd */
      pool_case (3, 2, 0, 1, type, 2, 14, 12, seed++);   /* ceil, partial last window */
      pool_case (3, 2, 1, 0, type, 2, 9, 8, seed++);     /* padded */
      pool_case (3, 2, 1, 1, type, 2, 10, 7, seed++);    /* padded + ceil */
      pool_case (2, 2, 1, 1, type, 1, 5, 5, seed++);
      pool_case (3, 1, 1, 0, type, 2, 6, 5, seed++);
      pool_case (3, 1, 1, 1, type, 3, 7, 6, seed++);     /* GoogLeNet branch pool */
      pool_case (3, 2, 0, 1, type, 2, 12, 12, seed++);   /* GoogLeNet pool1..4, even */
      pool_case (7, 1, 0, 1, type, 2, 7, 7, seed++);     /* GoogLeNet pool5 */
    }
  /* forward only at real SqueezeNet sizes */
  {
    NsPoolSpec p = { 3, 2, 0, 1, NS_POOLING_MAX };
    const int c = 4, h = 113, w = 57;
    int oh, ow;
    ns_pool_out_size (&p, h, w, &oh, &ow);
    CHECK (oh == 56 && ow == 28, "113x57 -> %dx%d", oh, ow);
    float *x = rnd ((size_t) c * h * w, 42), *o = g_new (float, c * oh * ow),
          *r = g_new (float, c * oh * ow);
    for (int t = 0; t < 2; t++)
      {
        p.type = t ? NS_POOLING_AVG : NS_POOLING_MAX;
        ns_pool_forward (&p, x, c, h, w, o);
        pool_naive (&p, x, c, h, w, r);
        check_arrays (o, r, (size_t) c * oh * ow, 1e-6, 1e-7, "pool 113x57");
      }
    g_free (x); g_free (o); g_free (r);
  }
  /* ties: a constant image routes each window's gradient to its first element */
  {
    NsPoolSpec p = { 2, 2, 0, 0, NS_POOLING_MAX };
    float x[16], dout[4] = { 1, 2, 3, 4 }, out[4], din[16];
    for (int i = 0; i < 16; i++)
      x[i] = 0.5f;
    ns_pool_forward (&p, x, 1, 4, 4, out);
    ns_pool_backward (&p, x, out, dout, 1, 4, 4, din);
    float want[16] = { 1, 0, 2, 0,  0, 0, 0, 0,  3, 0, 4, 0,  0, 0, 0, 0 };
    CHECK (memcmp (din, want, sizeof want) == 0, "max ties go to the first element");
    unsigned char arg[4];
    ns_pool_forward_arg (&p, x, 1, 4, 4, out, arg);
    ns_pool_backward_arg (&p, arg, dout, 1, 4, 4, din);
    CHECK (memcmp (din, want, sizeof want) == 0, "max ties (argmax): first element");
    x[5] = NAN;     /* NaN in window 0 propagates to the output */
    ns_pool_forward_arg (&p, x, 1, 4, 4, out, arg);
    CHECK (isnan (out[0]) && out[1] == 0.5f, "argmax pool propagates NaN");
  }
  /* the same rules on the four-at-a-time path (rows of 18: 2 x 4 outputs
   * vectorised + 1 scalar): ties -> index 0, a later maximum -> its index,
   * NaN -> NaN */
  {
    NsPoolSpec p = { 2, 2, 0, 0, NS_POOLING_MAX };
    float x[2 * 18], out[9];
    unsigned char arg[9];
    for (int i = 0; i < 2 * 18; i++)
      x[i] = 0.5f;
    x[18 + 9] = 2.0f;      /* window 4, bottom right: index 3 */
    x[18 + 12] = 3.0f;     /* window 6, bottom left: index 2 */
    x[3] = 1.0f;           /* window 1, top right: index 1 */
    x[18 + 17] = 4.0f;     /* window 8 (scalar tail): index 3 */
    x[5] = NAN;            /* window 2 */
    ns_pool_forward_arg (&p, x, 1, 2, 18, out, arg);
    const unsigned char want_arg[9] = { 0, 1, 0, 0, 3, 0, 2, 0, 3 };
    const float want_out[9] = { 0.5f, 1.0f, 0.0f, 0.5f, 2.0f, 0.5f, 3.0f, 0.5f, 4.0f };
    gboolean ok = TRUE;
    for (int o = 0; o < 9; o++)
      ok &= (o == 2 ? isnan (out[o]) : out[o] == want_out[o]) && (o == 2 || arg[o] == want_arg[o]);
    CHECK (ok, "2x2 max pool, vectorised path: values, argmax and NaN");
  }
  /* avg divisor with padding: 3x3/1 pad 1 on a 1x1 image of value 9 -> 9/9 = 1
   * (count_include_pad), and 3x3/2 ceil on 4x4 ones: last window 2x2 -> 1. */
  {
    NsPoolSpec p = { 3, 1, 1, 0, NS_POOLING_AVG };
    float x = 9.0f, o = 0.0f;
    ns_pool_forward (&p, &x, 1, 1, 1, &o);
    CHECK_CLOSE (o, 1.0, 1e-6, 0, "avg count_include_pad");
    NsPoolSpec q = { 3, 2, 0, 1, NS_POOLING_AVG };
    float ones[16], o4[4];
    for (int i = 0; i < 16; i++)
      ones[i] = 1.0f;
    ns_pool_forward (&q, ones, 1, 4, 4, o4);
    CHECK (o4[0] == 1.0f && o4[1] == 1.0f && o4[3] == 1.0f, "avg clipped window %g %g %g",
           o4[0], o4[1], o4[3]);
  }
}

/* ------------------------------------------------------------------ relu */

static void
test_relu (void)
{
  float x[6] = { -2.0f, -0.0f, 0.0f, 1e-30f, 3.5f, NAN };
  ns_relu_forward (x, 6);
  CHECK (x[0] == 0.0f && x[1] == 0.0f && x[2] == 0.0f && x[3] == 1e-30f && x[4] == 3.5f,
         "relu forward");
  CHECK (isnan (x[5]), "relu keeps NaN visible");
  float y[5] = { 0.0f, 2.0f, 0.0f, 1e-30f, 7.0f }, d[5] = { 1, 2, 3, 4, 5 };
  ns_relu_backward (y, d, 5);
  CHECK (d[0] == 0 && d[1] == 2 && d[2] == 0 && d[3] == 4 && d[4] == 5, "relu backward");
  /* large array (parallel path) */
  const size_t n = 100003;
  float *a = rnd (n, 3), *b = g_new (float, n);
  memcpy (b, a, n * sizeof (float));
  ns_relu_forward (a, n);
  int ok = 1;
  for (size_t i = 0; i < n; i++)
    ok &= a[i] == (b[i] > 0 ? b[i] : 0.0f);
  CHECK (ok, "relu forward large");
  /* the mask as bits (n not a multiple of 8) gives the same backward */
  const size_t m = 100003;
  float *y2 = rnd (m, 4), *d1 = rnd (m, 5), *d2 = g_new (float, m);
  ns_relu_forward (y2, m);
  y2[7] = 1e-30f;
  memcpy (d2, d1, m * sizeof (float));
  unsigned char *bits = g_new (unsigned char, (m + 7) / 8);
  ns_relu_mask_bits (y2, m, bits);
  ns_relu_backward (y2, d1, m);
  ns_relu_backward_bits (bits, d2, m);
  CHECK (memcmp (d1, d2, m * sizeof (float)) == 0, "relu backward from bits");
  CHECK (d2[7] != 0.0f || d1[7] == 0.0f, "tiny positive passes");
  g_free (y2); g_free (d1); g_free (d2); g_free (bits);
  g_free (a); g_free (b);
}

int
main (void)
{
  test_begin ("ops");
  test_conv ();
  test_pool ();
  test_relu ();
  return test_finish ();
}
