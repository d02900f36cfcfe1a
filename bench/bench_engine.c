/* bench_engine.c — timing, FLOP rate, peak memory and a per-layer profile
 * of the engine.  Driven by bench/run.sh; each mode prints `key=value`
 * lines on stdout (for the script) and a readable summary on stderr.
 *
 *   bench-engine iter    --model F --size N [--iters K] [--threads T] [--dump PREFIX]
 *                        [--memory-limit MIB]
 *       K L-BFGS iterations of the real objective (default layers, one
 *       style image, single scale) through the public job API; the progress
 *       callback gives each iteration's seconds.  Prints the median seconds
 *       per iteration, evaluations, FLOP per evaluation, peak RSS and the
 *       engine's memory estimate.  --dump writes the content, style and
 *       initial images (interleaved float32 HxWx3) for bench/torch_ref.py,
 *       which starts from the same x0 and so must report the same loss0.
 *   bench-engine full    --model F --size N [--threads T]
 *       A whole default stylisation (ns_params_init: multi-resolution
 *       schedule, default iterations) of an N x N image; wall time.
 *   bench-engine estimate --model F --size N [--iters K] [--threads T]
 *       A default stylisation (multi-resolution schedule) with K iterations
 *       per level: ns_estimate_seconds() (reference machine) and, after
 *       ns_speed_measure(), ns_estimate_seconds_at() (this machine) before,
 *       wall time after (bench/estimate.sh prints the table).
 *   bench-engine isa     [--size N] [--reps R] [--threads T]
 *       The fused Winograd 3x3 conv (128 -> 128 channels, N x N) on every
 *       instruction set this CPU runs: GFLOP/s of each, for the per-ISA
 *       factor of the time estimate (engine/estimate.c).
 *   bench-engine profile --model F --size N [--reps R] [--threads T]
 *       Per-layer times of one evaluation: the same conv / pool / ReLU /
 *       loss ops the network calls, timed one by one (median of R), next
 *       to the time of a whole ns_objective_eval.
 *
 *   bench-engine estimate-cost --model F --size N [--reps R]
 *       The job-free estimates the dialog shows on every slider move
 *       (ns_estimate_memory + ns_estimate_seconds, default parameters, one
 *       style): their values and the median milliseconds of R calls.
 *
 * FLOP count: one evaluation = VGG forward to the deepest tapped layer
 * (relu5_1) + gradient wrt the input = 2 x ns_network_forward_flops
 * (2 FLOP per multiply-add of every conv, forward, and the same again for
 * the input gradient; pooling, ReLU, Gram and loss FLOPs are not counted).
 */
#include "neural_style.h"
#include "conv.h"
#include "conv_wino_fused.h"
#include "model.h"
#include "image_ops.h"
#include "losses.h"
#include "objective.h"
#include "pool.h"

#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/* ------------------------------------------------------------ helpers */

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
  return ru.ru_maxrss / 1024.0;   /* ru_maxrss is KiB on Linux */
}

