/* test_optimizer.c — box-constrained L-BFGS and Adam on standard problems:
 * Rosenbrock (2-D and 100-D), an ill-conditioned quadratic (κ = 1e6),
 * box-constrained quadratics (KKT point), an objective that is NaN in part
 * of the domain, evaluation counting and determinism.
 */
#include "test_util.h"
#include "optimizer.h"

#include <omp.h>

typedef struct
{
  size_t n;
  int    calls;
  /* quadratic 0.5 (x-c)^T A (x-c), A dense [n][n] (NULL = diag a) */
  const double *A, *a, *c;
  double nan_above;      /* x[i] > nan_above for any i -> NaN (if > 0) */
  int    nan_hits;
} Problem;

/* Extended Rosenbrock: Σ_{i<n-1} 100 (x_{i+1} - x_i²)² + (1 - x_i)² */
static double
rosenbrock (const float *xf, float *g, void *ctx)
{
  Problem *p = ctx;
  p->calls++;
  const size_t n = p->n;
  double f = 0.0;
  for (size_t i = 0; i < n; i++)
    g[i] = 0.0f;
  for (size_t i = 0; i < n; i++)
    if (p->nan_above > 0 && xf[i] > p->nan_above)
      {
        p->nan_hits++;
        return NAN;
      }
  double *gd = g_new0 (double, n);
  for (size_t i = 0; i + 1 < n; i++)
    {
      double x = xf[i], y = xf[i + 1];
      double r = y - x * x;
      f += 100.0 * r * r + (1.0 - x) * (1.0 - x);
      gd[i] += -400.0 * r * x - 2.0 * (1.0 - x);
      gd[i + 1] += 200.0 * r;
    }
  for (size_t i = 0; i < n; i++)
    g[i] = (float) gd[i];
  g_free (gd);
  return f;
}

static double
quadratic (const float *xf, float *g, void *ctx)
{
  Problem *p = ctx;
  p->calls++;
  const size_t n = p->n;
  double f = 0.0;
  for (size_t i = 0; i < n; i++)
    {
      double gi = 0.0;
      if (p->A)
        for (size_t j = 0; j < n; j++)
          gi += p->A[i * n + j] * ((double) xf[j] - p->c[j]);
      else
        gi = p->a[i] * ((double) xf[i] - p->c[i]);
      f += 0.5 * ((double) xf[i] - p->c[i]) * gi;
      g[i] = (float) gi;
    }
  return f;
}

static double
always_nan (const float *x, float *g, void *ctx)
{
  Problem *p = ctx;
  p->calls++;
  g[0] = x[0];
  return NAN;
}

/* A = Q D Q^T with D log-spaced in [1, kappa] and Q a product of three
 * random Householder reflections (so the problem is not axis-aligned). */
static double *
ill_conditioned (size_t n, double kappa, guint32 seed)
{
  double *A = g_new0 (double, n * n);
  for (size_t i = 0; i < n; i++)
    A[i * n + i] = pow (kappa, (double) i / (n - 1));
  GRand *r = g_rand_new_with_seed (seed);
  double *v = g_new (double, n), *Av = g_new (double, n);
  for (int h = 0; h < 3; h++)
    {
      double nn = 0.0;
      for (size_t i = 0; i < n; i++)
        v[i] = g_rand_double_range (r, -1, 1), nn += v[i] * v[i];
      for (size_t i = 0; i < n; i++)
        v[i] /= sqrt (nn);
      /* A <- H A H, H = I - 2 v v^T */
      for (int side = 0; side < 2; side++)
        {
          for (size_t j = 0; j < n; j++)
            {
              double s = 0.0;
              for (size_t i = 0; i < n; i++)
                s += v[i] * (side ? A[j * n + i] : A[i * n + j]);
              Av[j] = s;
            }
          for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
              {
                if (side)
                  A[j * n + i] -= 2.0 * Av[j] * v[i];
                else
                  A[i * n + j] -= 2.0 * v[i] * Av[j];
              }
        }
    }
  g_free (v); g_free (Av); g_rand_free (r);
  return A;
}

