/* optimizer.c — box-constrained L-BFGS and Adam, one accepted step per call.
 *
 * State (n variables, m = history):
 *   L-BFGS  S, Y  [m][n]  correction pairs (ring buffer, allocated once)
 *           d, x0, g0 [n] search direction, start point and its gradient
 *   Adam    mom, vel [n]  first / second moment estimates
 * All vectors are float; every dot product is a fixed-block sum
 * (fixed_sum.h), so results do not depend on the thread count.
 */
#include "optimizer.h"
#include "fixed_sum.h"

#include <glib.h>
#include <math.h>
#include <string.h>

/* Armijo constant and line-search budget. */
#define LS_C1        1e-4
#define LS_MAX_EVALS 20
/* First step (and after a reset): max|d| = FIRST_STEP_FRAC * (hi - lo).
 * A tenth of the box moves every variable by a visible but modest amount
 * (for images in 0..1: 0.1, i.e. ~25 grey levels at most); the line search
 * only shrinks from there, so this bounds the damage of a first step taken
 * without curvature information. */
#define FIRST_STEP_FRAC 0.1
/* Pair acceptance: s^T y > CURV_EPS * |s| |y| (else the pair is skipped). */
#define CURV_EPS     1e-10

typedef enum { OPT_LBFGS, OPT_ADAM } OptKind;

struct NsOptimizer
{
  OptKind kind;
  size_t  n;
  float   lo, hi;

  /* L-BFGS */
  int     m;          /* capacity */
  int     count;      /* stored pairs */
  int     head;       /* index of the next slot to write */
  float  *S, *Y;      /* [m][n] */
  double *rho;        /* [m]  1 / (s^T y) */
  double *alpha;      /* [m]  two-loop scratch */
  float  *d, *x0, *g0;

  /* Adam */
  double  lr, beta1, beta2, eps;
  long    t;
  float  *mom, *vel;
};

/* ------------------------------------------------------------ vector helpers */

static double
dot (const float *a, const float *b, size_t n)
{
  double part[NS_SUM_BLOCKS];
#pragma omp parallel for schedule(static) if (n >= NS_PAR_MIN)
  for (int k = 0; k < NS_SUM_BLOCKS; k++)
    {
      double s = 0.0;
      for (size_t i = NS_BLOCK_LO (n, k); i < NS_BLOCK_LO (n, k + 1); i++)
        s += (double) a[i] * b[i];
      part[k] = s;
    }
  return ns_sum_blocks (part);
}

/* y += a x */
static void
axpy (float *y, double a, const float *x, size_t n)
{
  const float af = (float) a;
#pragma omp parallel for schedule(static) if (n >= NS_PAR_MIN)
  for (size_t i = 0; i < n; i++)
    y[i] += af * x[i];
}

static void
scal (float *x, double a, size_t n)
{
  const float af = (float) a;
#pragma omp parallel for schedule(static) if (n >= NS_PAR_MIN)
  for (size_t i = 0; i < n; i++)
    x[i] *= af;
}

static inline float
clampf (float v, float lo, float hi)
{
  return v < lo ? lo : (v > hi ? hi : v);
}

/* ------------------------------------------------------------ construction */

size_t
ns_lbfgs_memory_bytes (size_t n, int history)
{
  if (history < 1)
    history = 1;
  return sizeof (NsOptimizer)
       + ((size_t) 2 * history + 3) * n * sizeof (float)
       + (size_t) 2 * history * sizeof (double);
}

NsOptimizer *
ns_optimizer_new_lbfgs (size_t n, int history, float lo, float hi)
{
  if (n == 0 || history < 1 || !(lo < hi))
    return NULL;
  if ((size_t) history > G_MAXSIZE / 2 / sizeof (float) / n)
    return NULL;
  NsOptimizer *o = g_try_new0 (NsOptimizer, 1);
  if (!o)
    return NULL;
  o->kind = OPT_LBFGS;
  o->n = n;
  o->lo = lo;
  o->hi = hi;
  o->m = history;
  o->S = g_try_malloc ((size_t) history * n * sizeof (float));
  o->Y = g_try_malloc ((size_t) history * n * sizeof (float));
  o->rho = g_try_new0 (double, history);
  o->alpha = g_try_new0 (double, history);
  o->d = g_try_new (float, n);
  o->x0 = g_try_new (float, n);
  o->g0 = g_try_new (float, n);
  if (!o->S || !o->Y || !o->rho || !o->alpha || !o->d || !o->x0 || !o->g0)
    {
      ns_optimizer_free (o);
      return NULL;
    }
  return o;
}

