/* test_estimate_plan.c — the job-free memory plan (engine/estimate_plan.c)
 * against what a job really decides and does.
 *
 * A seeded random SqueezeNet 1.1, a 700 x 500 content at its own size, one
 * style image as large (so the job's estimate and the job-free one count
 * the same inputs).  Checks:
 *   - a limit far above the need: untiled, 8 L-BFGS pairs, the estimate is
 *     ns_job_estimate_memory's, and the time the plain ns_estimate_seconds_at;
 *   - a limit just below the untiled need at 8 pairs but above it at 3:
 *     untiled with fewer pairs, as the job;
 *   - a limit between the untiled need and that of the smallest tiles:
 *     tiled automatically, within the limit, the job's estimate, a longer time than untiled (three passes
 *     over the tiles and their halos) — and a one-iteration run of that
 *     job runs on the same grid;
 *   - a limit below even that: the plan does not fit, the job refuses;
 *   - with a masked style (cannot be tiled) the same limit: no tiles, and
 *     the plan says it does not fit (the job refuses it);
 *   - a tile size asked for is kept; memory_limit_mb 0 is 70 % of MemTotal.
 */
#include "neural_style.h"
#include "test_util.h"
#include "test_random_model.h"

#define W 700
#define H 500

static NsImage *
gradient_image (int w, int h, int phase)
{
  NsImage *im = ns_image_new (w, h);
  for (int y = 0; im && y < h; y++)
    for (int x = 0; x < w; x++)
      for (int c = 0; c < 3; c++)
        im->data[((size_t) y * w + x) * 3 + c] =
          0.5f + 0.4f * sinf ((float) (x * (c + 1) + y * (phase + c)) * 0.05f);
  return im;
}

/* A job on content with one style as large, at params p. */
static NsJob *
job_for (NsModel *m, const NsImage *content, const NsImage *style, const NsParams *p)
{
  GError *err = NULL;
  NsJob *job = ns_job_new (m, content, p, &err);
  CHECK (job && ns_job_add_style (job, style, 1.0, 1.0, &err), "job: %s",
         err ? err->message : "");
  g_clear_error (&err);
  return job;
}

