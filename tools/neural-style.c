/* neural-style — command-line front end of the style engine.
 *
 *   neural-style --content IN --style FILE[:WEIGHT[:SCALE]] ... --output OUT [options]
 *   neural-style --content IN|DIR ... --style ... --output-dir DIR [options]   (batch.c)
 *   neural-style convert IN.pth OUT.safetensors [--arch ARCH]
 *   neural-style info MODEL.safetensors
 *   neural-style classify IMAGE --model MODEL.safetensors [--top N] [--labels FILE]
 *   neural-style judge CONTENT STYLE OUTPUT [...] [--model GOOGLENET] [--report FILE]
 *
 * Run `neural-style --help` for every option (names follow
 * anishathalye/neural-style where one exists).
 */
#include "neural_style.h"
#include "batch.h"
#include "classify.h"
#include "judge.h"
#include "image_io.h"
#include "region_opts.h"
#include "report.h"
#include "style_spec.h"
#include "ns_config.h"

#include <gegl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

typedef struct
{
  char   *model, *content, *output, *report, *init, *optimizer, *pooling, *style_loss, *balance;
  char  **styles;
  char  **contents;        /* --content, repeatable (files or folders) */
  char   *output_dir;      /* batch: one output per content file */
  char   *checkpoint_output;
  int     checkpoint_every;
  gboolean quiet, preserve_colors, version;
  gint64  seed;
  gboolean tty;
  gint64  last_draw;
} CliOptions;

typedef struct
{
  CliOptions *o;
  NsImage    *content;
} CheckpointCtx;

/* The first SIGINT or SIGTERM: its number.  The engine is stopped through
 * its own cancel mechanism (on_progress returns FALSE at the next
 * iteration); the best image so far is then written and the exit status is
 * 128 + the signal.  A second signal exits at once, writing nothing (the
 * temporary file of a save in progress is removed; the old output stays). */
static volatile sig_atomic_t interrupted;

static void
on_signal (int sig)
{
  if (interrupted)
    {
      const char *tmp = ns_io_pending_temp ();
      if (tmp[0])
        unlink (tmp);
      _exit (128 + sig);
    }
  interrupted = sig;
}

static void
catch_interrupts (void)
{
  struct sigaction sa = { 0 };
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset (&sa.sa_mask);
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);
}

static void
format_eta (double secs, char *buf, size_t len)
{
  if (secs < 0)
    g_strlcpy (buf, "--:--", len);
  else
    g_snprintf (buf, len, "%d:%02d", (int) secs / 60, (int) secs % 60);
}

static gboolean
on_progress (const NsProgress *pr, gpointer data)
{
  CliOptions *o = data;
  if (interrupted)
    return FALSE;   /* cancel: the engine returns the best image so far */
  if (o->quiet)
    return TRUE;
  char eta[32];
  format_eta (pr->eta, eta, sizeof eta);
  if (o->tty)
    {
      gint64 now = g_get_monotonic_time ();
      if (now - o->last_draw < 100000 && pr->iteration != pr->iterations)
        return TRUE;
      o->last_draw = now;
      int width = 30, filled = (int) (pr->fraction * width + 0.5);
      char bar[64];
      for (int i = 0; i < width; i++)
        bar[i] = i < filled ? '#' : '-';
      bar[width] = '\0';
      fprintf (stderr, "\r[%s] %3.0f%%  level %d/%d  it %d/%d  loss %.4g  ETA %s ",
               bar, pr->fraction * 100, pr->level, pr->levels, pr->iteration,
               pr->iterations, pr->total, eta);
      if (pr->fraction >= 1.0)
        fputc ('\n', stderr);
    }
  else if (pr->iteration % 10 == 0 || pr->iteration == pr->iterations)
    fprintf (stderr, "level %d/%d (%dx%d) iteration %d/%d: total %.6g content %.6g "
             "style %.6g tv %.6g  ETA %s\n", pr->level, pr->levels, pr->width, pr->height,
             pr->iteration, pr->iterations, pr->total, pr->content, pr->style, pr->tv, eta);
  return TRUE;
}