NsOptimizer *
ns_optimizer_new_adam (size_t n, double lr, double beta1, double beta2,
                       double eps, float lo, float hi)
{
  if (n == 0 || !(lo < hi) || !(lr > 0) || !(beta1 >= 0 && beta1 < 1)
      || !(beta2 >= 0 && beta2 < 1) || !(eps >= 0))
    return NULL;
  NsOptimizer *o = g_try_new0 (NsOptimizer, 1);
  if (!o)
    return NULL;
  o->kind = OPT_ADAM;
  o->n = n;
  o->lo = lo;
  o->hi = hi;
  o->lr = lr;
  o->beta1 = beta1;
  o->beta2 = beta2;
  o->eps = eps;
  o->mom = g_try_new0 (float, n);
  o->vel = g_try_new0 (float, n);
  if (!o->mom || !o->vel)
    {
      ns_optimizer_free (o);
      return NULL;
    }
  return o;
}

void
ns_optimizer_free (NsOptimizer *o)
{
  if (!o)
    return;
  g_free (o->S);
  g_free (o->Y);
  g_free (o->rho);
  g_free (o->alpha);
  g_free (o->d);
  g_free (o->x0);
  g_free (o->g0);
  g_free (o->mom);
  g_free (o->vel);
  g_free (o);
}

void
ns_optimizer_reset (NsOptimizer *o)
{
  if (!o)
    return;
  o->count = 0;
  o->head = 0;
  o->t = 0;
  if (o->mom)
    memset (o->mom, 0, o->n * sizeof (float));
  if (o->vel)
    memset (o->vel, 0, o->n * sizeof (float));
}

/* ------------------------------------------------------------ L-BFGS */

/* Variable i is "active" when it sits on a bound and the gradient pushes it
 * further out: it cannot move, so it is left out of the direction. */
static inline int
is_active (float x, float g, float lo, float hi)
{
  return (x <= lo && g > 0) || (x >= hi && g < 0);
}

/* d = -H q by the two-loop recursion (Nocedal & Wright, Alg. 7.4), where q
 * is g with active variables zeroed, H0 = γI, γ = s^T y / y^T y of the
 * newest pair.  Without pairs d = -q. */
static void
lbfgs_direction (NsOptimizer *o, const float *x, const float *g)
{
  const size_t n = o->n;
  float *d = o->d;
  for (size_t i = 0; i < n; i++)
    d[i] = is_active (x[i], g[i], o->lo, o->hi) ? 0.0f : g[i];

  const int k = o->count;
  for (int j = 0; j < k; j++)               /* newest -> oldest */
    {
      int slot = (o->head - 1 - j + o->m) % o->m;
      const float *s = o->S + (size_t) slot * n, *y = o->Y + (size_t) slot * n;
      o->alpha[slot] = o->rho[slot] * dot (s, d, n);
      axpy (d, -o->alpha[slot], y, n);
    }
  if (k > 0)
    {
      int newest = (o->head - 1 + o->m) % o->m;
      const float *y = o->Y + (size_t) newest * n;
      double yy = dot (y, y, n);
      scal (d, 1.0 / (o->rho[newest] * yy), n);   /* γ = s^T y / y^T y */
    }
  for (int j = k - 1; j >= 0; j--)          /* oldest -> newest */
    {
      int slot = (o->head - 1 - j + o->m) % o->m;
      const float *s = o->S + (size_t) slot * n, *y = o->Y + (size_t) slot * n;
      double b = o->rho[slot] * dot (y, d, n);
      axpy (d, o->alpha[slot] - b, s, n);
    }
  for (size_t i = 0; i < n; i++)
    d[i] = is_active (x[i], g[i], o->lo, o->hi) ? 0.0f : -d[i];
}

/* d = -q scaled so that max|d| = FIRST_STEP_FRAC * (hi - lo). */
static void
steepest_direction (NsOptimizer *o, const float *x, const float *g)
{
  double mx = 0.0;
  for (size_t i = 0; i < o->n; i++)
    {
      o->d[i] = is_active (x[i], g[i], o->lo, o->hi) ? 0.0f : -g[i];
      mx = fmax (mx, fabs (o->d[i]));
    }
  if (mx > 0 && isfinite (mx))
    scal (o->d, FIRST_STEP_FRAC * ((double) o->hi - o->lo) / mx, o->n);
}

