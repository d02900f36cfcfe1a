/* test_plugin_common.c — the version-neutral plug-in logic (plug-in/common):
 * validation, style names, parasite text, model errors, the scale note, and
 * nsp_run's handling of the engine's stop reason with a fake host on the
 * real SqueezeNet (../shared; those parts are skipped without it outside CI).
 */
#include "plugin-labels.h"
#include "plugin-params.h"
#include "plugin-pixels.h"
#include "plugin-preset.h"
#include "plugin-refine.h"
#include "plugin-run.h"
#include "plugin-speed.h"
#include "plugin-texts.h"
#include "test_util.h"

#include <glib/gstdio.h>
#include <math.h>

/* ------------------------------------------------------------ fake host */

typedef struct { gint styles_read, max_side_seen; } FakeHost;

static void     fake_status   (gpointer d, const gchar *t) { (void) d; (void) t; }
static gboolean fake_progress (gpointer d, const gchar *t, gdouble f) { (void) d; (void) t; (void) f; return TRUE; }

/* A smooth colour gradient with a few stripes (the "photo"). */
static NsImage *
pattern (gint w, gint h, gint kind)
{
  NsImage *img = ns_image_new (w, h);

  for (gint y = 0; y < h; y++)
    for (gint x = 0; x < w; x++)
      {
        gfloat *p = img->data + 3 * ((gsize) y * w + x);

        p[0] = kind ? (gfloat) ((x / 4 + y / 4) % 2) : (gfloat) x / w;
        p[1] = kind ? (gfloat) (x % 7) / 7.0f : (gfloat) y / h;
        p[2] = kind ? 0.3f : (gfloat) ((x / 8) % 2) * 0.5f + 0.25f;
      }
  return img;
}

static NsImage *
fake_content (gpointer d, gfloat **alpha, GError **e)
{
  (void) d; (void) e;
  *alpha = NULL;
  return pattern (48, 40, 0);
}

static NsImage *
fake_style (gpointer d, gint index, gint max_side, GError **e)
{
  FakeHost *h = d;

  (void) index; (void) e;
  h->styles_read++;
  h->max_side_seen = max_side;
  return pattern (MIN (max_side, 64), MIN (max_side, 64), 1);
}

static gchar *
fake_name (gpointer d, gint index)
{
  (void) d;
  return g_strdup_printf ("style%d", index + 1);
}

static gboolean
run_fake_from (NspValues *v, const NsImage *start, NspResult *res, GError **error)
{
  FakeHost fh = { 0, 0 };
  NspHost  host = { &fh, fake_status, fake_progress, fake_content, fake_style, fake_name,
                    NULL, NULL };

  return start ? nsp_run_from (v, 48, 40, &host, start, res, error)
               : nsp_run (v, 48, 40, &host, res, error);
}

static gboolean
run_fake (NspValues *v, NspResult *res, GError **error)
{
  return run_fake_from (v, NULL, res, error);
}

static void
small_values (NspValues *v, const gchar *model)
{
  nsp_values_init (v);
  v->n_styles = 1;
  v->size = 32;
  v->iterations = 4;
  v->multires = 1;
  v->seed = 3;
  v->init = NS_INIT_CONTENT;
  g_strlcpy (v->model, model, sizeof v->model);
}

/* ------------------------------------------------------------ tests */