static void
on_snapshot (const NsImage *img, const NsProgress *pr, gpointer data)
{
  CheckpointCtx *c = data;
  const char *pat = c->o->checkpoint_output;
  char *path;
  if (strstr (pat, "%d") || strstr (pat, "%s"))
    {
      char num[32];
      g_snprintf (num, sizeof num, "%d", pr->iteration);
      GString *s = g_string_new (pat);
      g_string_replace (s, strstr (pat, "%d") ? "%d" : "%s", num, 1);
      path = g_string_free (s, FALSE);
    }
  else
    path = g_strdup_printf ("%s.%d.png", pat, pr->iteration);
  GError *err = NULL;
  if (!ns_io_save (img, path, &err))
    {
      fprintf (stderr, "warning: checkpoint %s\n", err->message);
      g_error_free (err);
    }
  g_free (path);
}

static int
cmd_convert (int argc, char **argv)
{
  const char *arch = NULL;
  const char *in = NULL, *out = NULL;
  for (int i = 2; i < argc; i++)
    {
      if (strcmp (argv[i], "--arch") == 0 && i + 1 < argc)
        arch = argv[++i];
      else if (!in)
        in = argv[i];
      else if (!out)
        out = argv[i];
      else
        in = NULL, i = argc;
    }
  if (!in || !out)
    {
      fprintf (stderr, "usage: neural-style convert IN.pth OUT.safetensors [--arch vgg19|vgg16|squeezenet1_1]\n");
      return 2;
    }
  GError *err = NULL;
  if (!ns_convert_pth (in, out, arch, &err))
    {
      fprintf (stderr, "neural-style: %s\n", err->message);
      g_error_free (err);
      return 1;
    }
  NsModel *m = ns_model_load (out, &err);
  if (!m)
    {
      fprintf (stderr, "neural-style: converted file does not load: %s\n", err->message);
      g_error_free (err);
      g_unlink (out);
      return 1;
    }
  printf ("%s: %s model written\n", out, ns_model_architecture (m));
  ns_model_free (m);
  return 0;
}

static int
cmd_info (int argc, char **argv)
{
  if (argc != 3)
    {
      fprintf (stderr, "usage: neural-style info MODEL.safetensors\n");
      return 2;
    }
  GError *err = NULL;
  NsModel *m = ns_model_load (argv[2], &err);
  if (!m)
    {
      fprintf (stderr, "neural-style: %s\n", err->message);
      g_error_free (err);
      return 1;
    }
  printf ("architecture: %s\nstyle layers: %s\ncontent layers: %s\nkernels: %s\n",
          ns_model_architecture (m), ns_model_default_style_layers (m),
          ns_model_default_content_layers (m), ns_kernel_isa ());
  ns_model_free (m);
  return 0;
}

