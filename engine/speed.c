/* speed.c — measure how fast this machine evaluates one model's objective,
 * for the time estimate (estimate_time.c).
 *
 * The objective (content + one style, default layers and weights) is
 * evaluated at two small square sizes; the shortest of the timed
 * evaluations at each (two, or up to six while they stay under 0.3 s in
 * all; after one untimed warm-up at the first, which packs the filters)
 * gives two points of
 *     t_eval = fixed + s_per_gflop · GFLOP(size)
 * which fix the two coefficients; building the objective and the warm-up's
 * extra time give the cost a job pays once.  The sizes are the largest that keep the
 * whole measurement short: VGG-19 ≈ 1 s, SqueezeNet ≈ 0.2 s on 2 cores. */
#include "neural_style.h"
#include "objective.h"
#include "network.h"

#include <math.h>
#include <omp.h>
#include <cblas.h>

#define SPEED_SIZE_SMALL 128
#define SPEED_SIZE_LARGE 256
#define SPEED_MAX_REPS    6
#define SPEED_MIN_SECONDS 0.3

/* A deterministic smooth picture, planar [3][n][n], 0..1 (the time of an
 * evaluation does not depend on what it shows). */
static float *
test_picture (int n, int phase)
{
  float *img = g_new (float, 3 * (gsize) n * n);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < n; y++)
      for (int x = 0; x < n; x++)
        img[((gsize) c * n + y) * n + x] =
          0.5f + 0.4f * sinf (0.11f * (x + 3 * phase) + 0.07f * y * (c + 1) + phase);
  return img;
}

/* Seconds of the fastest of `timed` evaluations at n x n (after `warm`
 * untimed ones); its GFLOP in *gflop.  < 0 on failure. */
static double
time_evaluations (NsObjective *obj, int n, int warm, int timed, double *gflop,
                  double *warm_s, GError **error)
{
  float *content = test_picture (n, 0), *style = test_picture (n, 1);
  float *g = g_new (float, 3 * (gsize) n * n);
  double best = -1;
  ns_objective_clear_styles (obj);
  if (ns_objective_set_content (obj, content, n, n, error)
      && ns_objective_add_style (obj, style, n, n, 1.0, error)
      && ns_objective_ready (obj, error))
    {
      *gflop = 2.0 * ns_network_forward_flops (ns_objective_network (obj), n, n) / 1e9;
      /* at least `timed` evaluations, more (up to SPEED_MAX_REPS) while
       * they took less than SPEED_MIN_SECONDS together: the shortest of
       * several filters out the moments another process had the cores */
      double spent = 0;
      for (int i = 0; i < warm + SPEED_MAX_REPS; i++)
        {
          if (i >= warm + timed && spent >= SPEED_MIN_SECONDS)
            break;
          gint64 t0 = g_get_monotonic_time ();
          ns_objective_eval (style, g, obj);
          double t = (g_get_monotonic_time () - t0) / 1e6;
          if (i < warm)
            *warm_s += t;
          else
            {
              spent += t;
              if (best < 0 || t < best)
                best = t;
            }
        }
    }
  g_free (content);
  g_free (style);
  g_free (g);
  return best;
}

gboolean
ns_speed_measure (const NsModel *model, int threads, NsSpeed *speed, GError **error)
{
  g_return_val_if_fail (model && speed, FALSE);
  if (threads < 0)
    {
      g_set_error (error, NS_ERROR, NS_ERROR_INVALID_ARG, "threads must be >= 0 (0 = all cores)");
      return FALSE;
    }
  NsParams p;
  ns_params_init (&p);
  p.threads = threads;
  if (threads > 0)   /* as ns_job_run does: OpenMP loops and OpenBLAS's GEMMs */
    {
      omp_set_num_threads (threads);
      openblas_set_num_threads (threads);
    }
  gint64 t_new = g_get_monotonic_time ();
  NsObjective *obj = ns_objective_new (model, &p, error);
  if (!obj)
    return FALSE;
  double setup = (g_get_monotonic_time () - t_new) / 1e6;
  double f1 = 0, f2 = 0, warm = 0, unused = 0;
  double t1 = time_evaluations (obj, SPEED_SIZE_SMALL, 1, 2, &f1, &warm, error);
  double t2 = t1 < 0 ? -1 : time_evaluations (obj, SPEED_SIZE_LARGE, 0, 2, &f2, &unused, error);
  ns_objective_free (obj);
  if (t1 < 0 || t2 < 0)
    return FALSE;
  /* The line through both points; a noisy pair (t2 ≤ t1) falls back to
   * the rate of the larger size alone. */
  double spg = f2 > f1 && t2 > t1 ? (t2 - t1) / (f2 - f1) : t2 / f2;
  speed->eval_s_per_gflop = spg;
  speed->eval_fixed_s = MAX (0.0, t1 - spg * f1);
  /* what a job pays once: building the network (weights), the first
   * evaluation's extra (filter packing, first touch of its buffers) */
  speed->job_fixed_s = setup + MAX (0.0, warm - t1);
  return TRUE;
}