/* Refine (#15): a result's parasite gives back the values that made it. */
static void
test_parasite_values (void)
{
  NspValues   v, back;
  const gchar *names[] = { "scream", "my=kite" };
  gchar      **got = NULL;
  guint        tattoo = 0;
  GError      *err = NULL;
  gchar       *settings, *text;

  nsp_values_init (&v);
  v.n_styles = 2;
  v.style_weights[0] = 0.75; v.style_weights[1] = 0.25;
  v.style_scales[0] = 1.5;   v.style_scales[1] = 0.5;
  v.content_weight = 7.25; v.style_weight = 250; v.tv_weight = 0.01;
  v.iterations = 33; v.tolerance = 1e-4; v.optimizer = NS_OPTIMIZER_ADAM;
  v.pooling = NS_POOLING_AVG; v.style_layer_weight_exp = 1.5; v.content_weight_blend = 0.5;
  v.size = 320; v.init = NS_INIT_NOISE; v.initial_noiseblend = 0.3; v.preserve_colors = 1;
  v.multires = 2;
  settings = nsp_values_to_parasite_text (&v, names, "/m/vgg19.safetensors", 4242, 320, 240);
  text = g_strconcat (settings, "iterations-run=33\nsource-layer-tattoo=17\n", NULL);
  nsp_values_init (&back);
  CHECK (nsp_values_from_parasite_text (text, &back, &got, &tattoo, &err),
         "parse: %s", err ? err->message : "");
  g_clear_error (&err);
  CHECK (got && g_strv_length (got) == 2 && g_strcmp0 (got[0], "scream") == 0
         && g_strcmp0 (got[1], "my=kite") == 0, "style names");
  CHECK (tattoo == 17, "source tattoo %u", tattoo);
  CHECK (back.n_styles == 2 && back.style_weights[0] == 0.75 && back.style_weights[1] == 0.25
         && back.style_scales[0] == 1.5 && back.style_scales[1] == 0.5, "styles' weights, scales");
  CHECK (back.content_weight == 7.25 && back.style_weight == 250 && back.tv_weight == 0.01
         && back.iterations == 33 && back.tolerance == 1e-4, "weights, iterations, tolerance");
  CHECK (back.optimizer == NS_OPTIMIZER_ADAM && back.pooling == NS_POOLING_AVG
         && back.style_layer_weight_exp == 1.5 && back.content_weight_blend == 0.5, "choices");
  CHECK (back.size == 320 && back.init == NS_INIT_NOISE && back.initial_noiseblend == 0.3
         && back.seed == 4242 && back.preserve_colors == 1 && back.multires == 2,
         "size, start, seed, colours, levels");
  CHECK (back.model[0] == '\0', "a model that is gone: the default, not %s", back.model);
  g_strfreev (got);
  g_free (text);
  g_free (settings);

  nsp_values_init (&back);
  CHECK (!nsp_values_from_parasite_text ("something=else\n", &back, &got, &tattoo, &err)
         && err && strstr (err->message, "no Neural Style parameters"), "not a parasite");
  g_clear_error (&err);
}

static void
test_validation (void)
{
  NspValues v;
  GError   *err = NULL;

  nsp_values_init (&v);
  v.n_styles = 1;
  CHECK (nsp_values_validate (&v, NULL, NULL, &err), "defaults valid: %s", err ? err->message : "");
  g_clear_error (&err);

  /* Item 4: all three weights 0 — nothing to optimise. */
  v.content_weight = v.style_weight = v.tv_weight = 0.0;
  CHECK (!nsp_values_validate (&v, NULL, NULL, &err), "all-zero weights refused");
  CHECK (err && err->code == NSP_ERROR_CALLING && strstr (err->message, "all 0"),
         "message: %s", err ? err->message : "(none)");
  g_clear_error (&err);

  /* One positive weight is enough (content only = a reconstruction). */
  v.content_weight = 1.0;
  CHECK (nsp_values_validate (&v, NULL, NULL, &err), "content only valid: %s", err ? err->message : "");
  g_clear_error (&err);
  v.content_weight = 0.0;
  v.tv_weight = 0.5;
  CHECK (nsp_values_validate (&v, NULL, NULL, &err), "smoothness only valid");
  g_clear_error (&err);
}

static void
test_names (void)
{
  gchar *n;

  /* Item 1: the file names the style, not GIMP's "[scream] (imported)". */
  n = nsp_style_name_for_file ("/photos/scream.jpg", "[scream] (imported)", 3);
  CHECK (g_strcmp0 (n, "scream") == 0, "file name: %s", n);
  g_free (n);
  n = nsp_style_name_for_file ("/photos/my.holiday.png", "my.holiday.png-2", 3);
  CHECK (g_strcmp0 (n, "my.holiday") == 0, "last extension only: %s", n);
  g_free (n);
  n = nsp_style_name_for_file (NULL, "Untitled", 4);
  CHECK (g_strcmp0 (n, "Untitled") == 0, "no file: image name: %s", n);
  g_free (n);
  n = nsp_style_name_for_file ("", NULL, 5);
  CHECK (g_strcmp0 (n, "Image 5") == 0, "no file, no name: %s", n);
  g_free (n);
}

