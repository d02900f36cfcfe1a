/* test_winograd.c — Winograd F(4x4,3x3) convolution against the plain loops
 * and the im2col path.
 *
 *  - forward (bias, fused ReLU) and input gradient (=, +=) vs the naive
 *    reference, on sizes that are not multiples of 4 (down to 1x1), with the
 *    filter transform cached or done per call, full and tiny workspaces;
 *  - max relative error vs the im2col path on VGG-like layers (printed;
 *    F(4x4) measures ~5e-6, asserted < 1e-4);
 *  - backward vs central differences of L(x) = Σ g·wino(x);
 *  - a too-small workspace is refused (returns 0, output untouched) and the
 *    dispatcher then falls back to im2col;
 *  - results are identical with 1 and with all threads (no racy sums);
 *  - dispatch rules (ns_conv_winograd_applicable).
 */
#include "test_util.h"

#include <omp.h>

#include "conv.h"

#define rnd test_random_array
#define rel_err test_rel_err

static double worst_vs_naive = 0.0;

typedef struct { int cin, cout, h, w; } Shape;

static void
case_vs_naive (const Shape *sh, guint32 seed)
{
  NsConvSpec c = { sh->cin, sh->cout, 3, 3, 1, 1, NULL, NULL };
  const int h = sh->h, w = sh->w;
  const size_t nin = (size_t) sh->cin * h * w, nout = (size_t) sh->cout * h * w;
  float *wt = rnd ((size_t) sh->cout * sh->cin * 9, seed), *bias = rnd (sh->cout, seed + 1);
  float *in = rnd (nin, seed + 2), *g = rnd (nout, seed + 3), *base = rnd (nin, seed + 4);
  c.weight = wt;
  c.bias = bias;
  float *ref = g_new (float, nout), *out = g_new (float, nout), *relu_ref = g_new (float, nout);
  float *dref = g_new (float, nin), *din = g_new (float, nin), *expect = g_new (float, nin);
  ns_conv_forward_naive (&c, in, h, w, ref);
  ns_conv_backward_input_naive (&c, g, h, w, dref);
  for (size_t i = 0; i < nout; i++)
    relu_ref[i] = fmaxf (ref[i], 0.0f);
  for (size_t i = 0; i < nin; i++)
    expect[i] = base[i] + dref[i];

  const size_t ufl = ns_conv_winograd_weight_floats (&c);
  CHECK (ufl >= (size_t) 36 * sh->cin * sh->cout && ufl <= (size_t) 36 * (sh->cin * sh->cout + 64),
         "weight floats %zu", ufl);
  float *u = g_new (float, ufl);
  ns_conv_winograd_transform_weights (&c, u);

  const size_t full = ns_conv_winograd_workspace_floats (&c, h, w);
  const size_t per_tile = (size_t) 36 * (sh->cin + sh->cout);
  /* full; a few tiles per chunk (not a multiple of the 8-tile block); one
   * tile per chunk with the cached filters */
  const struct { size_t floats; int cached; } wss[] = {
    { full, 0 }, { full, 1 }, { ufl + per_tile * 11 + 2048, 0 }, { per_tile + 2048, 1 },
  };
  float *buf = g_new (float, full + ufl + per_tile * 11 + 4096);
  char what[160];
  for (size_t t = 0; t < G_N_ELEMENTS (wss); t++)
    {
      NsWorkspace ws = { buf, wss[t].floats };
      const float *uc = wss[t].cached ? u : NULL;
      g_snprintf (what, sizeof what, "%d->%d %dx%d ws %zu cached %d", sh->cin, sh->cout, h, w,
                  wss[t].floats, wss[t].cached);
      for (size_t i = 0; i < nout; i++)
        out[i] = NAN;
      int ran = ns_conv_winograd_forward (&c, uc, in, h, w, out, 0, &ws);
      CHECK (ran, "%s: forward ran", what);
      double e = rel_err (out, ref, nout);
      worst_vs_naive = fmax (worst_vs_naive, e);
      CHECK (e < 1e-4, "%s: forward rel err %.3g", what, e);

      ns_conv_winograd_forward (&c, uc, in, h, w, out, 1, &ws);
      e = rel_err (out, relu_ref, nout);
      CHECK (e < 1e-4, "%s: forward+relu rel err %.3g", what, e);

      for (size_t i = 0; i < nin; i++)
        din[i] = NAN;
      ran = ns_conv_winograd_backward_input (&c, uc, g, h, w, din, 0, &ws);
      CHECK (ran, "%s: backward ran", what);
      e = rel_err (din, dref, nin);
      worst_vs_naive = fmax (worst_vs_naive, e);
      CHECK (e < 1e-4, "%s: backward rel err %.3g", what, e);

      memcpy (din, base, nin * sizeof (float));
      ns_conv_winograd_backward_input (&c, uc, g, h, w, din, 1, &ws);
      e = rel_err (din, expect, nin);
      CHECK (e < 1e-4, "%s: backward accumulate rel err %.3g", what, e);
    }

  /* too small: refused, output untouched */
  {
    NsWorkspace ws = { buf, per_tile / 2 };
    for (size_t i = 0; i < nout; i++)
      out[i] = 7.0f;
    CHECK (!ns_conv_winograd_forward (&c, u, in, h, w, out, 0, &ws), "tiny ws refused");
    CHECK (!ns_conv_winograd_backward_input (&c, u, g, h, w, din, 0, &ws), "tiny ws refused (bwd)");
    CHECK (out[0] == 7.0f && out[nout - 1] == 7.0f, "refused call left out alone");
    CHECK (!ns_conv_winograd_forward (&c, u, in, h, w, out, 0, NULL), "NULL ws refused");
  }
  g_free (buf); g_free (u);
  g_free (wt); g_free (bias); g_free (in); g_free (g); g_free (base);
  g_free (ref); g_free (out); g_free (relu_ref); g_free (dref); g_free (din); g_free (expect);
}

