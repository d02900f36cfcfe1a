/* test_estimate.c — the time estimate (engine/estimate_time.c) against an
 * independent count, and the speed measurement (engine/speed.c).
 *
 * A seeded random VGG-19 (ns-make-random-model).  Checks:
 *   - at a given speed, a one-level job of N iterations and S styles costs
 *     job + (fixed + s_per_gflop · 2F/1e9) · (1.1 N + (1 + S)/2) seconds,
 *     F counted here from VGG-19's conv table (2·9·Cin·Cout·h·w per conv up
 *     to conv5_1, the deepest default tap) — not from the engine;
 *   - a two-level job is the sum of its levels (the coarse one at half size
 *     with twice the iterations; with the fine one a detail level, the
 *     coarse one with `iterations` and the fine one detail_iterations);
 *   - the reference machine (NULL) gives ns_estimate_seconds;
 *   - a broken speed (negative, NaN) gives < 0, never a number;
 *   - ns_speed_measure gives positive finite coefficients, and what it
 *     predicts grows with iterations and size.
 * How close a measured speed predicts real runs is bench/estimate.sh's
 * question (timings are never asserted in tests). */
#include "neural_style.h"
#include "test_util.h"
#include "test_random_model.h"


/* VGG-19 to conv5_1: (Cin, Cout) per conv, pooling (halving) after the
 * 2nd, 4th, 8th and 12th. */
static double
vgg19_forward_flops (int h, int w)
{
  static const int convs[13][2] = {
    { 3, 64 }, { 64, 64 }, { 64, 128 }, { 128, 128 }, { 128, 256 }, { 256, 256 },
    { 256, 256 }, { 256, 256 }, { 256, 512 }, { 512, 512 }, { 512, 512 }, { 512, 512 },
    { 512, 512 } };
  double f = 0;
  for (int i = 0; i < 13; i++)
    {
      f += 2.0 * 9 * convs[i][0] * convs[i][1] * h * w;
      if (i == 1 || i == 3 || i == 7 || i == 11)
        h /= 2, w /= 2;
    }
  return f;
}

static double
expected_level (const NsSpeed *s, int side, int iterations, int n_styles)
{
  double gflop = 2.0 * vgg19_forward_flops (side, side) / 1e9;
  return (s->eval_fixed_s + s->eval_s_per_gflop * gflop) * (1.1 * iterations
                                                            + 0.5 * (1 + n_styles));
}

static void
test_formula (const NsModel *model)
{
  NsParams p;
  ns_params_init (&p);
  p.size = 64;
  p.multires = 1;
  p.iterations = 10;
  const NsSpeed s = { .eval_fixed_s = 0.01, .eval_s_per_gflop = 0.02, .job_fixed_s = 0.5 };
  CHECK_CLOSE (ns_estimate_seconds_at (model, &p, 64, 64, 2, 0, &s),
               s.job_fixed_s + expected_level (&s, 64, 10, 2), 1e-9, 0,
               "one level, 2 styles, 64 px");

  p.size = 128;
  p.multires = 2;
  CHECK_CLOSE (ns_estimate_seconds_at (model, &p, 128, 128, 1, 0, &s),
               s.job_fixed_s + expected_level (&s, 64, 20, 1) + expected_level (&s, 128, 10, 1),
               1e-9, 0, "two levels: 64 px x 20 iterations + 128 px x 10");
  /* a detail level (longer side than detail_side): detail_iterations, and
   * the level below it is the base schedule's last (iterations, not 2x) */
  p.detail_side = 64;
  p.detail_iterations = 3;
  CHECK_CLOSE (ns_estimate_seconds_at (model, &p, 128, 128, 1, 0, &s),
               s.job_fixed_s + expected_level (&s, 64, 10, 1) + expected_level (&s, 128, 3, 1),
               1e-9, 0, "detail level: 64 px x 10 iterations + 128 px x 3");
  p.detail_side = NS_DEFAULT_DETAIL_SIDE;
  p.detail_iterations = NS_DEFAULT_DETAIL_ITERATIONS;

  CHECK (ns_estimate_seconds_at (model, &p, 128, 128, 1, 0, NULL)
         == ns_estimate_seconds (model, &p, 128, 128, 1), "NULL speed = the reference");
  CHECK (ns_estimate_seconds_at (model, &p, 128, 128, 1, 2, &s)
         > ns_estimate_seconds_at (model, &p, 128, 128, 1, 0, &s), "masked styles cost time");

  /* tiled: three passes over the tiles with their halos instead of two
   * over the image, so more time than untiled at the same size */
  p.multires = 1;
  p.size = 512;
  double untiled = ns_estimate_seconds_at (model, &p, 512, 512, 1, 0, &s);
  p.tile_size = 128;
  double tiled = ns_estimate_seconds_at (model, &p, 512, 512, 1, 0, &s);
  CHECK (tiled > 1.5 * untiled - s.job_fixed_s, "tiled 128 px: %g s vs untiled %g s", tiled,
         untiled);
  p.tile_size = 0;
  p.multires = 2;
  p.size = 128;

  NsSpeed bad = s;
  bad.eval_s_per_gflop = -1;
  CHECK (ns_estimate_seconds_at (model, &p, 128, 128, 1, 0, &bad) < 0, "negative rate refused");
  bad = s;
  bad.eval_fixed_s = NAN;
  CHECK (ns_estimate_seconds_at (model, &p, 128, 128, 1, 0, &bad) < 0, "NaN refused");
  bad = s;
  bad.job_fixed_s = INFINITY;
  CHECK (ns_estimate_seconds_at (model, &p, 128, 128, 1, 0, &bad) < 0, "infinity refused");
}

