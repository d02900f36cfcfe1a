/* bench_tiles.c — the tiled evaluation (issue 18) measured: parity with the
 * untiled objective at large sizes, and seconds per evaluation.  Driven by
 * bench/tiles.sh; prints `key=value` lines on stdout.  Never a test.
 *
 *   bench-tiles parity --model F --width W --height H --tile N [--threads T]
 *       One evaluation untiled and one tiled (cores of N px) of the same
 *       objective (default layers, one style image of the content's size)
 *       at the same image: relative differences of the loss terms and the
 *       gradient, seconds of each.  --no-band: the untiled reference
 *       without banded mode (whose row bands start off the Winograd tile
 *       grid: at 1536x1024 VGG-19 it differs from itself unbanded by
 *       ~3e-3 of the gradient, max-pool winners flipping); --avg-pool.
 *   bench-tiles eval   --model F --width W --height H [--tile N] [--reps R]
 *       Seconds per evaluation (median of R, after the targets), tiled with
 *       cores of N px (0: untiled), and the process's peak RSS.
 */
#include "neural_style.h"
#include "objective.h"

#include <math.h>
#include <omp.h>
#include <cblas.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

static double
peak_rss_mib (void)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

/* planar test pictures: smooth content, striped style, start = mix + noise */
static float *
picture (int w, int h, int kind, const float *content)
{
  float *p = g_new (float, (size_t) 3 * w * h);
  GRand *r = g_rand_new_with_seed (17 + kind);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        {
          size_t i = ((size_t) c * h + y) * w + x;
          double u = (double) x / w, v = (double) y / h, val;
          if (kind == 0)
            val = 0.5 + 0.3 * sin (6.0 * u + 2.0 * c) * cos (4.0 * v - c)
              + 0.05 * g_rand_double_range (r, -1, 1);
          else if (kind == 1)
            val = 0.5 + 0.4 * sin (40.0 * (u + v) + 1.7 * c) + 0.1 * g_rand_double_range (r, -1, 1);
          else
            val = 0.4 * content[i] + 0.6 * g_rand_double (r);
          p[i] = (float) CLAMP (val, 0.0, 1.0);
        }
  g_rand_free (r);
  return p;
}

static NsPoolingType pooling = NS_POOLING_MAX;
static gboolean no_band;   /* untiled reference without banded mode */

static NsObjective *
objective (NsModel *m, int tile, const float *content, const float *style, int W, int H,
           double *target_s)
{
  NsParams p;
  ns_params_init (&p);
  p.pooling = pooling;
  GError *err = NULL;
  double t0 = now_s ();
  NsObjective *o = ns_objective_new (m, &p, &err);
  if (o && no_band && tile == 0)
    ns_network_set_banding (ns_objective_network (o), -1, NULL);
  if (!(o && ns_objective_set_tiling (o, tile, 0, &err)
        && ns_objective_set_content (o, content, W, H, &err)
        && ns_objective_add_style (o, style, W, H, 1.0, &err) && ns_objective_ready (o, &err)))
    {
      fprintf (stderr, "objective (tile %d): %s\n", tile, err ? err->message : "?");
      g_clear_error (&err);
      ns_objective_free (o);
      return NULL;
    }
  if (target_s)
    *target_s = now_s () - t0;
  return o;
}

static double
rel (double a, double b)
{
  return fabs (a - b) / fmax (fabs (b), 1e-300);
}