/* L(x) = Σ g · wino(x) (double) */
static double
functional (const NsConvSpec *c, const float *x, int h, int w, const float *g, float *tmp,
            NsWorkspace *ws)
{
  ns_conv_winograd_forward (c, NULL, x, h, w, tmp, 0, ws);
  double L = 0.0;
  for (size_t i = 0; i < (size_t) c->cout * h * w; i++)
    L += (double) g[i] * tmp[i];
  return L;
}

static void
test_fd (void)
{
  const int cin = 16, cout = 17, h = 7, w = 6;
  NsConvSpec c = { cin, cout, 3, 3, 1, 1, NULL, NULL };
  const size_t nin = (size_t) cin * h * w, nout = (size_t) cout * h * w;
  float *wt = rnd ((size_t) cout * cin * 9, 11), *bias = rnd (cout, 12);
  float *x = rnd (nin, 13), *g = rnd (nout, 14), *tmp = g_new (float, nout), *din = g_new (float, nin);
  c.weight = wt;
  c.bias = bias;
  size_t wsf = ns_conv_winograd_workspace_floats (&c, h, w);
  NsWorkspace ws = { g_new (float, wsf), wsf };
  CHECK (ns_conv_winograd_backward_input (&c, NULL, g, h, w, din, 0, &ws), "fd: backward ran");
  /* linear in x: central differences have no truncation error, only the
   * rounding of the two float convolutions, divided by 2 eps — so a large eps
   * (1e-2 left 2e-3 on AVX-512, at the tolerance) */
  const float eps = 0.25f;
  double worst = 0.0;
  for (size_t i = 0; i < nin; i++)
    {
      const float x0 = x[i];
      x[i] = x0 + eps;
      double lp = functional (&c, x, h, w, g, tmp, &ws);
      x[i] = x0 - eps;
      double lm = functional (&c, x, h, w, g, tmp, &ws);
      x[i] = x0;
      double fd = (lp - lm) / ((double) (x0 + eps) - (double) (x0 - eps));
      worst = fmax (worst, fabs (fd - din[i]) / (1.0 + fabs (fd)));
    }
  printf ("  backward vs central differences: worst rel err %.3g\n", worst);
  CHECK (worst < 2e-3, "winograd backward vs FD: worst rel err %.3g", worst);
  g_free (wt); g_free (bias); g_free (x); g_free (g); g_free (tmp); g_free (din); g_free (ws.data);
}