/* #20: the dialogs' Preset combo maps onto the engine's one table. */
static void
test_presets (void)
{
  NspValues d, v;

  nsp_values_init (&d);
  /* The defaults are the balanced preset. */
  CHECK (nsp_values_preset (&d) == NS_PRESET_BALANCED, "defaults: %d", nsp_values_preset (&d));
  for (gint i = 0; i < NS_PRESET_COUNT; i++)
    {
      NsParams p;

      ns_params_init (&p);
      ns_params_apply_preset (&p, (NsPreset) i);
      v = d;
      v.iterations = 77;
      v.style_layer_weight_exp = 2.5;
      nsp_values_apply_preset (&v, (NsPreset) i);
      CHECK (v.content_weight == p.content_weight && v.style_weight == p.style_weight
             && v.tv_weight == p.tv_weight && v.initial_noiseblend == p.initial_noiseblend,
             "%s: %g %g %g %g vs the engine's %g %g %g %g", ns_preset_name ((NsPreset) i),
             v.content_weight, v.style_weight, v.tv_weight, v.initial_noiseblend,
             p.content_weight, p.style_weight, p.tv_weight, p.initial_noiseblend);
      CHECK (v.iterations == 77 && v.style_layer_weight_exp == 2.5,
             "%s: other settings kept", ns_preset_name ((NsPreset) i));
      CHECK (nsp_values_preset (&v) == i, "%s recognised: %d", ns_preset_name ((NsPreset) i),
             nsp_values_preset (&v));
      CHECK (nsp_preset_label (i)[0] && nsp_preset_tooltip (i)[0], "texts of %d", i);
    }
  /* Weights edited by hand: Custom; a spin button's rounding still matches. */
  nsp_values_apply_preset (&v, NS_PRESET_STRONG);
  v.content_weight *= 1.0 + 1e-12;
  CHECK (nsp_values_preset (&v) == NS_PRESET_STRONG, "rounding: %d", nsp_values_preset (&v));
  v.content_weight = 11.0;
  CHECK (nsp_values_preset (&v) == NSP_PRESET_CUSTOM, "edited weight: %d", nsp_values_preset (&v));
  nsp_values_apply_preset (&v, NS_PRESET_SUBTLE);
  v.initial_noiseblend = 0.2;
  CHECK (nsp_values_preset (&v) == NSP_PRESET_CUSTOM, "edited noise blend: %d", nsp_values_preset (&v));
  CHECK (g_strcmp0 (nsp_preset_label (NSP_PRESET_CUSTOM), "Custom") == 0, "custom label");
}

/* #19 item 7: only huge style images are scaled in GIMP before reading;
 * the others are read whole (the CLI's pixels). */
static void
test_style_read_policy (void)
{
  gint w = 0, h = 0;

  CHECK (nsp_style_scale_in_host (8000, 8000, 96, &w, &h) && w == 96 && h == 96,
         "8000 x 8000 for 96: %d x %d", w, h);
  CHECK (nsp_style_scale_in_host (6000, 4000, 1024, &w, &h) && w == 1024 && h == 683,
         "24 MP for 1024: %d x %d", w, h);
  CHECK (!nsp_style_scale_in_host (460, 460, 96, &w, &h), "a small style is read whole");
  CHECK (!nsp_style_scale_in_host (4000, 4000, 96, &w, &h), "16 MP is read whole");
  CHECK (!nsp_style_scale_in_host (9000, 9000, 9000, &w, &h), "not larger than needed");
  CHECK (!nsp_style_scale_in_host (9000, 9000, 0, &w, &h), "no limit");
}