typedef enum { LS_OK, LS_FAIL, LS_NONFINITE } LsResult;

/* Projected backtracking line search along o->d from (x0, f0, g0).
 * x(t) = clamp(x0 + t d); accept when f(x(t)) <= f0 + c1 g0^T (x(t) - x0)
 * and f(x(t)) < f0.  On success x, g, *f hold the new point; otherwise x and
 * g are restored. */
static LsResult
line_search (NsOptimizer *o, float *x, float *g, double *f,
             NsObjectiveFunc fn, void *ctx, int *n_evals)
{
  const size_t n = o->n;
  const double f0 = *f;
  const float lo = o->lo, hi = o->hi;
  double t = 1.0;
  int any_finite = 0;

  for (int it = 0; it < LS_MAX_EVALS; it++)
    {
      /* trial point and the predicted decrease g0^T (x(t) - x0) */
      double gd = 0.0, moved = 0.0;
      double part[NS_SUM_BLOCKS], pmax[NS_SUM_BLOCKS];
#pragma omp parallel for schedule(static) if (n >= NS_PAR_MIN)
      for (int b = 0; b < NS_SUM_BLOCKS; b++)
        {
          double s = 0.0, mv = 0.0;
          for (size_t i = NS_BLOCK_LO (n, b); i < NS_BLOCK_LO (n, b + 1); i++)
            {
              float xi = clampf ((float) (o->x0[i] + t * o->d[i]), lo, hi);
              x[i] = xi;
              double dx = (double) xi - o->x0[i];
              s += o->g0[i] * dx;
              mv = fmax (mv, fabs (dx));
            }
          part[b] = s;
          pmax[b] = mv;
        }
      for (int b = 0; b < NS_SUM_BLOCKS; b++)
        {
          gd += part[b];
          moved = fmax (moved, pmax[b]);
        }
      if (moved == 0.0)
        break;                      /* t so small that nothing changes */

      double ft = fn (x, g, ctx);
      (*n_evals)++;
      if (isfinite (ft))
        {
          any_finite = 1;
          if (ft < f0 && ft <= f0 + LS_C1 * gd)
            {
              *f = ft;
              return LS_OK;
            }
          /* Minimiser of the quadratic through f0, slope gd/t and ft,
           * safeguarded to [0.1 t, 0.5 t]. */
          double slope = gd / t;
          double denom = 2.0 * (ft - f0 - slope * t);
          double tn = (slope < 0 && denom > 0) ? -slope * t * t / denom : 0.5 * t;
          t = fmin (fmax (tn, 0.1 * t), 0.5 * t);
        }
      else
        t *= 0.1;                   /* non-finite: failed trial, shrink hard */
    }

  memcpy (x, o->x0, n * sizeof (float));
  memcpy (g, o->g0, n * sizeof (float));
  *f = f0;
  return any_finite ? LS_FAIL : LS_NONFINITE;
}

static void
lbfgs_push_pair (NsOptimizer *o, const float *x, const float *g)
{
  const size_t n = o->n;
  float *s = o->S + (size_t) o->head * n, *y = o->Y + (size_t) o->head * n;
#pragma omp parallel for schedule(static) if (n >= NS_PAR_MIN)
  for (size_t i = 0; i < n; i++)
    {
      s[i] = x[i] - o->x0[i];
      y[i] = g[i] - o->g0[i];
    }
  double sy = dot (s, y, n), ss = dot (s, s, n), yy = dot (y, y, n);
  if (!(sy > CURV_EPS * sqrt (ss) * sqrt (yy)) || !isfinite (sy) || !isfinite (yy))
    {
      /* Skip the pair.  When the ring is full this slot held the oldest
       * pair, which was just overwritten: drop it. */
      if (o->count == o->m)
        o->count--;
      return;
    }
  o->rho[o->head] = 1.0 / sy;
  o->head = (o->head + 1) % o->m;
  if (o->count < o->m)
    o->count++;
}