/* VGG-like layers vs the im2col path; dispatch and thread independence. */
static void
test_vs_im2col (void)
{
  const Shape shapes[] = { { 64, 64, 45, 38 }, { 128, 96, 30, 27 }, { 256, 256, 25, 21 } };
  for (size_t s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      const Shape *sh = &shapes[s];
      const int h = sh->h, w = sh->w;
      NsConvSpec c = { sh->cin, sh->cout, 3, 3, 1, 1, NULL, NULL };
      const size_t nin = (size_t) sh->cin * h * w, nout = (size_t) sh->cout * h * w;
      float *wt = rnd ((size_t) sh->cout * sh->cin * 9, 20 + s), *bias = rnd (sh->cout, 30 + s);
      /* He-style weight scale, like a trained layer */
      for (size_t i = 0; i < (size_t) sh->cout * sh->cin * 9; i++)
        wt[i] *= (float) sqrt (6.0 / (9.0 * sh->cin));
      float *in = rnd (nin, 40 + s), *g = rnd (nout, 50 + s);
      c.weight = wt;
      c.bias = bias;
      size_t wsf = ns_conv_workspace_floats (&c, h, w);
      CHECK (wsf >= ns_conv_winograd_workspace_floats (&c, h, w), "workspace covers Winograd");
      NsWorkspace ws = { g_new (float, wsf), wsf };
      CHECK (ns_conv_winograd_applicable (&c, h, w, &ws), "%d->%d %dx%d: Winograd applies",
             sh->cin, sh->cout, h, w);
      float *o1 = g_new (float, nout), *o2 = g_new (float, nout), *o3 = g_new (float, nout);
      float *d1 = g_new (float, nin), *d2 = g_new (float, nin), *d3 = g_new (float, nin);
      ns_conv_forward_im2col (&c, in, h, w, o1, 0, &ws);
      ns_conv_winograd_forward (&c, NULL, in, h, w, o2, 0, &ws);
      ns_conv_backward_input_im2col (&c, g, h, w, d1, 0, &ws);
      ns_conv_winograd_backward_input (&c, NULL, g, h, w, d2, 0, &ws);
      double ef = rel_err (o2, o1, nout), eb = rel_err (d2, d1, nin);
      printf ("  %3d->%3d %dx%d: max rel err vs im2col: forward %.2e, input grad %.2e\n",
              sh->cin, sh->cout, h, w, ef, eb);
      CHECK (ef < 1e-4 && eb < 1e-4, "vs im2col: %.3g %.3g", ef, eb);

      /* the dispatcher picks Winograd here: bitwise the same result */
      ns_conv_forward (&c, in, h, w, o3, 0, &ws);
      CHECK (memcmp (o3, o2, nout * sizeof (float)) == 0, "dispatch forward uses Winograd");
      ns_conv_backward_input (&c, g, h, w, d3, 0, &ws);
      CHECK (memcmp (d3, d2, nin * sizeof (float)) == 0, "dispatch backward uses Winograd");

      /* cached filters through the dispatchers: same as the Winograd path */
      float *u = g_new (float, ns_conv_winograd_weight_floats (&c));
      ns_conv_winograd_transform_weights (&c, u);
      ns_conv_forward_cached (&c, u, in, h, w, o3, 0, &ws);
      CHECK (memcmp (o3, o2, nout * sizeof (float)) == 0, "cached dispatch forward");
      ns_conv_backward_input_cached (&c, u, g, h, w, d3, 0, &ws);
      CHECK (memcmp (d3, d2, nin * sizeof (float)) == 0, "cached dispatch backward");
      g_free (u);

      /* one thread vs all threads: bitwise identical */
      int nth = omp_get_max_threads ();
      omp_set_num_threads (1);
      ns_conv_winograd_forward (&c, NULL, in, h, w, o3, 0, &ws);
      ns_conv_winograd_backward_input (&c, NULL, g, h, w, d3, 0, &ws);
      omp_set_num_threads (nth);
      CHECK (memcmp (o3, o2, nout * sizeof (float)) == 0, "forward independent of threads");
      CHECK (memcmp (d3, d2, nin * sizeof (float)) == 0, "backward independent of threads");

      /* a workspace too small for Winograd: the dispatcher falls back */
      NsWorkspace small = { ws.data, 1000 };
      CHECK (!ns_conv_winograd_applicable (&c, h, w, &small), "small ws: no Winograd");
      ns_conv_forward (&c, in, h, w, o3, 0, &small);
      CHECK (rel_err (o3, o1, nout) < 1e-5, "fallback forward");
      ns_conv_backward_input (&c, g, h, w, d3, 0, &small);
      CHECK (rel_err (d3, d1, nin) < 1e-5, "fallback backward");

      g_free (wt); g_free (bias); g_free (in); g_free (g); g_free (ws.data);
      g_free (o1); g_free (o2); g_free (o3); g_free (d1); g_free (d2); g_free (d3);
    }
}