/* #19 item 9: one wording of each setting for both dialogs. */
static void
test_labels (void)
{
  const gchar *props[] = { "content-weight", "style-weight", "tv-weight", "content-weight-blend",
                           "style-layer-weight-exp", "iterations", "tolerance", "multires",
                           "optimizer", "pooling", "size", "init", "initial-noiseblend",
                           "seed", "preserve-colors" };
  gchar *t;

  for (gsize i = 0; i < G_N_ELEMENTS (props); i++)
    {
      const gchar *label = nsp_control_label (props[i]);
      gchar       *nick  = nsp_control_nick (props[i]);
      gchar       *tip   = nsp_control_tooltip (props[i]);

      CHECK (g_strcmp0 (label, props[i]) != 0 && strchr (label, '_'), "%s: label %s", props[i], label);
      CHECK (!g_str_has_suffix (nick, ":") && g_str_has_prefix (label, nick), "%s: nick %s", props[i], nick);
      CHECK (tip && strlen (tip) > 10, "%s: tooltip", props[i]);
      g_free (nick);
      g_free (tip);
    }
  t = nsp_control_nick ("content-weight");
  CHECK (g_strcmp0 (t, "_Keep the photo") == 0, "nick: %s", t);
  g_free (t);
  /* One iteration limit, stated. */
  t = nsp_control_tooltip ("iterations");
  CHECK (strstr (t, "2000") && strstr (t, "100000"), "iterations tooltip: %s", t);
  g_free (t);
  CHECK (g_strcmp0 (nsp_control_label ("no-such"), "no-such") == 0 && !nsp_control_tooltip ("no-such"),
         "unknown setting");
}

static void
test_parasite_and_notes (void)
{
  gchar *t, *v;

  t = nsp_outcome_parasite_text (17, NS_STOP_TOLERANCE, 12.5, 0.25);
  CHECK (g_strcmp0 (t, "iterations-run=17\nstop-reason=tolerance\nloss-start=12.5\nloss-end=0.25\n")
         == 0, "outcome: %s", t);
  v = nsp_parasite_text_get (t, "stop-reason");
  CHECK (g_strcmp0 (v, "tolerance") == 0, "get stop-reason: %s", v);
  g_free (v);
  v = nsp_parasite_text_get (t, "iterations");
  CHECK (v == NULL, "'iterations' is not 'iterations-run': %s", v);
  g_free (v);
  g_free (t);
  v = nsp_parasite_text_get ("a=1\nsource-layer-tattoo=42\n", "source-layer-tattoo");
  CHECK (g_strcmp0 (v, "42") == 0, "tattoo: %s", v);
  g_free (v);
  /* Item 10: the source layer recorded and read back. */
  t = nsp_parasite_with_source ("seed=3\n", 4000000000u);
  CHECK (g_strcmp0 (t, "seed=3\nsource-layer-tattoo=4000000000\n") == 0, "with source: %s", t);
  CHECK (nsp_parasite_source_tattoo (t) == 4000000000u, "source tattoo");
  g_free (t);
  CHECK (nsp_parasite_source_tattoo ("seed=3\n") == 0, "no source");
  CHECK (nsp_parasite_source_tattoo ("source-layer-tattoo=12x\n") == 0, "bad source");
  CHECK (nsp_parasite_source_tattoo (NULL) == 0, "no text");

  /* Item 9: the enlargement is stated. */
  t = nsp_scale_note_text (512, 384, 2048, 1536);
  CHECK (strstr (t, "512 × 384") && strstr (t, "4.0×"), "note: %s", t);
  g_free (t);
  t = nsp_scale_note_text (300, 200, 300, 200);
  CHECK (strstr (t, "own size") && !strstr (t, "enlarged"), "note 1:1: %s", t);
  g_free (t);
  {
    NspValues vals;

    nsp_values_init (&vals);
    vals.size = 500;
    t = nsp_values_scale_note (&vals, 2000, 1000);
    CHECK (strstr (t, "500 × 250") && strstr (t, "4.0×"), "note from values: %s", t);
    g_free (t);
  }
  CHECK (nsp_stop_reason_text (NS_STOP_NONFINITE)[0] != '\0', "stop text");

  /* Item 9: Help opens the plug-in's own page when it is there. */
  g_setenv ("NEURAL_STYLE_DOCDIR", NS_SOURCE_DIR "/docs", TRUE);
  t = nsp_help_uri ();
  CHECK (t && g_str_has_prefix (t, "file://") && g_str_has_suffix (t, "/docs/plugin.md"), "help: %s", t);
  g_free (t);
  g_setenv ("NEURAL_STYLE_DOCDIR", NS_SOURCE_DIR "/no-such-dir", TRUE);
  t = nsp_help_uri ();
  CHECK (t == NULL, "no help page: %s", t);
  g_free (t);
  g_unsetenv ("NEURAL_STYLE_DOCDIR");
}

