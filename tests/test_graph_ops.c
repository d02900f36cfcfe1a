/* test_graph_ops.c — GoogLeNet's own ops against independent plain loops
 * (double precision, written from the formulas) and central differences of
 * those loops:
 *
 *  lrn            : Caffe's LRN across channels (ops/lrn.h), forward vs the
 *                   loop, backward vs FD of L(x) = Σ g·LRN(x); Caffe's
 *                   parameters on 0..255-scale activations, and strong
 *                   parameters (alpha 2, k 2) where the normalisation
 *                   dominates; channel counts below and above the window;
 *                   += semantics.
 *  inner product  : y = Wx + b, dx += Wᵀdy vs loops and FD.
 *  softmax        : sums to 1, vs the loop, huge logits, backward vs FD.
 * (Ceil-mode and 3x3/1 pad-1 pools are in test_ops.c.)
 */
#include "test_util.h"

#include "classifier.h"
#include "lrn.h"

static float *
rnd (size_t n, guint32 seed, float lo, float hi)
{
  float *x = g_new (float, n);
  test_fill_random (x, n, seed, lo, hi);
  return x;
}

/* ------------------------------------------------------------------ LRN */

/* y_i = x_i (k + alpha/n Σ_{|j-i|<=n/2} x_j²)^-beta, in double */
static void
lrn_ref (const NsLrnSpec *p, const double *x, int c, int hw, double *y)
{
  const int half = (p->size - 1) / 2;
  for (int q = 0; q < hw; q++)
    for (int i = 0; i < c; i++)
      {
        double s = 0;
        for (int j = MAX (0, i - half); j <= MIN (c - 1, i + half); j++)
          s += x[j * hw + q] * x[j * hw + q];
        y[i * hw + q] = x[i * hw + q] * pow (p->k + p->alpha / p->size * s, -p->beta);
      }
}

static double
lrn_functional (const NsLrnSpec *p, const double *x, int c, int hw, const float *g, double *tmp)
{
  lrn_ref (p, x, c, hw, tmp);
  double L = 0;
  for (int i = 0; i < c * hw; i++)
    L += g[i] * tmp[i];
  return L;
}

static void
lrn_case (const NsLrnSpec *p, int c, int hw, float amp, guint32 seed)
{
  const size_t n = (size_t) c * hw;
  float *x = rnd (n, seed, -amp, amp), *g = rnd (n, seed + 1, -1, 1);
  float *y = g_new (float, n), *scale = g_new (float, n), *dx = g_new (float, n);
  double *xd = g_new (double, n), *yd = g_new (double, n);
  for (size_t i = 0; i < n; i++)
    xd[i] = x[i];
  ns_lrn_forward (p, x, c, (size_t) hw, y, scale);
  lrn_ref (p, xd, c, hw, yd);
  double worst = 0;
  for (size_t i = 0; i < n; i++)
    worst = fmax (worst, fabs (y[i] - yd[i]) / (1e-3 + fabs (yd[i])));
  char what[96];
  g_snprintf (what, sizeof what, "lrn n%d a%g b%g k%g c%d hw%d amp%g", p->size, p->alpha,
              p->beta, p->k, c, hw, amp);
  CHECK (worst < 1e-5, "%s: forward rel err %.3g", what, worst);

  /* backward adds: start from 1, subtract afterwards */
  for (size_t i = 0; i < n; i++)
    dx[i] = 1.0f;
  ns_lrn_backward (p, x, y, scale, g, c, (size_t) hw, dx);
  const double eps = 1e-3 * amp;
  double fd_worst = 0, gnorm = 0;
  for (size_t i = 0; i < n; i++)
    gnorm = fmax (gnorm, fabs (dx[i] - 1.0));
  for (size_t i = 0; i < n; i++)
    {
      const double x0 = xd[i];
      xd[i] = x0 + eps;
      const double lp = lrn_functional (p, xd, c, hw, g, yd);
      xd[i] = x0 - eps;
      const double lm = lrn_functional (p, xd, c, hw, g, yd);
      xd[i] = x0;
      const double fd = (lp - lm) / (2 * eps);
      fd_worst = fmax (fd_worst, fabs ((dx[i] - 1.0) - fd) / (1e-3 * gnorm + fabs (fd)));
    }
  CHECK (fd_worst < 1e-3, "%s: backward vs FD rel err %.3g", what, fd_worst);
  g_free (x); g_free (g); g_free (y); g_free (scale); g_free (dx); g_free (xd); g_free (yd);
}