static NsStepStatus
lbfgs_step (NsOptimizer *o, float *x, float *g, double *f,
            NsObjectiveFunc fn, void *ctx, int *n_evals)
{
  const size_t n = o->n;
  if (!isfinite (*f))
    return NS_STEP_NONFINITE;

  /* Projected gradient zero -> stationary (KKT) point. */
  double gmax = 0.0;
  for (size_t i = 0; i < n; i++)
    if (!is_active (x[i], g[i], o->lo, o->hi))
      gmax = fmax (gmax, fabs (g[i]));
  if (!isfinite (gmax))
    return NS_STEP_NONFINITE;
  if (gmax == 0.0)
    return NS_STEP_CONVERGED;

  memcpy (o->x0, x, n * sizeof (float));
  memcpy (o->g0, g, n * sizeof (float));

  int steepest = o->count == 0;
  if (!steepest)
    {
      lbfgs_direction (o, x, g);
      double gd = dot (g, o->d, n);
      if (!(gd < 0) || !isfinite (gd))
        steepest = 1;                /* not a descent direction */
    }
  if (steepest)
    {
      o->count = o->head = 0;
      steepest_direction (o, x, g);
    }

  LsResult r = line_search (o, x, g, f, fn, ctx, n_evals);
  if (r != LS_OK && !steepest)
    {
      /* Retry once from scratch with (scaled) steepest descent. */
      o->count = o->head = 0;
      steepest_direction (o, x, g);
      LsResult r2 = line_search (o, x, g, f, fn, ctx, n_evals);
      if (r2 == LS_OK)
        r = LS_OK;
      else if (r2 == LS_FAIL)
        r = LS_FAIL;                 /* some finite value seen: not NONFINITE */
    }
  if (r == LS_NONFINITE)
    return NS_STEP_NONFINITE;
  if (r == LS_FAIL)
    return NS_STEP_CONVERGED;

  lbfgs_push_pair (o, x, g);
  return NS_STEP_OK;
}

/* ------------------------------------------------------------ Adam */

/* Kingma & Ba 2015, Alg. 1 (one evaluation per step; on a non-finite f
 * the step returns NS_STEP_NONFINITE with x, g at that point — the caller
 * keeps its best-so-far image):
 *   m = β1 m + (1-β1) g,  v = β2 v + (1-β2) g²
 *   x = clamp(x - lr m̂ / (√v̂ + ε)),  m̂ = m/(1-β1^t), v̂ = v/(1-β2^t) */
static NsStepStatus
adam_step (NsOptimizer *o, float *x, float *g, double *f,
           NsObjectiveFunc fn, void *ctx, int *n_evals)
{
  const size_t n = o->n;
  o->t++;
  const double bc1 = 1.0 - pow (o->beta1, (double) o->t);
  const double bc2 = 1.0 - pow (o->beta2, (double) o->t);
  const float b1 = (float) o->beta1, b2 = (float) o->beta2;
  const float step = (float) (o->lr / bc1);
  const float vscale = (float) (1.0 / sqrt (bc2));
  const float eps = (float) o->eps;
#pragma omp parallel for schedule(static) if (n >= NS_PAR_MIN)
  for (size_t i = 0; i < n; i++)
    {
      float gi = g[i];
      o->mom[i] = b1 * o->mom[i] + (1.0f - b1) * gi;
      o->vel[i] = b2 * o->vel[i] + (1.0f - b2) * gi * gi;
      /* lr m̂/(√v̂+ε) = (lr/bc1) m / (√v/√bc2 + ε) */
      x[i] = clampf (x[i] - step * o->mom[i] / (sqrtf (o->vel[i]) * vscale + eps),
                     o->lo, o->hi);
    }
  *f = fn (x, g, ctx);
  (*n_evals)++;
  return isfinite (*f) ? NS_STEP_OK : NS_STEP_NONFINITE;
}

NsStepStatus
ns_optimizer_step (NsOptimizer *o, float *x, float *g, double *f,
                   NsObjectiveFunc fn, void *ctx, int *n_evals)
{
  int dummy = 0;
  if (!n_evals)
    n_evals = &dummy;
  if (!o || !x || !g || !f || !fn)
    return NS_STEP_NONFINITE;
  return o->kind == OPT_LBFGS ? lbfgs_step (o, x, g, f, fn, ctx, n_evals)
                              : adam_step (o, x, g, f, fn, ctx, n_evals);
}