static void
test_model_errors (const gchar *model)
{
  gchar  *dir = g_dir_make_tmp ("ns-plugin-XXXXXX", NULL);
  gchar  *txt = g_build_filename (dir, "notes.safetensors", NULL);
  GError *err = NULL, *e2;
  gchar  *msg;

  g_file_set_contents (txt, "This is a text file, not a model at all.\n", -1, NULL);
  CHECK (!nsp_file_looks_like_safetensors (txt), "text file is not safetensors");
  e2 = g_error_new_literal (NS_ERROR, NS_ERROR_INVALID_ARG, "header length 7526676540175443304 is absurd");
  msg = nsp_model_error_text (txt, e2);
  CHECK (strstr (msg, "is not a safetensors model file (header length") != NULL, "text model: %s", msg);
  g_free (msg);
  g_error_free (e2);

  if (model)
    {
      NspValues v;
      NspResult res;

      gchar *head = NULL, *cut = g_build_filename (dir, "cut.safetensors", NULL);
      gsize  len = 0;

      CHECK (nsp_file_looks_like_safetensors (model), "real model looks like safetensors");
      /* A damaged (truncated) model is still called a model, the loader's
       * details follow. */
      if (g_file_get_contents (model, &head, &len, NULL) && len > 4096)
        {
          g_file_set_contents (cut, head, 4096, NULL);
          e2 = g_error_new_literal (NS_ERROR, NS_ERROR_INVALID_ARG, "truncated");
          msg = nsp_model_error_text (cut, e2);
          CHECK (g_str_has_prefix (msg, "Could not load the model"), "truncated model: %s", msg);
          g_free (msg);
          g_error_free (e2);
          g_unlink (cut);
        }
      g_free (head);
      g_free (cut);
      small_values (&v, txt);
      CHECK (!run_fake (&v, &res, &err), "text file as model refused");
      CHECK (err && strstr (err->message, "not a safetensors model file"), "run message: %s",
             err ? err->message : "(none)");
      g_clear_error (&err);
    }
  g_unlink (txt);
  g_rmdir (dir);
  g_free (txt);
  g_free (dir);
}