static int
mode_parity (NsModel *m, int W, int H, int tile)
{
  const size_t n = (size_t) 3 * W * H;
  float *content = picture (W, H, 0, NULL), *style = picture (W, H, 1, NULL);
  float *x = picture (W, H, 2, content);
  float *gu = g_new (float, n), *gt = g_new (float, n);
  NsObjective *u = objective (m, 0, content, style, W, H, NULL);
  if (!u)
    return 1;
  double t0 = now_s ();
  ns_objective_eval (x, gu, u);
  double su = now_s () - t0;
  NsLossTerms lu = ns_objective_last_terms (u);
  ns_objective_free (u);
  NsObjective *o = objective (m, tile, content, style, W, H, NULL);
  if (!o)
    return 1;
  t0 = now_s ();
  ns_objective_eval (x, gt, o);
  double st = now_s () - t0;
  NsLossTerms lt = ns_objective_last_terms (o);
  int nx, ny, core, halo;
  ns_objective_tiling (o, &nx, &ny, &core, &halo);
  ns_objective_free (o);
  double d = 0, s = 0, dmax = 0, gmax = 0;
  size_t imax = 0;
  for (size_t i = 0; i < n; i++)
    {
      double e = (double) gt[i] - gu[i];
      d += e * e;
      s += (double) gu[i] * gu[i];
      if (fabs (e) > dmax)
        imax = i;
      dmax = fmax (dmax, fabs (e));
      gmax = fmax (gmax, fabs (gu[i]));
    }
  printf ("worst=c%d,y%d,x%d\n", (int) (imax / ((size_t) W * H)), (int) (imax / W % H),
          (int) (imax % W));
  if (g_getenv ("NS_BENCH_DIFF_MAP"))   /* |gt - gu| summed over channels, PGM-ish dump */
    {
      FILE *f = fopen (g_getenv ("NS_BENCH_DIFF_MAP"), "w");
      for (int y = 0; y < H && f; y++)
        for (int x = 0; x < W; x++)
          {
            float v = 0;
            for (int c = 0; c < 3; c++)
              v += fabsf (gt[((size_t) c * H + y) * W + x] - gu[((size_t) c * H + y) * W + x]);
            fwrite (&v, sizeof v, 1, f);
          }
      if (f)
        fclose (f);
    }
  printf ("grid=%dx%d\ncore=%d\nhalo=%d\n", nx, ny, core, halo);
  printf ("content_rel=%.3g\nstyle_rel=%.3g\ntv_rel=%.3g\ntotal_rel=%.3g\n",
          rel (lt.content, lu.content), rel (lt.style, lu.style), rel (lt.tv, lu.tv),
          rel (lt.total, lu.total));
  printf ("grad_rel_l2=%.3g\ngrad_rel_max=%.3g\nuntiled_s=%.2f\ntiled_s=%.2f\npeak_rss_mib=%.0f\n",
          sqrt (d / s), dmax / gmax, su, st, peak_rss_mib ());
  g_free (content); g_free (style); g_free (x); g_free (gu); g_free (gt);
  return 0;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static int
mode_eval (NsModel *m, int W, int H, int tile, int reps)
{
  float *content = picture (W, H, 0, NULL), *style = picture (W, H, 1, NULL);
  float *x = picture (W, H, 2, content), *g = g_new (float, (size_t) 3 * W * H);
  double ts;
  NsObjective *o = objective (m, tile, content, style, W, H, &ts);
  if (!o)
    return 1;
  double *sec = g_new (double, reps);
  for (int r = 0; r < reps; r++)
    {
      double t0 = now_s ();
      ns_objective_eval (x, g, o);
      sec[r] = now_s () - t0;
    }
  qsort (sec, reps, sizeof *sec, cmp_double);
  int nx, ny, core, halo;
  ns_objective_tiling (o, &nx, &ny, &core, &halo);
  printf ("grid=%dx%d\ncore=%d\nhalo=%d\ntargets_s=%.2f\neval_s=%.3f\npeak_rss_mib=%.0f\n",
          nx, ny, core, halo, ts, sec[reps / 2], peak_rss_mib ());
  ns_objective_free (o);
  g_free (sec); g_free (content); g_free (style); g_free (x); g_free (g);
  return 0;
}

int
main (int argc, char **argv)
{
  ns_process_init (argv);
  char *model_path = NULL;
  int W = 1024, H = 768, tile = 0, threads = 0, reps = 1;
  gboolean avg = FALSE;
  GOptionEntry entries[] = {
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &model_path, "model file", "FILE" },
    { "width", 0, 0, G_OPTION_ARG_INT, &W, "width (px)", "W" },
    { "height", 0, 0, G_OPTION_ARG_INT, &H, "height (px)", "H" },
    { "tile", 0, 0, G_OPTION_ARG_INT, &tile, "core side (px; 0 untiled)", "N" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, "threads (0 = all)", "T" },
    { "reps", 0, 0, G_OPTION_ARG_INT, &reps, "evaluations (eval)", "R" },
    { "avg-pool", 0, 0, G_OPTION_ARG_NONE, &avg, "average pooling (no argmax)", NULL },
    { "no-band", 0, 0, G_OPTION_ARG_NONE, &no_band, "untiled reference unbanded", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  GOptionContext *ctx = g_option_context_new ("parity|eval - the tiled evaluation");
  g_option_context_add_main_entries (ctx, entries, NULL);
  GError *err = NULL;
  gboolean ok = g_option_context_parse (ctx, &argc, &argv, &err);
  g_option_context_free (ctx);
  if (!ok || argc != 2 || !model_path || W < 16 || H < 16 || reps < 1)
    {
      fprintf (stderr, "%s\nusage: bench-tiles parity|eval --model FILE [options]\n",
               err ? err->message : "");
      return 2;
    }
  pooling = avg ? NS_POOLING_AVG : NS_POOLING_MAX;
  if (threads > 0)
    {
      omp_set_num_threads (threads);
      openblas_set_num_threads (threads);
    }
  NsModel *model = ns_model_load (model_path, &err);
  if (!model)
    {
      fprintf (stderr, "%s\n", err->message);
      return 1;
    }
  int rc = strcmp (argv[1], "parity") == 0 ? mode_parity (model, W, H, tile)
    : strcmp (argv[1], "eval") == 0 ? mode_eval (model, W, H, tile, reps) : 2;
  ns_model_free (model);
  g_free (model_path);
  return rc;
}