static void
test_measure (const NsModel *model)
{
  NsSpeed s = { 0 };
  GError *err = NULL;
  gint64 t0 = g_get_monotonic_time ();
  gboolean ok = ns_speed_measure (model, 0, &s, &err);
  double took = (g_get_monotonic_time () - t0) / 1e6;
  CHECK (ok, "measure: %s", err ? err->message : "");
  g_clear_error (&err);
  printf ("VGG-19 speed: %.4f s + %.5f s/GFLOP per evaluation, %.3f s per job; measured in %.2f s\n",
          s.eval_fixed_s, s.eval_s_per_gflop, s.job_fixed_s, took);
  CHECK (s.eval_s_per_gflop > 0 && isfinite (s.eval_s_per_gflop), "rate %g", s.eval_s_per_gflop);
  CHECK (s.eval_fixed_s >= 0 && isfinite (s.eval_fixed_s), "fixed %g", s.eval_fixed_s);
  CHECK (s.job_fixed_s >= 0 && isfinite (s.job_fixed_s), "job %g", s.job_fixed_s);
  /* one 256 px evaluation was part of the measurement: its predicted time
   * cannot exceed the whole measurement's */
  NsSpeed no_job = s;
  no_job.job_fixed_s = 0;
  double one = (s.eval_fixed_s + s.eval_s_per_gflop * 2.0 * vgg19_forward_flops (256, 256) / 1e9);
  CHECK (one > 0 && one < took, "a 256 px evaluation %.3f s within the %.3f s measurement", one,
         took);

  NsParams p;
  ns_params_init (&p);
  p.size = 256;
  double t50 = ns_estimate_seconds_at (model, &p, 256, 256, 1, 0, &no_job);
  p.iterations = 100;
  double t100 = ns_estimate_seconds_at (model, &p, 256, 256, 1, 0, &no_job);
  p.size = 512;
  double t512 = ns_estimate_seconds_at (model, &p, 512, 512, 1, 0, &no_job);
  CHECK (t50 > 0 && t100 > 1.5 * t50 && t512 > 2 * t100, "grows: %g %g %g", t50, t100, t512);

  CHECK (!ns_speed_measure (model, -3, &s, &err) && err, "negative threads refused");
  g_clear_error (&err);
}

int
main (void)
{
  test_begin ("estimate");
  NsModel *model = test_random_model ("vgg19", 29);
  if (model)
    {
      test_formula (model);
      test_measure (model);
      ns_model_free (model);
    }
  return test_finish ();
}