static void
test_run_outcome (const gchar *model)
{
  NspValues v;
  NspResult res;
  GError   *err = NULL;
  gchar    *s;

  /* A normal run: the parasite says how many iterations ran and why it stopped. */
  small_values (&v, model);
  CHECK (run_fake (&v, &res, &err), "small run: %s", err ? err->message : "");
  g_clear_error (&err);
  CHECK (res.image && res.image->width == 48 && res.image->height == 40, "region-sized result");
  CHECK (res.stop_reason == NS_STOP_ITERATIONS && res.iterations_run == 4,
         "stop %d after %d", res.stop_reason, res.iterations_run);
  s = nsp_parasite_text_get (res.parasite_text, "iterations-run");
  CHECK (g_strcmp0 (s, "4") == 0, "parasite iterations-run: %s", s);
  g_free (s);
  s = nsp_parasite_text_get (res.parasite_text, "iterations");
  CHECK (g_strcmp0 (s, "4") == 0, "parasite requested iterations: %s", s);
  g_free (s);
  CHECK (res.warning == NULL, "no warning");
  /* Refine: continuing from the result starts near the loss the first run
   * ended at, far below the content's, and the parasite says where each run started. */
  {
    NsImage  *start = ns_image_copy (res.image);
    NspResult again;
    gdouble   first = res.loss_start, last = res.loss_end;

    CHECK (res.loss_end < res.loss_start, "the run lowered the loss %g -> %g", res.loss_start,
           res.loss_end);
    s = nsp_parasite_text_get (res.parasite_text, "loss-start");
    CHECK (s && fabs (g_ascii_strtod (s, NULL) - first) <= 1e-5 * first, "parasite loss-start %s", s);
    g_free (s);
    nsp_result_clear (&res);
    small_values (&v, model);
    v.initial_noiseblend = 0.5;   /* ignored: a continued run starts without noise */
    CHECK (run_fake_from (&v, start, &again, &err), "continued run: %s", err ? err->message : "");
    g_clear_error (&err);
    /* (a few % above `last`: the image handed back is not exactly the
     * optimiser's last iterate) */
    CHECK (last < first && fabs (again.loss_start - last) < 0.25 * (first - last),
           "continued from the result: start loss %g near the first run's end %g, not its start %g",
           again.loss_start, last, first);
    nsp_result_clear (&again);
    ns_image_free (start);
  }

  /* Item 3: a loss that is non-finite from the start is an error, no result. */
  small_values (&v, model);
  v.content_weight = 1e300;
  CHECK (!run_fake (&v, &res, &err), "content-weight 1e300 is not a success");
  CHECK (err && err->domain == NSP_ERROR && err->code == NSP_ERROR_EXECUTION
         && strstr (err->message, "infinite"), "message: %s", err ? err->message : "(none)");
  CHECK (res.image == NULL && res.parasite_text == NULL, "no result");
  g_clear_error (&err);

  small_values (&v, model);
  v.optimizer = NS_OPTIMIZER_ADAM;
  v.style_weight = 1e30;
  if (run_fake (&v, &res, &err))
    {
      /* Adam may take finite steps first: then the best picture + a warning. */
      fprintf (stderr, "Adam, style weight 1e30: stop %s after %d iterations%s%s\n",
               ns_stop_reason_to_string (res.stop_reason), res.iterations_run,
               res.warning ? "; warning: " : "", res.warning ? res.warning : "");
      CHECK (res.stop_reason != NS_STOP_NONFINITE || (res.warning && res.iterations_run > 0),
             "Adam 1e30: stop %d, %d iterations, warning %s", res.stop_reason,
             res.iterations_run, res.warning ? res.warning : "(none)");
      nsp_result_clear (&res);
    }
  else
    {
      fprintf (stderr, "Adam, style weight 1e30: error: %s\n", err ? err->message : "(none)");
      CHECK (err && strstr (err->message, "infinite"), "Adam 1e30: %s", err ? err->message : "(none)");
      g_clear_error (&err);
    }
}

/* The dialog's measured speed (plugin-speed.c): measured once per model
 * file, then read back from the cache; a changed model file, a corrupt
 * cache or a missing file means measuring again, never a crash. */