static double
current_rss_mib (void)
{
  double mib = -1;
  FILE *f = fopen ("/proc/self/status", "r");
  char line[256];
  while (f && fgets (line, sizeof line, f))
    if (strncmp (line, "VmRSS:", 6) == 0)
      mib = atof (line + 6) / 1024.0;
  if (f)
    fclose (f);
  return mib;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
median (double *v, int n)
{
  if (n <= 0)
    return NAN;
  qsort (v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void
set_threads (int threads)
{
  if (threads > 0)
    {
      omp_set_num_threads (threads);
      openblas_set_num_threads (threads);
    }
}

/* Deterministic test pictures (interleaved sRGB 0..1): `kind` 0 = content
 * (smooth blobs + a little noise), 1 = style (diagonal stripes + noise),
 * 2 = initial image 0.4*content + 0.6*uniform noise (the default blend). */
static NsImage *
make_image (int w, int h, int kind, const NsImage *content)
{
  NsImage *img = ns_image_new (w, h);
  GRand *r = g_rand_new_with_seed (17 + kind);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      for (int c = 0; c < 3; c++)
        {
          double u = (double) x / w, v = (double) y / h, val;
          if (kind == 0)
            val = 0.5 + 0.3 * sin (6.0 * u + 2.0 * c) * cos (4.0 * v - c)
              + 0.05 * g_rand_double_range (r, -1, 1);
          else if (kind == 1)
            val = 0.5 + 0.4 * sin (40.0 * (u + v) + 1.7 * c)
              + 0.1 * g_rand_double_range (r, -1, 1);
          else
            val = 0.4 * content->data[((size_t) y * w + x) * 3 + c]
              + 0.6 * g_rand_double (r);
          img->data[((size_t) y * w + x) * 3 + c] = (float) CLAMP (val, 0.0, 1.0);
        }
  g_rand_free (r);
  return img;
}

static gboolean
dump_image (const NsImage *img, const char *prefix, const char *what, GError **error)
{
  char *path = g_strdup_printf ("%s.%s.f32", prefix, what);
  gboolean ok = g_file_set_contents (path, (const char *) img->data,
                                     (gssize) sizeof (float) * 3 * img->width * img->height,
                                     error);
  g_free (path);
  return ok;
}

/* FLOP of one evaluation (forward + input gradient) at N x N with the
 * default layers. */
static double
eval_flops (const NsModel *model, const NsParams *p, int W, int H)
{
  NsObjective *obj = ns_objective_new (model, p, NULL);
  if (!obj)
    return NAN;
  double f = 2.0 * ns_network_forward_flops (ns_objective_network (obj), H, W);
  ns_objective_free (obj);
  return f;
}

/* Gram FLOP of one evaluation (not in the conv count above): per style
 * layer G = F Fᵀ (2·C²·N) and its gradient (G−A)·F (2·C²·N).  The issue's
 * quoted 99 / 397 / 1588 GFLOP are conv + Gram.  VGG layer tables only
 * (Fire modules are not followed). */
static double
gram_flops (const NsModel *model, int W, int H)
{
  char **names = ns_parse_layer_list (ns_model_default_style_layers (model));
  int n_layers, c = 3, h = H, w = W;
  const NsLayerDesc *l = ns_arch_layers (model->arch, &n_layers);
  double f = 0;
  for (int i = 0; i < n_layers; i++)
    {
      if (l[i].kind == NS_LAYER_CONV)
        c = l[i].cout;
      else if (l[i].kind == NS_LAYER_POOL)
        {
          NsPoolSpec ps = { l[i].k, l[i].stride, l[i].pad, l[i].ceil_mode, NS_POOLING_MAX };
          ns_pool_out_size (&ps, h, w, &h, &w);
        }
      for (int k = 0; names && names[k]; k++)
        if (strcmp (names[k], l[i].name) == 0)
          f += 4.0 * c * c * (double) h * w;
    }
  g_strfreev (names);
  return f;
}

static double
load1 (void)
{
  double l[1] = { -1 };
  getloadavg (l, 1);
  return l[0];
}

/* ------------------------------------------------------------ iter */

typedef struct
{
  GArray *secs;       /* per accepted iteration >= 1 */
  GArray *evals;      /* evaluations used by that iteration */
  GArray *cpu;        /* process CPU seconds (user+sys) of that iteration */
  int     last_evals;
  double  last_cpu;
  double  loss0, content0, style0, tv0;
} IterRec;

static double
cpu_s (void)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec
    + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static gboolean
on_iter (const NsProgress *pr, gpointer data)
{
  IterRec *r = data;
  double cpu = cpu_s ();
  if (pr->iteration == 0)
    {
      r->loss0 = pr->total;
      r->content0 = pr->content;
      r->style0 = pr->style;
      r->tv0 = pr->tv;
    }
  else
    {
      double s = pr->seconds;
      int e = pr->evaluations - r->last_evals;
      g_array_append_val (r->secs, s);
      g_array_append_val (r->evals, e);
      double dc = cpu - r->last_cpu;
      g_array_append_val (r->cpu, dc);
    }
  r->last_evals = pr->evaluations;
  r->last_cpu = cpu;
  return TRUE;
}

static int
mode_iter (NsModel *model, int size, int iters, int threads, const char *dump,
           double mem_limit)
{
  GError *err = NULL;
  double rss_model = current_rss_mib ();
  NsImage *content = make_image (size, size, 0, NULL);
  NsImage *style = make_image (size, size, 1, NULL);
  NsImage *init = make_image (size, size, 2, content);
  if (dump && !(dump_image (content, dump, "content", &err)
                && dump_image (style, dump, "style", &err)
                && dump_image (init, dump, "init", &err)))
    {
      fprintf (stderr, "dump: %s\n", err->message);
      return 1;
    }

  NsParams p;
  ns_params_init (&p);
  p.size = size;
  p.multires = 1;
  p.iterations = iters;
  p.threads = threads;
  p.init = NS_INIT_IMAGE;
  p.initial_noiseblend = 0.0;   /* x0 = the dumped init image exactly (already blended) */
  /* bench/torch_ref.py's objective: alpha 1, beta 100, TV 1 (the first
   * release's defaults; ns_params_init's are 70 / 100 / 0.1 with the style
   * balance since #20), the style image weighing as given */
  p.content_weight = 1.0;
  p.style_weight = 100.0;
  p.tv_weight = 1.0;
  p.style_balance = NS_STYLE_BALANCE_OFF;
  p.memory_limit_mb = mem_limit;   /* default 1e6: measure, do not refuse */

  IterRec rec = { g_array_new (FALSE, FALSE, sizeof (double)),
                  g_array_new (FALSE, FALSE, sizeof (int)),
                  g_array_new (FALSE, FALSE, sizeof (double)), 0, 0, NAN, NAN, NAN, NAN };
  NsJob *job = ns_job_new (model, content, &p, &err);
  NsImage *out = NULL;
  if (job && ns_job_add_style (job, style, 1.0, 1.0, &err))
    {
      ns_job_set_init_image (job, init);
      ns_job_set_progress (job, on_iter, &rec);
      /* the job holds copies: measure the job, not the bench's inputs */
      g_clear_pointer (&content, ns_image_free);
      g_clear_pointer (&style, ns_image_free);
      g_clear_pointer (&init, ns_image_free);
      out = ns_job_run (job, &err);
    }
  if (!out)
    {
      fprintf (stderr, "iter: %s\n", err ? err->message : "failed");
      return 1;
    }

  int n = (int) rec.secs->len, total_evals = 0;
  double sum = 0;
  for (int i = 0; i < n; i++)
    {
      sum += g_array_index (rec.secs, double, i);
      total_evals += g_array_index (rec.evals, int, i);
    }
  double *v = g_memdup2 (rec.secs->data, sizeof (double) * MAX (n, 1));
  double med = median (v, n);
  /* per evaluation: iterations that took exactly one evaluation (the
   * common case); all iterations' mean if there is none */
  int n1 = 0;
  for (int i = 0; i < n; i++)
    if (g_array_index (rec.evals, int, i) == 1)
      v[n1++] = g_array_index (rec.secs, double, i);
  double per_eval = n1 > 0 ? median (v, n1) : sum / MAX (total_evals, 1);
  for (int i = 0; i < n; i++)
    v[i] = g_array_index (rec.cpu, double, i);
  double cpu_med = median (v, n);
  g_free (v);

  double flops = eval_flops (model, &p, size, size);
  double gram = gram_flops (model, size, size);
  double peak = peak_rss_mib ();
  double est_job = ns_job_estimate_memory (job) / 1048576.0;
  double est_api = ns_estimate_memory (model, &p, size, size, 1) / 1048576.0;

  printf ("cpu_iter_median=%.4f\ngflop_gram=%.2f\nload1=%.2f\n", cpu_med, gram / 1e9,
          load1 ());
  printf ("size=%d\niters=%d\nevals=%d\nsec_iter_median=%.4f\nsec_eval_median=%.4f\n"
          "gflop_eval=%.2f\ngflops=%.2f\npeak_rss_mib=%.1f\nrss_model_mib=%.1f\n"
          "est_mib=%.1f\nest_job_mib=%.1f\nloss0=%.9g\ncontent0=%.9g\nstyle0=%.9g\n"
          "tv0=%.9g\nstop=%s\n",
          size, n, total_evals, med, per_eval, flops / 1e9, flops / 1e9 / per_eval,
          peak, rss_model, est_api, est_job, rec.loss0, rec.content0, rec.style0, rec.tv0,
          ns_stop_reason_to_string (ns_job_get_stop_reason (job)));
  fprintf (stderr, "engine %4d px: %d iterations (%d evals), median %.3f s/iter, %.3f s/eval,"
           " %.1f GFLOP/eval, %.1f GFLOP/s, peak RSS %.0f MiB (estimate %.0f MiB)\n",
           size, n, total_evals, med, per_eval, flops / 1e9, flops / 1e9 / per_eval, peak,
           est_job);
  ns_image_free (out);
  ns_job_free (job);
  ns_image_free (content);
  ns_image_free (style);
  ns_image_free (init);
  g_array_free (rec.secs, TRUE);
  g_array_free (rec.evals, TRUE);
  g_array_free (rec.cpu, TRUE);
  return 0;
}

/* ------------------------------------------------------------ full */

typedef struct
{
  int level, levels, last_iter, iters_total;
  double level_t0, level_secs[8];
  int level_iters[8], level_w[8];
} FullRec;

static gboolean
on_full (const NsProgress *pr, gpointer data)
{
  FullRec *r = data;
  int l = CLAMP (pr->level - 1, 0, 7);
  r->levels = pr->levels;
  r->level_iters[l] = pr->iteration;
  r->level_w[l] = pr->width;
  r->level_secs[l] += pr->seconds;
  if (pr->iteration > 0)
    r->iters_total++;
  return TRUE;
}

static int
mode_full (NsModel *model, int size, int threads)
{
  GError *err = NULL;
  NsImage *content = make_image (size, size, 0, NULL);
  NsImage *style = make_image (size, size, 1, NULL);
  NsParams p;
  ns_params_init (&p);   /* default schedule and iterations */
  p.size = size;
  p.threads = threads;
  FullRec rec = { 0 };
  double t0 = now_s ();
  NsJob *job = ns_job_new (model, content, &p, &err);
  NsImage *out = NULL;
  if (job && ns_job_add_style (job, style, 1.0, 1.0, &err))
    {
      ns_job_set_progress (job, on_full, &rec);
      out = ns_job_run (job, &err);
    }
  double wall = now_s () - t0;
  if (!out)
    {
      fprintf (stderr, "full: %s\n", err ? err->message : "failed");
      return 1;
    }
  GString *sched = g_string_new (NULL);
  for (int l = 0; l < MIN (rec.levels, 8); l++)
    g_string_append_printf (sched, "%s%dpx:%dit:%.0fs", l ? "," : "", rec.level_w[l],
                            rec.level_iters[l], rec.level_secs[l]);
  printf ("size=%d\nfull_wall_s=%.1f\nlevels=%d\niterations=%d\nevaluations=%d\n"
          "schedule=%s\npeak_rss_mib=%.1f\nest_seconds=%.1f\nstop=%s\n",
          size, wall, rec.levels, rec.iters_total, ns_job_get_evaluations (job), sched->str,
          peak_rss_mib (), ns_estimate_seconds (model, &p, size, size, 1),
          ns_stop_reason_to_string (ns_job_get_stop_reason (job)));
  fprintf (stderr, "full default stylisation %d px: %.1f s (%s)\n", size, wall, sched->str);
  g_string_free (sched, TRUE);
  ns_image_free (out);
  ns_job_free (job);
  ns_image_free (content);
  ns_image_free (style);
  return 0;
}

/* ------------------------------------------------------------ estimate */

static int
mode_estimate (NsModel *model, int size, int iters, int threads)
{
  GError *err = NULL;
  NsImage *content = make_image (size, size, 0, NULL);
  NsImage *style = make_image (size, size, 1, NULL);
  NsParams p;
  ns_params_init (&p);   /* default schedule */
  p.size = size;
  p.iterations = iters;
  p.threads = threads;
  double est = ns_estimate_seconds (model, &p, size, size, 1);
  NsSpeed speed;
  double t_measure = now_s ();
  if (!ns_speed_measure (model, threads, &speed, &err))
    {
      fprintf (stderr, "estimate: %s\n", err->message);
      g_error_free (err);
      return 1;
    }
  t_measure = now_s () - t_measure;
  double est_at = ns_estimate_seconds_at (model, &p, size, size, 1, 0, &speed);
  FullRec rec = { 0 };
  double t0 = now_s ();
  NsJob *job = ns_job_new (model, content, &p, &err);
  NsImage *out = NULL;
  if (job && ns_job_add_style (job, style, 1.0, 1.0, &err))
    {
      ns_job_set_progress (job, on_full, &rec);
      out = ns_job_run (job, &err);
    }
  double wall = now_s () - t0;
  if (!out)
    {
      fprintf (stderr, "estimate: %s\n", err ? err->message : "failed");
      return 1;
    }
  printf ("arch=%s\nsize=%d\niters=%d\nlevels=%d\nevaluations=%d\nest_seconds=%.2f\n"
          "wall_s=%.2f\nratio=%.2f\nspeed_fixed_s=%.4f\nspeed_s_per_gflop=%.5f\nspeed_job_s=%.3f\n"
          "speed_measure_s=%.2f\nest_measured_seconds=%.2f\nratio_measured=%.2f\n",
          ns_arch_name (model->arch), size, iters, rec.levels, ns_job_get_evaluations (job),
          est, wall, wall / est, speed.eval_fixed_s, speed.eval_s_per_gflop, speed.job_fixed_s,
          t_measure, est_at,
          wall / est_at);
  fprintf (stderr, "%s %d px, %d iterations/level: estimate %.1f s (measured speed: %.1f s), "
           "measured %.1f s\n", ns_arch_name (model->arch), size, iters, est, est_at, wall);
  ns_image_free (out);
  ns_job_free (job);
  ns_image_free (content);
  ns_image_free (style);
  return 0;
}

/* One 128 -> 128 channel 3x3 conv of an n x n image per ISA, median of reps. */
static int
mode_isa (int n, int reps, int threads)
{
  set_threads (threads);
  const int c = 128;
  float *weight = g_new0 (float, (size_t) c * c * 9), *bias = g_new0 (float, c);
  for (size_t i = 0; i < (size_t) c * c * 9; i++)
    weight[i] = (float) ((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
  NsConvSpec spec = { c, c, 3, 3, 1, 1, weight, bias };
  float *packed = g_new (float, ns_wino_packed_floats (c, c));
  ns_wino_pack (&spec, 0, packed);
  int nth = omp_get_max_threads ();
  size_t sf = ns_wino_scratch_floats (c, nth);
  float *scratch = g_new (float, sf);
  float *in = g_new (float, (size_t) c * n * n), *out = g_new (float, (size_t) c * n * n);
  for (size_t i = 0; i < (size_t) c * n * n; i++)
    in[i] = (float) (i % 97) / 97.0f;
  double flop = 2.0 * c * c * 9 * n * n;
  double ref = 0;
  for (NsWinoIsa isa = NS_WINO_ISA_GENERIC; isa <= NS_WINO_ISA_AVX512; isa++)
    {
      if (!ns_wino_isa_supported (isa))
        continue;
      double t[64];
      int r = MIN (reps, 64);
      for (int i = 0; i < r; i++)
        {
          double t0 = now_s ();
          ns_wino_fused_conv (isa, packed, c, c, in, n, n, spec.bias, 1, 0, out, scratch, sf);
          t[i] = now_s () - t0;
        }
      for (int i = 1; i < r; i++)      /* insertion sort for the median */
        for (int j = i; j > 0 && t[j] < t[j - 1]; j--)
          {
            double x = t[j]; t[j] = t[j - 1]; t[j - 1] = x;
          }
      double gflops = flop / t[r / 2] / 1e9;
      if (isa == NS_WINO_ISA_GENERIC)
        ref = gflops;
      printf ("isa_%s_gflops=%.1f\n", ns_wino_isa_name (isa), gflops);
      fprintf (stderr, "%-8s %6.1f GFLOP/s (%.2f x generic)\n", ns_wino_isa_name (isa), gflops,
               ref > 0 ? gflops / ref : 0);
    }
  g_free (weight);
  g_free (bias);
  g_free (packed);
  g_free (scratch);
  g_free (in);
  g_free (out);
  return 0;
}

/* ------------------------------------------------------------ profile */

/* Where one evaluation's time goes, per node of the real network path
 * (ns_network_set_profile: each node's forward op, backward op and tap
 * losses timed inside ns_objective_eval), summed over `reps` evaluations
 * after a warm-up and divided by reps; printed as a Markdown table. */
static int
mode_profile (NsModel *model, int size, int reps, int threads)
{
  GError *err = NULL;
  set_threads (threads);
  NsParams p;
  ns_params_init (&p);
  p.size = size;
  p.threads = threads;
  const int H = size, W = size;
  NsImage *ci = make_image (W, H, 0, NULL), *si = make_image (W, H, 1, NULL);
  NsImage *xi = make_image (W, H, 2, ci);
  float *cpl = g_new (float, 3 * W * H), *spl = g_new (float, 3 * W * H);
  float *x = g_new (float, 3 * W * H), *g = g_new (float, 3 * W * H);
  ns_interleaved_to_planar (ci->data, W, H, cpl);
  ns_interleaved_to_planar (si->data, W, H, spl);
  ns_interleaved_to_planar (xi->data, W, H, x);
  NsObjective *obj = ns_objective_new (model, &p, &err);
  if (!obj || !ns_objective_set_content (obj, cpl, W, H, &err)
      || !ns_objective_add_style (obj, spl, W, H, 1.0, &err)
      || !ns_objective_ready (obj, &err))
    {
      fprintf (stderr, "profile: %s\n", err ? err->message : "failed");
      return 1;
    }
  NsNetwork *net = ns_objective_network (obj);
  ns_objective_eval (x, g, obj);   /* warm-up */
  ns_network_set_profile (net, TRUE);
  double t0 = now_s ();
  for (int r = 0; r < reps; r++)
    ns_objective_eval (x, g, obj);
  const double t_eval = (now_s () - t0) / reps;

  printf ("| node | output C×H×W | GFLOP fwd | fwd ms | bwd ms | losses ms | fwd GFLOP/s | bwd GFLOP/s | %% of eval |\n");
  printf ("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
  double sum = 0, gflop_sum = 0, loss_sum = 0;
  for (int i = 0; i < ns_network_n_nodes (net); i++)
    {
      const char *name;
      int C, h, w;
      double gf, tf, tb, tl;
      ns_network_node_profile (net, i, &name, &C, &h, &w, &gf, &tf, &tb, &tl);
      tf /= reps, tb /= reps, tl /= reps;
      sum += tf + tb + tl;
      loss_sum += tl;
      gflop_sum += gf;
      char rf[32] = "", rb[32] = "";
      if (gf > 0)
        {
          g_snprintf (rf, sizeof rf, "%.0f", gf / tf);
          g_snprintf (rb, sizeof rb, "%.0f", gf / tb);
        }
      printf ("| %s | %d×%d×%d | %.2f | %.1f | %.1f | %.1f | %s | %s | %.1f |\n", name, C, h, w,
              gf, tf * 1e3, tb * 1e3, tl * 1e3, rf, rb, 100 * (tf + tb + tl) / t_eval);
    }
  printf ("| rest (preprocessing, TV loss, gradient to the image) | | | | | | | | %.1f |\n",
          100 * (t_eval - sum) / t_eval);
  printf ("| **ns_objective_eval** | | %.1f (×2 with the gradient) | | | %.1f | %.0f (fwd+bwd) | | "
          "%.0f ms |\n", gflop_sum, loss_sum * 1e3, 2 * gflop_sum / t_eval, t_eval * 1e3);
  ns_objective_free (obj);
  ns_image_free (ci);
  ns_image_free (si);
  ns_image_free (xi);
  g_free (cpl);
  g_free (spl);
  g_free (x);
  g_free (g);
  return 0;
}

/* ------------------------------------------------------------ main */

static int
mode_estimate_cost (const NsModel *model, int size, int reps)
{
  NsParams p;
  ns_params_init (&p);
  p.size = 0;                  /* the image as is: size x size */
  double *ms = g_new (double, reps);
  guint64 mem = 0;
  double sec = 0;
  for (int r = 0; r < reps; r++)
    {
      const gint64 t0 = g_get_monotonic_time ();
      mem = ns_estimate_memory (model, &p, size, size, 1);
      sec = ns_estimate_seconds (model, &p, size, size, 1);
      ms[r] = (g_get_monotonic_time () - t0) / 1e3;
    }
  const double med = median (ms, reps);
  printf ("est_memory_bytes=%" G_GUINT64_FORMAT "\nest_seconds=%.4f\nest_ms_median=%.4f\n", mem,
          sec, med);
  fprintf (stderr, "%d px: estimates %.1f MiB, %.1f s, computed in %.3f ms (median of %d)\n",
           size, mem / 1048576.0, sec, med, reps);
  g_free (ms);
  return 0;
}

int
main (int argc, char **argv)
{
  ns_process_init (argv);   /* as the CLI and the plug-in do (engine/process.c) */
  char *model_path = NULL, *dump = NULL;
  int size = 256, iters = 5, threads = 0, reps = 5;
  double mem_limit = 1e6;
  GOptionEntry entries[] = {
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &model_path, "model file", "FILE" },
    { "size", 0, 0, G_OPTION_ARG_INT, &size, "image side (px)", "N" },
    { "iters", 0, 0, G_OPTION_ARG_INT, &iters, "L-BFGS iterations (iter)", "K" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, "threads (0 = all)", "T" },
    { "reps", 0, 0, G_OPTION_ARG_INT, &reps, "repetitions per op (profile)", "R" },
    { "dump", 0, 0, G_OPTION_ARG_FILENAME, &dump, "write input images (iter)", "PREFIX" },
    { "memory-limit", 0, 0, G_OPTION_ARG_DOUBLE, &mem_limit,
      "the job's memory limit (iter; default: none)", "MIB" },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  GOptionContext *ctx = g_option_context_new ("iter|full|profile|estimate - engine benchmarks");
  g_option_context_add_main_entries (ctx, entries, NULL);
  GError *err = NULL;
  if (g_option_context_parse (ctx, &argc, &argv, &err) && argc == 2 && strcmp (argv[1], "isa") == 0)
    {
      g_option_context_free (ctx);
      return mode_isa (size, reps, threads);
    }
  if (err || argc != 2 || !model_path
      || size < 16 || iters < 1 || reps < 1)
    {
      fprintf (stderr, "%s\nusage: bench-engine iter|full|profile|estimate --model FILE [options]\n",
               err ? err->message : "");
      g_option_context_free (ctx);
      return 2;
    }
  g_option_context_free (ctx);
  NsModel *model = ns_model_load (model_path, &err);
  if (!model)
    {
      fprintf (stderr, "%s\n", err->message);
      return 1;
    }
  int rc;
  if (strcmp (argv[1], "iter") == 0)
    rc = mode_iter (model, size, iters, threads, dump, mem_limit);
  else if (strcmp (argv[1], "full") == 0)
    rc = mode_full (model, size, threads);
  else if (strcmp (argv[1], "estimate") == 0)
    rc = mode_estimate (model, size, iters, threads);
  else if (strcmp (argv[1], "profile") == 0)
    rc = mode_profile (model, size, reps, threads);
  else if (strcmp (argv[1], "estimate-cost") == 0)
    rc = mode_estimate_cost (model, size, reps);
  else
    {
      fprintf (stderr, "unknown mode %s\n", argv[1]);
      rc = 2;
    }
  ns_model_free (model);
  g_free (model_path);
  g_free (dump);
  return rc;
}