static gboolean
parse_enum (const char *value, const char *const *names, int n, int *out)
{
  for (int i = 0; i < n; i++)
    if (g_ascii_strcasecmp (value, names[i]) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

/* A --OPTION given as one of `names`: its index in *out; not given: *out
 * unchanged; anything else: "--OPTION must be ALLOWED" and FALSE. */
static gboolean
enum_option (const char *value, const char *option, const char *const *names, int n,
             const char *allowed, int *out)
{
  if (!value || parse_enum (value, names, n, out))
    return TRUE;
  fprintf (stderr, "neural-style: --%s must be %s\n", option, allowed);
  return FALSE;
}

static int
cmd_stylize (int argc, char **argv)
{
  CliOptions o = { 0 };
  NsParams p;
  ns_params_init (&p);
  o.seed = -1;
  /* --preset first, so that explicit weights given with it win */
  const char *preset = NULL;
  char *preset_opt = NULL;   /* parsed again below (documented, applied already) */
  for (int i = 1; i < argc; i++)
    if (g_str_has_prefix (argv[i], "--preset="))
      preset = argv[i] + strlen ("--preset=");
    else if (strcmp (argv[i], "--preset") == 0 && i + 1 < argc)
      preset = argv[i + 1];
  NsPreset pr;
  if (preset && !ns_preset_from_name (preset, &pr))
    {
      fprintf (stderr, "neural-style: --preset must be subtle, balanced or strong\n");
      return 2;
    }
  if (preset)
    ns_params_apply_preset (&p, pr);
  /* help texts state the defaults from ns_params_init */
  char *h_cw = g_strdup_printf ("Content weight alpha (default %g); lower = more style",
                                p.content_weight);
  char *h_sw = g_strdup_printf ("Style weight beta (default %g)", p.style_weight);
  char *h_tv = g_strdup_printf ("Total-variation smoothing weight gamma (default %g)",
                                p.tv_weight);
  char *h_nb = g_strdup_printf ("Blend this much noise into the initial image (0..1, default %g: "
                                "noise only when asked or with --init noise)",
                                p.initial_noiseblend);
  double content_weight = p.content_weight, style_weight = p.style_weight;
  double tv_weight = p.tv_weight, lr = p.learning_rate, blend = p.content_weight_blend;
  double exp_ = p.style_layer_weight_exp, tol = p.tolerance, noiseblend = p.initial_noiseblend;
  double beta1 = p.beta1, beta2 = p.beta2, eps = p.epsilon, mem_limit = 0;
  int iterations = p.iterations, size = p.size, multires = p.multires, threads = 0;
  int history = p.lbfgs_history, window = p.tolerance_window, tile_size = 0;
  int detail_side = p.detail_side, detail_iterations = p.detail_iterations;
  char *content_layers = NULL, *style_layers = NULL;

  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &o.model, "Model file (.safetensors); default: the installed model", "FILE" },
    { "content", 'c', 0, G_OPTION_ARG_FILENAME_ARRAY, &o.contents, "Content image; repeatable, or a folder, with --output-dir", "FILE|DIR" },
    { "style", 's', 0, G_OPTION_ARG_FILENAME_ARRAY, &o.styles, "Style image with blend weight and relative scale (repeatable)", "FILE[:WEIGHT[:SCALE]]" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output, "Output image (PNG, JPEG, TIFF, EXR, ...)", "FILE" },
    { "output-dir", 0, 0, G_OPTION_ARG_FILENAME, &o.output_dir, "Batch: write each --content image to DIR under its own file name; the exit status is the number of files that failed", "DIR" },
    { "size", 0, 0, G_OPTION_ARG_INT, &size, "Longest side of the working image; 0 = as is (default 512)", "N" },
    { "iterations", 'i', 0, G_OPTION_ARG_INT, &iterations, "Iterations of the last level up to --detail-side (coarser levels run twice as many; default 50)", "N" },
    { "tolerance", 0, 0, G_OPTION_ARG_DOUBLE, &tol, "Stop when the loss changes less than T (relative) over the last k iterations (0 = off)", "T" },
    { "tolerance-window", 0, 0, G_OPTION_ARG_INT, &window, "k for --tolerance (default 5)", "K" },
    { "optimizer", 0, 0, G_OPTION_ARG_STRING, &o.optimizer, "lbfgs (default) or adam", "NAME" },
    { "lbfgs-history", 0, 0, G_OPTION_ARG_INT, &history, "L-BFGS correction pairs (default 0: 8, or fewer to fit the memory limit)", "M" },
    { "learning-rate", 0, 0, G_OPTION_ARG_DOUBLE, &lr, "Adam learning rate (image range 0..1; default 0.02)", "LR" },
    { "beta1", 0, 0, G_OPTION_ARG_DOUBLE, &beta1, "Adam beta1 (default 0.9)", "B" },
    { "beta2", 0, 0, G_OPTION_ARG_DOUBLE, &beta2, "Adam beta2 (default 0.999)", "B" },
    { "epsilon", 0, 0, G_OPTION_ARG_DOUBLE, &eps, "Adam epsilon (default 1e-8)", "E" },
    { "content-weight", 0, 0, G_OPTION_ARG_DOUBLE, &content_weight, h_cw, "W" },
    { "content-weight-blend", 0, 0, G_OPTION_ARG_DOUBLE, &blend, "Weight b of the first default content layer, 1-b on the second (default 1)", "B" },
    { "style-weight", 0, 0, G_OPTION_ARG_DOUBLE, &style_weight, h_sw, "W" },
    { "tv-weight", 0, 0, G_OPTION_ARG_DOUBLE, &tv_weight, h_tv, "W" },
    { "style-layer-weight-exp", 0, 0, G_OPTION_ARG_DOUBLE, &exp_, "Style layer k gets a weight proportional to E^k (default 1 = equal)", "E" },
    { "pooling", 0, 0, G_OPTION_ARG_STRING, &o.pooling, "max (default) or avg", "TYPE" },
    { "style-loss", 0, 0, G_OPTION_ARG_STRING, &o.style_loss,
      "gram (default) or swd (sliced Wasserstein, directions from --seed)", "LOSS" },
    { "style-balance", 0, 0, G_OPTION_ARG_STRING, &o.balance,
      "auto (default) or off: weigh each style image by how far it lies from the content (README \"Style balance\"; Gram loss only)", "MODE" },
    { "content-layers", 0, 0, G_OPTION_ARG_STRING, &content_layers, "Comma-separated content layers (equal weights)", "LIST" },
    { "style-layers", 0, 0, G_OPTION_ARG_STRING, &style_layers, "Comma-separated style layers", "LIST" },
    { "init", 0, 0, G_OPTION_ARG_FILENAME, &o.init, "noise, content (default) or an image file (started from as it is: no noise unless --initial-noiseblend)", "WHAT" },
    { "initial-noiseblend", 0, 0, G_OPTION_ARG_DOUBLE, &noiseblend, h_nb, "B" },
    { "preset", 0, 0, G_OPTION_ARG_STRING, &preset_opt, "subtle, balanced (the defaults) or strong: weights measured on the quality frontier (README \"Presets\"); options given with it win", "NAME" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &o.seed, "Random seed (default 0)", "N" },
    { "preserve-colors", 0, 0, G_OPTION_ARG_NONE, &o.preserve_colors, "Keep the content's colours (stylised luminance only)", NULL },
    { "multires", 0, 0, G_OPTION_ARG_INT, &multires, "Resolution levels: 1 = single scale, 0 = automatic (default)", "LEVELS" },
    { "detail-side", 0, 0, G_OPTION_ARG_INT, &detail_side, "Levels with a longer side than N px are detail passes from the upsampled level below, --detail-iterations each; 0 = none, every level doubles (default " G_STRINGIFY (NS_DEFAULT_DETAIL_SIDE) ")", "N" },
    { "detail-iterations", 0, 0, G_OPTION_ARG_INT, &detail_iterations, "Iterations of each detail level, at most --iterations (default " G_STRINGIFY (NS_DEFAULT_DETAIL_ITERATIONS) ")", "N" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, "Worker threads (0 = all cores)", "N" },
    { "memory-limit", 0, 0, G_OPTION_ARG_DOUBLE, &mem_limit, "Refuse jobs estimated above this many MiB (default 70% of RAM)", "MIB" },
    { "tile-size", 0, 0, G_OPTION_ARG_INT, &tile_size, "Evaluate the network tile by tile (exact; memory bounded by the tile): core side in px; 0 = automatic, only where --memory-limit needs it (default)", "N" },
    { "checkpoint-every", 0, 0, G_OPTION_ARG_INT, &o.checkpoint_every, "Save the current image every N iterations", "N" },
    { "checkpoint-output", 0, 0, G_OPTION_ARG_FILENAME, &o.checkpoint_output, "Checkpoint file pattern (%d = iteration)", "PATTERN" },
    { "report", 0, 0, G_OPTION_ARG_FILENAME, &o.report, "Write a JSON report of the run", "FILE" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet, "No progress output", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &o.version, "Print the version", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  NsRegionOpts ro;              /* --style-mask, --content-mask, --color-transfer */
  GOptionEntry ro_entries[5];
  ns_region_opts_init (&ro);
  ns_region_opts_entries (&ro, ro_entries);
  GOptionContext *ctx = g_option_context_new ("- neural style transfer (Gatys et al.)");
  g_option_context_set_summary (ctx,
    "Repaint CONTENT in the style of one or more STYLE images.\n"
    "Other commands: neural-style convert IN.pth OUT.safetensors [--arch ARCH]\n"
    "                neural-style info MODEL.safetensors\n"
    "                neural-style classify IMAGE --model MODEL.safetensors [--top N]\n"
    "                neural-style judge CONTENT STYLE OUTPUT [...] [--model GOOGLENET] [--report FILE]");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_main_entries (ctx, ro_entries, NULL);
  GError *err = NULL;
  int rc = 1;
  NsModel *model = NULL;
  NsJob *job = NULL;
  NsImage *content = NULL, *result = NULL;
  char *model_path = NULL;

  if (!g_option_context_parse (ctx, &argc, &argv, &err))
    {
      fprintf (stderr, "neural-style: %s (see --help)\n", err->message);
      rc = 2;
      goto out;
    }
  if (o.version)
    {
      printf ("neural-style %s\n", NS_VERSION);
      rc = 0;
      goto out;
    }
  const gboolean batch = o.output_dir || (o.contents && o.contents[0] && (o.contents[1]
                          || g_file_test (o.contents[0], G_FILE_TEST_IS_DIR)));
  o.content = o.contents ? g_strdup (o.contents[0]) : NULL;
  if (!o.content || !(batch ? o.output_dir && !o.output : o.output != NULL)
      || !o.styles || !o.styles[0])
    {
      fprintf (stderr, batch ? "neural-style: several --content files or a folder need "
               "--output-dir (and no --output), and --style (see --help)\n"
               : "neural-style: --content, --style and --output are required (see --help)\n");
      rc = 2;
      goto out;
    }
  if (!ns_region_opts_check (&ro, (int) g_strv_length (o.styles), &p, &err))
    {
      fprintf (stderr, "neural-style: %s\n", err->message);
      rc = 2;
      goto out;
    }
  static const char *const opt_names[] = { "lbfgs", "adam" };
  static const char *const pool_names[] = { "max", "avg" };
  static const char *const loss_names[] = { "gram", "swd" };
  static const char *const balance_names[] = { "off", "auto" };
  int optimizer = p.optimizer, pooling = p.pooling, style_loss = p.style_loss;
  int balance = p.style_balance;
  if (!enum_option (o.optimizer, "optimizer", opt_names, 2, "lbfgs or adam", &optimizer)
      || !enum_option (o.pooling, "pooling", pool_names, 2, "max or avg", &pooling)
      || !enum_option (o.style_loss, "style-loss", loss_names, 2, "gram or swd", &style_loss)
      || !enum_option (o.balance, "style-balance", balance_names, 2, "auto or off", &balance))
    {
      rc = 2;
      goto out;
    }
  p.optimizer = optimizer;
  p.pooling = pooling;
  p.style_loss = style_loss;
  p.style_balance = balance;
  p.content_weight = content_weight;
  p.style_weight = style_weight;
  p.tv_weight = tv_weight;
  p.content_weight_blend = blend;
  p.style_layer_weight_exp = exp_;
  p.content_layers = content_layers;
  p.style_layers = style_layers;
  p.iterations = iterations;
  p.tolerance = tol;
  p.tolerance_window = window;
  p.lbfgs_history = history;
  p.learning_rate = lr;
  p.beta1 = beta1;
  p.beta2 = beta2;
  p.epsilon = eps;
  p.initial_noiseblend = noiseblend;
  p.seed = o.seed >= 0 ? (guint64) o.seed : 0;
  p.preserve_colors = o.preserve_colors;
  p.size = size;
  p.multires = multires;
  p.threads = threads;
  p.memory_limit_mb = mem_limit;
  p.tile_size = tile_size;
  p.detail_side = detail_side;
  p.detail_iterations = detail_iterations;
  p.snapshot_every = o.checkpoint_every;
  if (batch && o.checkpoint_every > 0)
    {
      fprintf (stderr, "neural-style: --checkpoint-every works on one file, not with --output-dir\n");
      rc = 2;
      goto out;
    }
  if (batch && (ro.style_masks || ro.content_mask))
    {
      fprintf (stderr, "neural-style: --style-mask and --content-mask work on one file, "
               "not with --output-dir\n");
      rc = 2;
      goto out;
    }
  if (o.checkpoint_every > 0 && !o.checkpoint_output)
    {
      fprintf (stderr, "neural-style: --checkpoint-every needs --checkpoint-output\n");
      rc = 2;
      goto out;
    }

  catch_interrupts ();
  if (!batch)
  {
    /* fail before hours of optimisation, not after */
    char *dir = g_path_get_dirname (o.output);
    gboolean writable = g_access (dir, W_OK) == 0 && g_file_test (dir, G_FILE_TEST_IS_DIR);
    if (!writable)
      g_set_error (&err, G_FILE_ERROR, G_FILE_ERROR_ACCES,
                   "cannot write the output: folder \"%s\" does not exist or is not writable", dir);
    g_free (dir);
    if (!writable)
      goto fail;
  }
  model_path = o.model ? g_strdup (o.model) : ns_model_find_default (&err);
  if (!model_path || !(model = ns_model_load (model_path, &err)))
    goto fail;
  if (!batch && !(content = ns_io_load (o.content, &err)))
    goto fail;

  NsImage *init_image = NULL;
  if (!o.init || g_strcmp0 (o.init, "content") == 0)
    p.init = NS_INIT_CONTENT;
  else if (g_strcmp0 (o.init, "noise") == 0)
    p.init = NS_INIT_NOISE;
  else
    {
      p.init = NS_INIT_IMAGE;
      if (!(init_image = ns_io_load (o.init, &err)))
        goto fail;
    }
  if (batch)
    {
      NsBatch b = { model, model_path, &p, init_image, o.contents, o.output_dir, o.styles,
                    o.report, on_progress, &o, &interrupted };
      o.tty = isatty (STDERR_FILENO);
      rc = ns_batch_run (&b);
      ns_image_free (init_image);
      goto out;
    }
  job = ns_job_new (model, content, &p, &err);
  if (job && init_image)
    ns_job_set_init_image (job, init_image);
  ns_image_free (init_image);
  if (!job)
    goto fail;
  for (int i = 0; o.styles[i]; i++)
    {
      char *path;
      double w, s;
      if (!ns_style_spec_parse (o.styles[i], &path, &w, &s))
        {
          g_free (path);
          g_set_error (&err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--style \"%s\" names no file", o.styles[i]);
          goto fail;
        }
      NsImage *style = ns_io_load (path, &err);
      g_free (path);
      if (!style)
        goto fail;
      gboolean ok = ns_region_opts_add_style (&ro, i, job, style, w, s, &err);
      ns_image_free (style);
      if (!ok)
        goto fail;
    }
  if (!ns_region_opts_apply (&ro, job, &err))
    goto fail;
  o.tty = isatty (STDERR_FILENO);
  ns_job_set_progress (job, on_progress, &o);
  CheckpointCtx cctx = { &o, content };
  if (o.checkpoint_every > 0)
    ns_job_set_snapshot (job, on_snapshot, &cctx);

  if (interrupted)
    {
      fprintf (stderr, "neural-style: interrupted before the run started; nothing written\n");
      rc = 128 + interrupted;
      goto out;
    }
  gint64 t0 = g_get_monotonic_time ();
  result = ns_job_run (job, &err);
  double secs = (g_get_monotonic_time () - t0) / 1e6;
  if (!result)
    goto fail;
  NsStopReason why = ns_job_get_stop_reason (job);
  if (!ns_io_save (result, o.output, &err))
    goto fail;
  if (o.report && !ns_report_write (o.report, job, &p, model_path, ns_model_architecture (model),
                                    o.content, o.styles, &ro, result->width, result->height,
                                    secs, &err))
    goto fail;
  int tx, ty, tcore, thalo;
  ns_job_get_tiling (job, &tx, &ty, &tcore, &thalo);
  if (!o.quiet && tx * ty > 1)
    fprintf (stderr, "%s: %dx%d in %.1f s (stopped: %s, %d evaluations; %dx%d tiles of "
             "%d px + %d px halo)\n", o.output, result->width, result->height, secs,
             ns_stop_reason_to_string (why), ns_job_get_evaluations (job), tx, ty, tcore, thalo);
  else if (!o.quiet)
    fprintf (stderr, "%s: %dx%d in %.1f s (stopped: %s, %d evaluations)\n", o.output,
             result->width, result->height, secs, ns_stop_reason_to_string (why),
             ns_job_get_evaluations (job));
  rc = (why == NS_STOP_NONFINITE) ? 3 : 0;
  if (why == NS_STOP_CANCELLED && interrupted)
    {
      int n;
      const NsIterationRecord *h = ns_job_get_history (job, &n);
      fprintf (stderr, "neural-style: interrupted (%s) at level %d, iteration %d: wrote the best "
               "image so far to %s\n", strsignal (interrupted), n ? h[n - 1].level : 0,
               n ? h[n - 1].iteration : 0, o.output);
      rc = 128 + interrupted;
    }
  goto out;

fail:
  fprintf (stderr, "neural-style: %s\n", err ? err->message : "failed");
  rc = 1;
out:
  g_clear_error (&err);
  ns_image_free (result);
  ns_image_free (content);
  ns_job_free (job);
  ns_model_free (model);
  g_free (model_path);
  g_option_context_free (ctx);
  g_free (o.model); g_free (o.content); g_free (o.output); g_free (o.report);
  g_free (o.init); g_free (o.optimizer); g_free (o.pooling); g_free (o.style_loss); g_free (o.balance);
  g_free (o.checkpoint_output);
  g_free (content_layers); g_free (style_layers);
  g_free (h_cw); g_free (h_sw); g_free (h_tv); g_free (h_nb); g_free (preset_opt);
  g_strfreev (o.styles);
  ns_region_opts_clear (&ro);
  g_strfreev (o.contents);
  g_free (o.output_dir);
  return rc;
}

int
main (int argc, char **argv)
{
  ns_process_init (argv);
  if (argc >= 2 && strcmp (argv[1], "convert") == 0)
    return cmd_convert (argc, argv);
  if (argc >= 2 && strcmp (argv[1], "info") == 0)
    return cmd_info (argc, argv);
  gegl_init (NULL, NULL);
  int rc = argc >= 2 && strcmp (argv[1], "classify") == 0 ? ns_cmd_classify (argc, argv)
         : argc >= 2 && strcmp (argv[1], "judge") == 0  ? ns_cmd_judge (argc, argv)
                                                          : cmd_stylize (argc, argv);
  gegl_exit ();
  return rc;
}