/* Run L-BFGS until f < target, a non-OK status or max_steps.  Returns steps
 * taken; checks f never increases and n_evals matches the real call count. */
static int
run_lbfgs (NsOptimizer *o, float *x, size_t n, NsObjectiveFunc fn, Problem *p,
           double target, int max_steps, double *f_out, NsStepStatus *st_out)
{
  float *g = g_new (float, n);
  int evals = 0;
  p->calls = 0;
  double f = fn (x, g, p);
  evals++;
  int steps = 0, increased = 0;
  NsStepStatus st = NS_STEP_OK;
  while (steps < max_steps && f >= target)
    {
      double before = f;
      st = ns_optimizer_step (o, x, g, &f, fn, p, &evals);
      if (st != NS_STEP_OK)
        break;
      steps++;
      increased |= !(f <= before);
    }
  CHECK (!increased, "f never increases across accepted steps");
  CHECK (evals == p->calls, "n_evals %d == objective calls %d", evals, p->calls);
  *f_out = f;
  if (st_out)
    *st_out = st;
  g_free (g);
  return steps;
}

static void
test_rosenbrock (size_t n, int max_steps, double nan_above)
{
  float *x = g_new (float, n);
  for (size_t i = 0; i < n; i++)
    x[i] = (i % 2 == 0) ? -1.2f : 1.0f;
  Problem p = { .n = n, .nan_above = nan_above };
  NsOptimizer *o = ns_optimizer_new_lbfgs (n, 10, -10.0f, 10.0f);
  double f;
  int steps = run_lbfgs (o, x, n, rosenbrock, &p, 1e-6, max_steps, &f, NULL);
  printf ("  rosenbrock n=%zu%s: f=%.3g after %d steps, %d evals\n", n,
          nan_above > 0 ? " (NaN region)" : "", f, steps, p.calls);
  CHECK (f < 1e-6, "rosenbrock n=%zu reaches 1e-6 (f=%g, %d steps)", n, f, steps);
  double err = 0.0;
  for (size_t i = 0; i < n; i++)
    err = fmax (err, fabs (x[i] - 1.0));
  CHECK (err < 1e-2, "rosenbrock n=%zu minimiser (1,…,1) (max err %g)", n, err);
  if (nan_above > 0)
    CHECK (p.nan_hits > 0, "the NaN region was actually visited (%d)", p.nan_hits);
  if (n == 2 && nan_above == 0)
    {
      /* keep stepping: must end CONVERGED at the float optimum, not loop */
      NsStepStatus st;
      int more = run_lbfgs (o, x, n, rosenbrock, &p, -1.0, 500, &f, &st);
      printf ("  rosenbrock n=2 continued: f=%.3g, status %d after %d more steps\n", f, st, more);
      CHECK (st == NS_STEP_CONVERGED, "ends CONVERGED (%d)", st);
      CHECK (f < 1e-10, "float-precision optimum (%g)", f);
    }
  ns_optimizer_free (o);
  g_free (x);
}

static void
test_ill_conditioned (void)
{
  const size_t n = 40;
  double *A = ill_conditioned (n, 1e6, 5);
  double c[40];
  for (size_t i = 0; i < n; i++)
    c[i] = 0.3 + 0.01 * i;
  Problem p = { .n = n, .A = A, .c = c };
  float *x = g_new0 (float, n);
  float *g = g_new (float, n);
  double f0 = quadratic (x, g, &p);
  NsOptimizer *o = ns_optimizer_new_lbfgs (n, 10, -100.0f, 100.0f);
  double f;
  NsStepStatus st;
  int steps = run_lbfgs (o, x, n, quadratic, &p, 1e-9 * f0, 2000, &f, &st);
  printf ("  ill-conditioned quadratic: f0=%.3g f=%.3g after %d steps, %d evals (status %d)\n",
          f0, f, steps, p.calls, st);
  CHECK (f < 1e-7 * f0, "kappa=1e6 quadratic converges (f=%g, f0=%g)", f, f0);
  ns_optimizer_free (o);
  g_free (x); g_free (g); g_free (A);
}