static void
test_speed_cache (const gchar *model_file)
{
  gchar   *dir   = g_dir_make_tmp ("nsp-speed-XXXXXX", NULL);
  gchar   *cache = g_build_filename (dir, "sub", "speed.ini", NULL);
  gchar   *copy  = g_build_filename (dir, "model.safetensors", NULL);
  gchar   *bytes = NULL, *text = NULL;
  gsize    len   = 0;
  NsModel *model;
  NsSpeed  a = { 0 }, b = { 0 };
  gboolean measured = FALSE;

  g_setenv ("NEURAL_STYLE_SPEED_CACHE", cache, TRUE);
  CHECK (g_file_get_contents (model_file, &bytes, &len, NULL)
         && g_file_set_contents (copy, bytes, len, NULL), "copy the model");
  model = ns_model_load (copy, NULL);
  CHECK (model != NULL, "load the copy");
  if (model)
    {
      CHECK (nsp_speed_lookup (copy, model, &a, &measured) && measured, "first use: measured");
      CHECK (a.eval_s_per_gflop > 0 && a.eval_fixed_s >= 0 && a.job_fixed_s >= 0,
             "speed %g %g %g", a.eval_fixed_s, a.eval_s_per_gflop, a.job_fixed_s);
      CHECK (g_file_test (cache, G_FILE_TEST_IS_REGULAR), "cache written (directory made)");
      CHECK (nsp_speed_lookup (copy, model, &b, &measured) && !measured, "second use: cached");
      CHECK (a.eval_s_per_gflop == b.eval_s_per_gflop && a.eval_fixed_s == b.eval_fixed_s
             && a.job_fixed_s == b.job_fixed_s, "cached values read back exactly");

      /* the estimate line uses it: a speed 100x slower than measured shows more time */
      {
        NspValues vals;
        NsSpeed   slow = a;
        gchar    *fast_text, *slow_text;

        nsp_values_init (&vals);
        slow.eval_s_per_gflop *= 100;
        slow.eval_fixed_s = 1;
        fast_text = nsp_estimate_text (model, &a, &vals, 640, 480);
        slow_text = nsp_estimate_text (model, &slow, &vals, 640, 480);
        CHECK (strcmp (fast_text, slow_text) != 0 && strstr (slow_text, "min"),
               "estimate follows the speed: '%s' vs '%s'", fast_text, slow_text);
        g_free (fast_text);
        g_free (slow_text);
      }

      /* the model file changed (its stored time no longer matches): measured again */
      {
        gchar  *c = NULL;
        gchar **parts;

        CHECK (g_file_get_contents (cache, &c, NULL, NULL) && strstr (c, " mtime="), "key");
        parts = g_strsplit (c ? c : "", " mtime=", 2);
        g_free (c);
        c = g_strjoinv (" mtime=1", parts);   /* a time the file never had */
        g_file_set_contents (cache, c, -1, NULL);
        g_strfreev (parts);
        g_free (c);
        CHECK (nsp_speed_lookup (copy, model, &b, &measured) && measured, "stale key: measured");
      }

      /* corrupt cache: measured again, and rewritten */
      g_file_set_contents (cache, "[\x01 not a key file\n\n=====", -1, NULL);
      CHECK (nsp_speed_lookup (copy, model, &b, &measured) && measured, "corrupt cache: measured");
      CHECK (g_file_get_contents (cache, &text, NULL, NULL) && strstr (text, "eval-s-per-gflop"),
             "corrupt cache rewritten");
      g_free (text);

      /* no model file (a model loaded from elsewhere): nothing, no crash */
      CHECK (!nsp_speed_lookup (NULL, model, &b, NULL), "no path");
      CHECK (!nsp_speed_lookup ("/nonexistent/m.safetensors", model, &b, NULL), "no file");
      ns_model_free (model);
    }
  g_unsetenv ("NEURAL_STYLE_SPEED_CACHE");
  g_unlink (cache);
  g_unlink (copy);
  {
    gchar *sub = g_path_get_dirname (cache);
    g_rmdir (sub);
    g_free (sub);
  }
  g_rmdir (dir);
  g_free (bytes);
  g_free (copy);
  g_free (cache);
  g_free (dir);
}

/* The Result size choice's labels and the estimate line know automatic
 * tiling (engine/estimate_plan.c): a 4000 x 3000 layer under a limit
 * ($NEURAL_STYLE_MEMORY_LIMIT_MB) between its untiled need and that of
 * the smallest tiles shows the tiled memory and time of
 * the job, not the untiled figure above the limit; a masked style (which
 * cannot be tiled) shows that it does not fit.  Real SqueezeNet's shapes. */