static void
test_lrn (void)
{
  const NsLrnSpec caffe = { 5, 1e-4f, 0.75f, 1.0f }, strong = { 5, 2.0f, 0.75f, 2.0f };
  const NsLrnSpec wide = { 3, 1.0f, 0.5f, 1.0f };
  lrn_case (&caffe, 12, 7, 150.0f, 10);      /* activations on the 0..255 scale */
  lrn_case (&strong, 12, 7, 1.5f, 20);       /* normalisation dominates */
  lrn_case (&strong, 3, 5, 1.5f, 30);        /* fewer channels than the window */
  lrn_case (&wide, 9, 300, 2.0f, 40);        /* more pixels than one block */
  /* no scale requested: same output */
  const int c = 8, hw = 33;
  float *x = rnd ((size_t) c * hw, 50, -3, 3), *y1 = g_new (float, c * hw),
        *y2 = g_new (float, c * hw), *s = g_new (float, c * hw);
  ns_lrn_forward (&strong, x, c, hw, y1, s);
  ns_lrn_forward (&strong, x, c, hw, y2, NULL);
  CHECK (memcmp (y1, y2, sizeof (float) * c * hw) == 0, "lrn without scale");
  g_free (x); g_free (y1); g_free (y2); g_free (s);
}

/* ----------------------------------------------------- inner product */

static void
test_inner_product (void)
{
  const int no = 13, ni = 37;
  float *W = rnd ((size_t) no * ni, 60, -1, 1), *b = rnd (no, 61, -1, 1);
  float *x = rnd (ni, 62, -2, 2), *dy = rnd (no, 63, -1, 1);
  float y[13], dx[37];
  ns_inner_product_forward (W, b, no, ni, x, y);
  double worst = 0;
  for (int o = 0; o < no; o++)
    {
      double r = b[o];
      for (int i = 0; i < ni; i++)
        r += (double) W[o * ni + i] * x[i];
      worst = fmax (worst, fabs (y[o] - r));
    }
  CHECK (worst < 1e-5, "inner product forward: max err %.3g", worst);
  /* L = Σ dy·(Wx+b) is linear in x: dL/dx_i = Σ_o dy_o W_oi exactly */
  for (int i = 0; i < ni; i++)
    dx[i] = 0.5f;
  ns_inner_product_backward (W, no, ni, dy, dx);
  worst = 0;
  for (int i = 0; i < ni; i++)
    {
      double r = 0.5;
      for (int o = 0; o < no; o++)
        r += (double) dy[o] * W[o * ni + i];
      worst = fmax (worst, fabs (dx[i] - r));
    }
  CHECK (worst < 1e-5, "inner product backward (+=): max err %.3g", worst);
  g_free (W); g_free (b); g_free (x); g_free (dy);
}

/* ------------------------------------------------------------ softmax */

static double
softmax_functional (const double *x, int n, const float *g)
{
  double mx = x[0], s = 0, L = 0;
  for (int i = 1; i < n; i++)
    mx = fmax (mx, x[i]);
  for (int i = 0; i < n; i++)
    s += exp (x[i] - mx);
  for (int i = 0; i < n; i++)
    L += g[i] * exp (x[i] - mx) / s;
  return L;
}

static void
test_softmax (void)
{
  const int n = 50;
  float *x = rnd (n, 70, -8, 8), *g = rnd (n, 71, -1, 1), y[50], dx[50];
  double xd[50], sum = 0, worst = 0;
  ns_softmax_forward (x, n, y);
  double mx = -INFINITY, s = 0;
  for (int i = 0; i < n; i++)
    mx = fmax (mx, x[i]);
  for (int i = 0; i < n; i++)
    s += exp ((double) x[i] - mx);
  for (int i = 0; i < n; i++)
    {
      sum += y[i];
      worst = fmax (worst, fabs (y[i] - exp ((double) x[i] - mx) / s));
    }
  CHECK_CLOSE (sum, 1.0, 0, 1e-6, "softmax sums to 1");
  CHECK (worst < 1e-7, "softmax vs loop: %.3g", worst);
  /* huge logits stay finite */
  float big[3] = { 1e4f, 1e4f - 1.0f, -1e4f }, yb[3];
  ns_softmax_forward (big, 3, yb);
  CHECK (isfinite (yb[0]) && fabs (yb[0] + yb[1] + yb[2] - 1.0) < 1e-6 && yb[0] > yb[1],
         "softmax of huge logits: %g %g %g", yb[0], yb[1], yb[2]);
  for (int i = 0; i < n; i++)
    dx[i] = 0.0f, xd[i] = x[i];
  ns_softmax_backward (y, g, n, dx);
  worst = 0;
  for (int i = 0; i < n; i++)
    {
      const double x0 = xd[i], eps = 1e-4;
      xd[i] = x0 + eps;
      const double lp = softmax_functional (xd, n, g);
      xd[i] = x0 - eps;
      const double lm = softmax_functional (xd, n, g);
      xd[i] = x0;
      worst = fmax (worst, fabs (dx[i] - (lp - lm) / (2 * eps)));
    }
  CHECK (worst < 1e-5, "softmax backward vs FD: max err %.3g", worst);
  g_free (x); g_free (g);
}

int
main (void)
{
  test_begin ("graph_ops");
  test_lrn ();
  test_inner_product ();
  test_softmax ();
  return test_finish ();
}