static void
test_rules (void)
{
  float wt[1] = { 0 };
  NsConvSpec c = { 64, 64, 3, 3, 1, 1, wt, NULL };
  CHECK (ns_conv_winograd_applicable (&c, 64, 64, NULL), "64->64 3x3 at 64x64");
  CHECK (!ns_conv_winograd_applicable (&c, 16, 16, NULL), "16 tiles: im2col");
  CHECK (ns_conv_winograd_usable (&c, wt, 16, 16, NULL), "16 tiles, cached filters: Winograd");
  NsConvSpec few = { 3, 64, 3, 3, 1, 1, wt, NULL };
  CHECK (!ns_conv_winograd_applicable (&few, 224, 224, NULL), "3 input channels: im2col");
  NsConvSpec s2 = { 64, 64, 3, 3, 2, 1, wt, NULL };
  CHECK (!ns_conv_winograd_applicable (&s2, 64, 64, NULL), "stride 2");
  CHECK (ns_conv_winograd_weight_floats (&s2) == 0, "stride 2: no filter cache");
  NsConvSpec k5 = { 64, 64, 5, 5, 1, 2, wt, NULL };
  CHECK (!ns_conv_winograd_applicable (&k5, 64, 64, NULL), "5x5");
  NsConvSpec p0 = { 64, 64, 3, 3, 1, 0, wt, NULL };
  CHECK (!ns_conv_winograd_applicable (&p0, 64, 64, NULL), "pad 0");
  CHECK (!ns_conv_winograd_forward (&p0, NULL, wt, 64, 64, wt, 0, NULL), "pad 0 refused");
}

int
main (void)
{
  test_begin ("winograd");
  const Shape shapes[] = {
    { 16, 16, 7, 5 }, { 16, 24, 9, 13 }, { 32, 16, 17, 11 }, { 20, 18, 4, 4 },
    { 17, 19, 1, 1 }, { 16, 16, 2, 3 },  { 24, 40, 33, 29 }, { 3, 5, 6, 10 },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (shapes); i++)
    case_vs_naive (&shapes[i], 100 + 10 * (guint32) i);
  printf ("  max rel err vs naive (double) reference: %.2e\n", worst_vs_naive);
  test_fd ();
  test_vs_im2col ();
  test_rules ();
  return test_finish ();
}