static void
test_result_size (const gchar *model_file)
{
  NsModel       *model = ns_model_load (model_file, NULL);
  const NsSpeed  s = { .eval_fixed_s = 0.01, .eval_s_per_gflop = 0.02, .job_fixed_s = 0.5 };
  NspValues      vals;
  NsParams       p;
  NsEstimatePlan plan;
  gchar         *work, *full, *line, *want, *t, *m;
  guint64        untiled, tiled;
  gdouble        limit_mb;

  CHECK (model != NULL, "load %s", model_file);
  if (!model)
    return;
  nsp_values_init (&vals);
  vals.n_styles = 1;
  /* a limit halfway between the untiled need and that of 256 px tiles */
  nsp_values_to_ns_params (&vals, 0, &p);
  untiled = ns_estimate_memory (model, &p, 4000, 3000, 1);
  p.tile_size = 256;
  tiled = ns_estimate_memory (model, &p, 4000, 3000, 1);
  CHECK (tiled < untiled, "tiles need less");
  limit_mb = (tiled + (untiled - tiled) / 2) / 1048576.0;
  t = g_strdup_printf ("%.3f", limit_mb);
  g_setenv ("NEURAL_STYLE_MEMORY_LIMIT_MB", t, TRUE);
  g_free (t);
  vals.size = 512;
  work = nsp_result_size_text (model, &s, &vals, FALSE, 4000, 3000, 0, FALSE);
  full = nsp_result_size_text (model, &s, &vals, TRUE, 4000, 3000, 0, FALSE);
  CHECK (g_str_has_prefix (work, "Working size (fast) — about ") && !strstr (work, "tiles"),
         "working: '%s'", work);
  CHECK (g_str_has_prefix (full, "Full layer size (4000 × 3000) — about ") && strstr (full, "tiles"),
         "full: '%s'", full);

  /* the figures are the tiled job's: within the limit, where the untiled
   * estimate (what the label said before) is above it */
  vals.size = 0;
  CHECK (nsp_estimate_plan (model, &s, &vals, 4000, 3000, 0, FALSE, &plan) && plan.fits
         && plan.tile > 0 && plan.memory_bytes <= limit_mb * 1048576.0,
         "plan: core %d, %" G_GUINT64_FORMAT, plan.tile, plan.memory_bytes);
  nsp_values_to_ns_params (&vals, 0, &p);
  CHECK (fabs (p.memory_limit_mb - limit_mb) < 0.01 && untiled > limit_mb * 1048576.0,
         "untiled above the limit");
  p.tile_size = plan.tile;
  t = nsp_duration_text (ns_estimate_seconds_at (model, &p, 4000, 3000, 1, 0, &s));
  m = g_format_size (plan.memory_bytes);
  want = g_strdup_printf ("Full layer size (4000 × 3000) — about %s, %s, in %d × %d tiles", t, m,
                          plan.tiles_x, plan.tiles_y);
  CHECK (strcmp (full, want) == 0, "'%s' vs '%s'", full, want);
  line = nsp_estimate_text (model, &s, &vals, 4000, 3000);
  CHECK (strstr (line, m) && strstr (line, t) && strstr (line, " · in ")
         && !strstr (line, "limit"), "estimate line: '%s'", line);
  g_free (want);
  g_free (line);
  g_free (work);
  g_free (full);
  g_free (t);
  g_free (m);

  /* a masked style: no tiles, over the limit */
  full = nsp_result_size_text (model, &s, &vals, TRUE, 4000, 3000, 1, FALSE);
  line = nsp_estimate_text_regions (model, &s, &vals, 4000, 3000, 1, FALSE);
  CHECK (strstr (full, "more than the memory limit of") && !strstr (full, "tiles"),
         "masked: '%s'", full);
  CHECK (strstr (line, "more than the memory limit of"), "masked line: '%s'", line);
  g_free (full);
  g_free (line);
  g_unsetenv ("NEURAL_STYLE_MEMORY_LIMIT_MB");

  full = nsp_result_size_text (NULL, &s, &vals, TRUE, 40, 30, 0, FALSE);
  CHECK (strcmp (full, "Full layer size (40 × 30) — —") == 0, "no model: '%s'", full);
  g_free (full);
  t = nsp_duration_text (3725);
  CHECK (strcmp (t, "1 h 02 min") == 0, "duration '%s'", t);
  g_free (t);
  ns_model_free (model);
}

int
main (void)
{
  const gchar *shared = g_getenv ("NS_SHARED_DIR");
  gchar       *model;

  test_begin ("plugin_common");
  model = g_build_filename (shared ? shared : NS_SOURCE_DIR "/../shared",
                            "models", "squeezenet1_1.safetensors", NULL);
  if (!g_file_test (model, G_FILE_TEST_IS_REGULAR))
    {
      if (g_strcmp0 (g_getenv ("CI"), "true") == 0)
        {
          fprintf (stderr, "FAIL: no ../shared model (CI=true)\n");
          return 1;
        }
      fprintf (stderr, "no ../shared model: the runs are skipped\n");
      g_clear_pointer (&model, g_free);
    }
  test_validation ();
  test_names ();
  test_presets ();
  test_style_read_policy ();
  test_labels ();
  test_parasite_and_notes ();
  test_parasite_values ();
  test_model_errors (model);
  if (model)
    {
      test_run_outcome (model);
      test_speed_cache (model);
      test_result_size (model);
    }
  g_free (model);
  return test_finish ();
}