static void
test_plans (NsModel *m)
{
  NsImage *content = gradient_image (W, H, 1), *style = gradient_image (W, H, 3);
  const NsSpeed s = { .eval_fixed_s = 0.01, .eval_s_per_gflop = 0.02, .job_fixed_s = 0.5 };
  NsParams p;
  NsEstimatePlan plan;
  ns_params_init (&p);
  p.size = 0;
  p.multires = 1;
  p.iterations = 1;
  p.threads = 2;

  /* plenty of memory */
  p.memory_limit_mb = 1e6;
  CHECK (ns_estimate_plan (m, &p, W, H, 1, 0, FALSE, &s, &plan), "plan (plenty)");
  NsParams p8 = p;
  p8.lbfgs_history = 8;
  const guint64 untiled8 = ns_estimate_memory_regions (m, &p8, W, H, 1, 0, FALSE);
  CHECK (plan.tile == 0 && plan.tiles_x == 1 && plan.tiles_y == 1 && plan.fits
         && plan.lbfgs_history == 8 && plan.work_w == W && plan.work_h == H,
         "plenty: tile %d grid %dx%d pairs %d", plan.tile, plan.tiles_x, plan.tiles_y,
         plan.lbfgs_history);
  CHECK (plan.memory_bytes == untiled8, "plenty: %" G_GUINT64_FORMAT " vs %" G_GUINT64_FORMAT,
         plan.memory_bytes, untiled8);
  const double untiled_s = ns_estimate_seconds_at (m, &p, W, H, 1, 0, &s);
  CHECK_CLOSE (plan.seconds, untiled_s, 1e-12, 0, "plenty: time");
  NsJob *job = job_for (m, content, style, &p);
  CHECK (job && ns_job_estimate_memory (job) == plan.memory_bytes, "plenty: job's estimate %"
         G_GUINT64_FORMAT, job ? ns_job_estimate_memory (job) : 0);
  ns_job_free (job);

  /* just short at 8 pairs, enough at 3: fewer pairs, untiled */
  NsParams p3 = p;
  p3.lbfgs_history = 3;
  const guint64 untiled3 = ns_estimate_memory_regions (m, &p3, W, H, 1, 0, FALSE);
  p.memory_limit_mb = (untiled3 + (untiled8 - untiled3) / 2) / 1048576.0;
  ns_estimate_plan (m, &p, W, H, 1, 0, FALSE, &s, &plan);
  CHECK (plan.tile == 0 && plan.fits && plan.lbfgs_history > 3 && plan.lbfgs_history < 8,
         "fewer pairs: tile %d pairs %d", plan.tile, plan.lbfgs_history);
  job = job_for (m, content, style, &p);
  CHECK (job && ns_job_estimate_memory (job) == plan.memory_bytes, "fewer pairs: job's estimate");
  ns_job_free (job);

  /* between the need of the smallest automatic tiles and the untiled
   * need: tiled automatically */
  NsParams t3 = p3;
  t3.tile_size = 256;
  const guint64 tiled3 = ns_estimate_memory_regions (m, &t3, W, H, 1, 0, FALSE);
  CHECK (tiled3 < untiled3, "256 px tiles need less: %" G_GUINT64_FORMAT, tiled3);
  p.memory_limit_mb = (tiled3 + (untiled3 - tiled3) / 2) / 1048576.0;
  ns_estimate_plan (m, &p, W, H, 1, 0, FALSE, &s, &plan);
  CHECK (plan.tile > 0 && plan.tiles_x * plan.tiles_y > 1 && plan.fits
         && plan.memory_bytes <= plan.limit_bytes && plan.memory_bytes < untiled3,
         "tiled: core %d grid %dx%d, %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " bytes",
         plan.tile, plan.tiles_x, plan.tiles_y, plan.memory_bytes, plan.limit_bytes);
  CHECK (plan.seconds > untiled_s, "tiled: %g s vs untiled %g s", plan.seconds, untiled_s);
  printf ("  %dx%d, limit %.0f MiB: untiled %.0f MiB -> core %d, %dx%d tiles, %.0f MiB, "
          "time x%.2f\n", W, H, plan.limit_bytes / 1048576.0, untiled3 / 1048576.0, plan.tile,
          plan.tiles_x, plan.tiles_y, plan.memory_bytes / 1048576.0, plan.seconds / untiled_s);
  job = job_for (m, content, style, &p);
  CHECK (job && ns_job_estimate_memory (job) == plan.memory_bytes, "tiled: job's estimate %"
         G_GUINT64_FORMAT, job ? ns_job_estimate_memory (job) : 0);
  if (job)
    {
      GError *err = NULL;
      NsImage *r = ns_job_run (job, &err);
      int tx = 0, ty = 0, core = 0;
      CHECK (r && r->width == W && r->height == H, "tiled run: %s", err ? err->message : "");
      ns_job_get_tiling (job, &tx, &ty, &core, NULL);
      CHECK (tx == plan.tiles_x && ty == plan.tiles_y && core > 0 && core <= plan.tile,
             "the job ran %dx%d tiles of %d px, the plan said %dx%d of %d", tx, ty, core,
             plan.tiles_x, plan.tiles_y, plan.tile);
      g_clear_error (&err);
      ns_image_free (r);
      ns_job_free (job);
    }

  /* below even the smallest tiles: refused, by the plan as by the job */
  p.memory_limit_mb = 0.9 * tiled3 / 1048576.0;
  ns_estimate_plan (m, &p, W, H, 1, 0, FALSE, &s, &plan);
  CHECK (plan.tile == 256 && !plan.fits, "too little: core %d fits %d", plan.tile, plan.fits);
  job = job_for (m, content, style, &p);
  if (job)
    {
      GError *err = NULL;
      NsImage *r = ns_job_run (job, &err);
      CHECK (!r && g_error_matches (err, NS_ERROR, NS_ERROR_NO_MEMORY)
             && ns_job_estimate_memory (job) == plan.memory_bytes, "the job refuses: %s",
             err ? err->message : "(ran)");
      g_clear_error (&err);
      ns_image_free (r);
      ns_job_free (job);
    }
  p.memory_limit_mb = (tiled3 + (untiled3 - tiled3) / 2) / 1048576.0;

  /* a masked style cannot be tiled: does not fit */
  ns_estimate_plan (m, &p, W, H, 1, 1, FALSE, &s, &plan);
  CHECK (plan.tile == 0 && plan.tiles_x == 1 && !plan.fits, "masked: tile %d fits %d",
         plan.tile, plan.fits);
  CHECK (!ns_plan_tileable (m, &p, 0, TRUE) && ns_plan_tileable (m, &p, 0, FALSE),
         "a content map cannot be tiled");

  /* a tile size asked for */
  p.tile_size = 256;
  p.memory_limit_mb = 1e6;
  ns_estimate_plan (m, &p, W, H, 1, 0, FALSE, &s, &plan);
  CHECK (plan.tile == 256 && plan.tiles_x >= 2 && plan.tiles_y >= 2, "asked 256: %d, %dx%d",
         plan.tile, plan.tiles_x, plan.tiles_y);

  /* the default limit: 70 % of physical memory */
  gchar *meminfo = NULL;
  guint64 kib = 0;
  if (g_file_get_contents ("/proc/meminfo", &meminfo, NULL, NULL))
    sscanf (meminfo, "MemTotal: %" G_GUINT64_FORMAT, &kib);
  g_free (meminfo);
  p.memory_limit_mb = 0;
  if (kib > 0)
    CHECK_CLOSE ((double) ns_memory_limit_bytes (&p), 0.7 * kib * 1024.0, 0.01, 0,
                 "default limit");
  CHECK (!ns_estimate_plan (m, &p, 0, H, 1, 0, FALSE, &s, &plan), "an empty image: no plan");
  ns_image_free (content);
  ns_image_free (style);
}

int
main (void)
{
  test_begin ("estimate_plan");
  NsModel *model = test_random_model ("squeezenet1_1", 31);
  if (model)
    {
      test_plans (model);
      ns_model_free (model);
    }
  return test_finish ();
}