static void
test_box (void)
{
  /* separable: optimum clamp(c) */
  const size_t n = 8;
  const double a[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
  const double c[8] = { -0.5, 0.25, 1.7, 0.5, 3.0, -2.0, 0.9, 1.0001 };
  Problem p = { .n = n, .a = a, .c = c };
  float x[8];
  for (size_t i = 0; i < n; i++)
    x[i] = 0.5f;
  NsOptimizer *o = ns_optimizer_new_lbfgs (n, 5, 0.0f, 1.0f);
  double f;
  NsStepStatus st;
  run_lbfgs (o, x, n, quadratic, &p, -1.0, 200, &f, &st);
  CHECK (st == NS_STEP_CONVERGED, "box quadratic ends CONVERGED (%d)", st);
  for (size_t i = 0; i < n; i++)
    {
      double want = fmin (fmax (c[i], 0.0), 1.0);
      CHECK_CLOSE (x[i], want, 0, 1e-5, "box optimum clamp(c)");
      CHECK (x[i] >= 0.0f && x[i] <= 1.0f, "inside box");
    }
  CHECK (x[0] == 0.0f && x[2] == 1.0f && x[4] == 1.0f && x[5] == 0.0f && x[7] == 1.0f,
         "active bounds hit exactly");
  ns_optimizer_free (o);

  /* coupled, ill-conditioned, optimum outside the box: check KKT
   *   lo < x < hi: g ≈ 0;  x = lo: g >= 0;  x = hi: g <= 0. */
  const size_t m = 20;
  double *A = ill_conditioned (m, 1e3, 9);
  double cc[20];
  for (size_t i = 0; i < m; i++)
    cc[i] = (i % 3 == 0) ? 1.5 : (i % 3 == 1 ? -0.7 : 0.4);
  Problem q = { .n = m, .A = A, .c = cc };
  float *y = g_new (float, m), *g = g_new (float, m);
  for (size_t i = 0; i < m; i++)
    y[i] = 0.5f;
  o = ns_optimizer_new_lbfgs (m, 8, 0.0f, 1.0f);
  run_lbfgs (o, y, m, quadratic, &q, -1.0, 2000, &f, &st);
  quadratic (y, g, &q);
  double gscale = 0.0;
  for (size_t i = 0; i < m; i++)
    gscale = fmax (gscale, fabs (cc[i]) * 1e3);
  int at_bound = 0, kkt = 1;
  double worst = 0.0;
  for (size_t i = 0; i < m; i++)
    {
      double viol;
      if (y[i] <= 0.0f)
        viol = fmax (0.0, -g[i]), at_bound++;
      else if (y[i] >= 1.0f)
        viol = fmax (0.0, g[i]), at_bound++;
      else
        viol = fabs (g[i]);
      worst = fmax (worst, viol);
      kkt &= y[i] >= 0.0f && y[i] <= 1.0f;
    }
  printf ("  coupled box quadratic: %d of %zu at a bound, worst KKT violation %.3g\n",
          at_bound, m, worst);
  CHECK (kkt, "coupled box iterate inside the box");
  CHECK (at_bound > 0, "coupled box optimum lies on the boundary");
  CHECK (worst < 1e-4 * gscale, "KKT conditions (worst %g)", worst);
  ns_optimizer_free (o);
  g_free (A); g_free (y); g_free (g);
}

static void
test_nonfinite (void)
{
  /* Objective NaN everywhere: NONFINITE, point restored. */
  Problem p = { .n = 2 };
  float x[2] = { 0.5f, 0.5f }, g[2] = { 1.0f, -1.0f };
  double f = 1.0;
  int evals = 0;
  NsOptimizer *o = ns_optimizer_new_lbfgs (2, 3, 0.0f, 1.0f);
  NsStepStatus st = ns_optimizer_step (o, x, g, &f, always_nan, &p, &evals);
  CHECK (st == NS_STEP_NONFINITE, "all-NaN objective -> NONFINITE (%d)", st);
  CHECK (x[0] == 0.5f && x[1] == 0.5f && g[0] == 1.0f && g[1] == -1.0f && f == 1.0,
         "point restored after failed line search");
  CHECK (evals == p.calls && evals > 0 && evals <= 2 * 20, "evals counted (%d)", evals);
  /* non-finite start */
  f = NAN;
  CHECK (ns_optimizer_step (o, x, g, &f, always_nan, &p, &evals) == NS_STEP_NONFINITE,
         "NaN start -> NONFINITE");
  ns_optimizer_free (o);

  /* Adam: non-finite f reported */
  o = ns_optimizer_new_adam (2, 0.1, 0.9, 0.999, 1e-8, 0.0f, 1.0f);
  f = 1.0;
  g[0] = 1.0f; g[1] = -1.0f;
  evals = 0;
  st = ns_optimizer_step (o, x, g, &f, always_nan, &p, &evals);
  CHECK (st == NS_STEP_NONFINITE && evals == 1, "Adam NaN -> NONFINITE after 1 eval");
  ns_optimizer_free (o);
}

static double
run_adam (size_t n, NsObjectiveFunc fn, Problem *p, float *x, double lr, int steps,
          double *f0)
{
  float *g = g_new (float, n);
  NsOptimizer *o = ns_optimizer_new_adam (n, lr, 0.9, 0.999, 1e-8, -10.0f, 10.0f);
  int evals = 0;
  p->calls = 0;
  double f = fn (x, g, p);
  evals++;
  *f0 = f;
  for (int i = 0; i < steps; i++)
    if (ns_optimizer_step (o, x, g, &f, fn, p, &evals) != NS_STEP_OK)
      break;
  CHECK (evals == p->calls && evals == steps + 1, "Adam: one evaluation per step (%d)", evals);
  ns_optimizer_free (o);
  g_free (g);
  return f;
}

static void
test_adam (void)
{
  float x[2] = { -1.2f, 1.0f };
  Problem p = { .n = 2 };
  double f0, f = run_adam (2, rosenbrock, &p, x, 0.02, 3000, &f0);
  printf ("  adam rosenbrock: %.3g -> %.3g\n", f0, f);
  CHECK (f < 1e-2 * f0, "Adam reduces Rosenbrock 100x (%g -> %g)", f0, f);

  const size_t n = 10;
  double a[10], c[10];
  for (size_t i = 0; i < n; i++)
    a[i] = 1.0 + i, c[i] = 0.1 * i - 0.3;
  Problem q = { .n = n, .a = a, .c = c };
  float y[10];
  for (size_t i = 0; i < n; i++)
    y[i] = 3.0f;
  f = run_adam (n, quadratic, &q, y, 0.05, 1000, &f0);
  printf ("  adam quadratic: %.3g -> %.3g\n", f0, f);
  CHECK (f < 1e-4 * f0, "Adam reduces quadratic 1e4x (%g -> %g)", f0, f);

  /* box respected */
  const double cfar[2] = { 50.0, -50.0 }, a2[2] = { 1, 1 };
  Problem r = { .n = 2, .a = a2, .c = cfar };
  float z[2] = { 0, 0 };
  run_adam (2, quadratic, &r, z, 1.0, 100, &f0);
  CHECK (z[0] == 10.0f && z[1] == -10.0f, "Adam stays in the box (%g, %g)", z[0], z[1]);
}

/* Same run twice (and with 1 vs 4 threads) gives identical bytes; the
 * problem is large enough for the parallel paths. */
static void
lbfgs_trace (size_t n, int threads, float *x, double *fs, int steps)
{
  omp_set_num_threads (threads);
  Problem p = { .n = n };
  for (size_t i = 0; i < n; i++)
    x[i] = (i % 2 == 0) ? -1.2f : 1.0f;
  float *g = g_new (float, n);
  NsOptimizer *o = ns_optimizer_new_lbfgs (n, 5, -10.0f, 10.0f);
  int evals = 0;
  double f = rosenbrock (x, g, &p);
  for (int i = 0; i < steps; i++)
    {
      ns_optimizer_step (o, x, g, &f, rosenbrock, &p, &evals);
      fs[i] = f;
    }
  ns_optimizer_free (o);
  g_free (g);
}

static void
test_determinism (void)
{
  const size_t n = 100000;
  const int steps = 15;
  int saved = omp_get_max_threads ();
  float *x1 = g_new (float, n), *x2 = g_new (float, n), *x3 = g_new (float, n);
  double f1[15], f2[15], f3[15];
  lbfgs_trace (n, saved, x1, f1, steps);
  lbfgs_trace (n, saved, x2, f2, steps);
  lbfgs_trace (n, saved == 1 ? 4 : 1, x3, f3, steps);
  omp_set_num_threads (saved);
  CHECK (memcmp (x1, x2, n * sizeof (float)) == 0 && memcmp (f1, f2, sizeof f1) == 0,
         "L-BFGS: same run twice = identical bytes");
  CHECK (memcmp (x1, x3, n * sizeof (float)) == 0 && memcmp (f1, f3, sizeof f1) == 0,
         "L-BFGS: identical bytes with a different thread count");
  CHECK (f1[steps - 1] < 0.5 * f1[0], "large Rosenbrock progresses (%g -> %g)", f1[0], f1[steps - 1]);
  g_free (x1); g_free (x2); g_free (x3);
}

static void
test_api (void)
{
  CHECK (ns_lbfgs_memory_bytes (1000, 10) >= 2 * 10 * 1000 * sizeof (float),
         "memory bytes cover the history");
  CHECK (ns_lbfgs_memory_bytes (1000, 20) > ns_lbfgs_memory_bytes (1000, 10),
         "memory grows with history");
  CHECK (ns_optimizer_new_lbfgs (0, 5, 0, 1) == NULL, "n = 0 rejected");
  CHECK (ns_optimizer_new_lbfgs (10, 0, 0, 1) == NULL, "history 0 rejected");
  CHECK (ns_optimizer_new_lbfgs (10, 5, 1, 0) == NULL, "empty box rejected");
  CHECK (ns_optimizer_new_adam (10, 0.0, 0.9, 0.999, 1e-8, 0, 1) == NULL, "lr 0 rejected");
  ns_optimizer_free (NULL);

  /* reset: behaves like a fresh optimiser */
  float xa[2] = { -1.2f, 1.0f }, xb[2] = { -1.2f, 1.0f }, g[2];
  Problem p = { .n = 2 };
  NsOptimizer *a = ns_optimizer_new_lbfgs (2, 4, -10, 10);
  NsOptimizer *b = ns_optimizer_new_lbfgs (2, 4, -10, 10);
  int e = 0;
  double f = rosenbrock (xa, g, &p);
  for (int i = 0; i < 5; i++)
    ns_optimizer_step (a, xa, g, &f, rosenbrock, &p, &e);
  ns_optimizer_reset (a);
  xa[0] = -1.2f; xa[1] = 1.0f;
  double fa = rosenbrock (xa, g, &p), fb;
  float gb[2];
  fb = rosenbrock (xb, gb, &p);
  ns_optimizer_step (a, xa, g, &fa, rosenbrock, &p, &e);
  ns_optimizer_step (b, xb, gb, &fb, rosenbrock, &p, &e);
  CHECK (xa[0] == xb[0] && xa[1] == xb[1] && fa == fb, "reset forgets history");
  ns_optimizer_free (a);
  ns_optimizer_free (b);
}

int
main (void)
{
  test_begin ("optimizer");
  test_rosenbrock (2, 200, 0);
  test_rosenbrock (100, 2000, 0);
  test_rosenbrock (2, 300, 1.5);
  test_ill_conditioned ();
  test_box ();
  test_nonfinite ();
  test_adam ();
  test_determinism ();
  test_api ();
  return test_finish ();
}
