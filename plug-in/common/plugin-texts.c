/* plugin-texts.c — display names, layer name, parasite text, progress line
 * (see header). */
#include "plugin-texts.h"
#include "plugin-i18n.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

gchar *
nsp_style_display_name (const gchar *image_name,
                        gint         image_id)
{
  gchar *name;
  gchar *dot;

  if (image_name == NULL || *image_name == '\0')
    return g_strdup_printf (_("Image %d"), image_id);
  name = g_strdup (image_name);
  dot = strrchr (name, '.');
  if (dot && dot != name)
    *dot = '\0';
  return name;
}

gchar *
nsp_style_name_for_file (const gchar *file_path,
                         const gchar *image_name,
                         gint         image_id)
{
  gchar *base, *name;

  if (file_path == NULL || *file_path == '\0')
    return nsp_style_display_name (image_name, image_id);
  base = g_path_get_basename (file_path);
  name = nsp_style_display_name (base, image_id);
  g_free (base);
  return name;
}

gchar *
nsp_layer_name (const NspValues    *vals,
                const gchar *const *style_names)
{
  GString *s = g_string_new (_("Neural Style"));
  gdouble  sum = 0.0;

  for (gint i = 0; i < vals->n_styles; i++)
    sum += vals->style_weights[i];

  g_string_append (s, ": ");
  for (gint i = 0; i < vals->n_styles; i++)
    {
      const gchar *name = style_names[i];

      if (i > 0)
        g_string_append (s, " + ");
      g_string_append (s, name);
      if (vals->n_styles > 1 && sum > 0.0)
        g_string_append_printf (s, " %d%%",
                                (int) lround (100.0 * vals->style_weights[i] / sum));
    }
  return g_string_free (s, FALSE);
}

gchar *
nsp_values_to_parasite_text (const NspValues    *vals,
                             const gchar *const *style_names,
                             const gchar        *model_path,
                             guint32             seed,
                             gint                work_width,
                             gint                work_height)
{
  GString *s = g_string_new (NULL);
  gchar    buf[G_ASCII_DTOSTR_BUF_SIZE];

  /* Locale-independent numbers (g_ascii_dtostr), one key=value per line. */
#define PUT_D(key, v) \
  g_string_append_printf (s, "%s=%s\n", key, g_ascii_dtostr (buf, sizeof buf, (v)))
#define PUT_I(key, v) g_string_append_printf (s, "%s=%d\n", key, (int) (v))

  g_string_append_printf (s, "version=%s\n", NS_VERSION);
  PUT_I ("num-styles", vals->n_styles);
  for (gint i = 0; i < vals->n_styles; i++)
    {
      const gchar *name = style_names[i];
      gchar        key[64];

      g_snprintf (key, sizeof key, "style-%d-name", i + 1);
      g_string_append_printf (s, "%s=%s\n", key, name);
      g_snprintf (key, sizeof key, "style-%d-weight", i + 1);
      PUT_D (key, vals->style_weights[i]);
      g_snprintf (key, sizeof key, "style-%d-scale", i + 1);
      PUT_D (key, vals->style_scales[i]);
    }
  PUT_D ("content-weight", vals->content_weight);
  PUT_D ("style-weight", vals->style_weight);
  PUT_D ("tv-weight", vals->tv_weight);
  PUT_I ("iterations", vals->iterations);
  PUT_D ("tolerance", vals->tolerance);
  g_string_append_printf (s, "optimizer=%s\n", vals->optimizer == NS_OPTIMIZER_ADAM ? "adam" : "lbfgs");
  g_string_append_printf (s, "pooling=%s\n", vals->pooling == NS_POOLING_AVG ? "avg" : "max");
  PUT_D ("style-layer-weight-exp", vals->style_layer_weight_exp);
  PUT_D ("content-weight-blend", vals->content_weight_blend);
  PUT_I ("size", vals->size);
  g_string_append_printf (s, "working-size=%dx%d\n", work_width, work_height);
  g_string_append_printf (s, "init=%s\n", vals->init == NS_INIT_CONTENT ? "content" : "noise");
  PUT_D ("initial-noiseblend", vals->initial_noiseblend);
  g_string_append_printf (s, "seed=%u\n", seed);
  PUT_I ("preserve-colors", vals->preserve_colors);
  PUT_I ("multires", vals->multires);
  g_string_append_printf (s, "model=%s\n", model_path ? model_path : "");
  g_string_append_printf (s, "color-transfer=%s\n",
                          ns_color_transfer_name ((NsColorTransfer) vals->color_transfer));
  PUT_D ("content-mask-strength", vals->content_mask_strength);
#undef PUT_D
#undef PUT_I
  return g_string_free (s, FALSE);
}

gchar *
nsp_outcome_parasite_text (gint         iterations_run,
                           NsStopReason reason,
                           gdouble      loss_start,
                           gdouble      loss_end)
{
  gchar a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup_printf ("iterations-run=%d\nstop-reason=%s\nloss-start=%s\nloss-end=%s\n",
                          iterations_run, ns_stop_reason_to_string (reason),
                          g_ascii_formatd (a, sizeof a, "%.6g", loss_start),
                          g_ascii_formatd (b, sizeof b, "%.6g", loss_end));
}

gchar *
nsp_parasite_with_source (const gchar *text,
                          guint        source_tattoo)
{
  return g_strdup_printf ("%ssource-layer-tattoo=%u\n", text ? text : "", source_tattoo);
}

guint
nsp_parasite_source_tattoo (const gchar *text)
{
  gchar *value = nsp_parasite_text_get (text, "source-layer-tattoo");
  guint  tattoo = 0;

  if (value)
    {
      gchar  *end = NULL;
      guint64 v   = g_ascii_strtoull (value, &end, 10);

      if (end != value && *end == '\0' && v <= G_MAXUINT)
        tattoo = (guint) v;
      g_free (value);
    }
  return tattoo;
}

gchar *
nsp_parasite_text_get (const gchar *text,
                       const gchar *key)
{
  gchar **lines;
  gchar  *value = NULL;
  gsize   n = strlen (key);

  if (!text)
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (gchar **l = lines; *l && !value; l++)
    if (strncmp (*l, key, n) == 0 && (*l)[n] == '=')
      value = g_strdup (*l + n + 1);
  g_strfreev (lines);
  return value;
}

const gchar *
nsp_stop_reason_text (NsStopReason reason)
{
  switch (reason)
    {
    case NS_STOP_ITERATIONS: return _("all iterations ran");
    case NS_STOP_TOLERANCE:  return _("the picture stopped changing (tolerance)");
    case NS_STOP_CONVERGED:  return _("the optimiser found no further improvement");
    case NS_STOP_CANCELLED:  return _("cancelled");
    case NS_STOP_NONFINITE:  return _("the loss became infinite or not a number (weights too large?)");
    case NS_STOP_NONE:       break;
    }
  return _("unknown");
}

gboolean
nsp_file_looks_like_safetensors (const gchar *path)
{
  FILE    *f = g_fopen (path, "rb");
  guchar   head[9];
  guint64  n = 0;
  gboolean ok = FALSE;

  if (!f)
    return FALSE;
  if (fread (head, 1, sizeof head, f) == sizeof head && head[8] == '{')
    {
      for (gint i = 7; i >= 0; i--)
        n = (n << 8) | head[i];
      /* a JSON header of a plausible length (a truncated file still
       * looks like one: the loader says what is wrong with it) */
      ok = n >= 2 && n <= 100 * 1024 * 1024;
    }
  fclose (f);
  return ok;
}

gchar *
nsp_model_error_text (const gchar  *path,
                      const GError *err)
{
  const gchar *detail = err ? err->message : "?";

  if (g_file_test (path, G_FILE_TEST_IS_REGULAR) && !nsp_file_looks_like_safetensors (path))
    /* TRANSLATORS: model file, the loader's details */
    return g_strdup_printf (_("'%s' is not a safetensors model file (%s)"), path, detail);
  /* TRANSLATORS: model file, the loader's details */
  return g_strdup_printf (_("Could not load the model '%s': %s"), path, detail);
}

gchar *
nsp_content_label_text (const gchar *image_name, const gchar *layer_name,
                        gint layer_w, gint layer_h, gint region_w, gint region_h)
{
  if (region_w != layer_w || region_h != layer_h)
    /* TRANSLATORS: image name, layer name, layer size, processed size */
    return g_strdup_printf (_("%s — %s\n%d × %d pixels; the selection (%d × %d with margin) is processed"),
                            image_name ? image_name : "?", layer_name ? layer_name : "?",
                            layer_w, layer_h, region_w, region_h);
  /* TRANSLATORS: image name, layer name, layer size */
  return g_strdup_printf (_("%s — %s\n%d × %d pixels"),
                          image_name ? image_name : "?", layer_name ? layer_name : "?",
                          region_w, region_h);
}

gchar *
nsp_scale_note_text (gint work_w, gint work_h,
                     gint region_w, gint region_h)
{
  gdouble factor = (gdouble) MAX (region_w, region_h) / MAX (1, MAX (work_w, work_h));

  if (factor <= 1.005)
    /* TRANSLATORS: working width, height */
    return g_strdup_printf (_("The result is computed at %d × %d, the layer's own size."),
                            work_w, work_h);
  /* TRANSLATORS: working width, height, enlargement factor */
  return g_strdup_printf (_("The result is computed at %d × %d and enlarged %.1f× to the layer."),
                          work_w, work_h, factor);
}

gchar *
nsp_values_scale_note (const NspValues *vals,
                       gint             region_w,
                       gint             region_h)
{
  NsParams p;
  gint     w, h;

  nsp_values_to_ns_params (vals, 0, &p);
  ns_working_size (&p, region_w, region_h, &w, &h);
  return nsp_scale_note_text (w, h, region_w, region_h);
}

static gchar *
format_eta (double seconds)
{
  if (!(seconds >= 0.0) || !isfinite (seconds))
    return g_strdup ("?");
  if (seconds >= 3600.0)
    return g_strdup_printf ("%d:%02d:%02d", (int) (seconds / 3600.0),
                            ((int) seconds / 60) % 60, (int) seconds % 60);
  return g_strdup_printf ("%d:%02d", (int) seconds / 60, (int) seconds % 60);
}

gchar *
nsp_progress_text (const NsProgress *p)
{
  gchar *eta = format_eta (p->eta);
  gchar *text;

  if (p->levels > 1)
    /* TRANSLATORS: level/levels, iteration/iterations, loss, time left */
    text = g_strdup_printf (_("Level %d/%d · Iteration %d/%d · loss %.4g · ETA %s"),
                            p->level, p->levels, p->iteration, p->iterations,
                            p->total, eta);
  else
    /* TRANSLATORS: iteration/iterations, loss, time left */
    text = g_strdup_printf (_("Iteration %d/%d · loss %.4g · ETA %s"),
                            p->iteration, p->iterations, p->total, eta);
  g_free (eta);
  return text;
}

gchar *
nsp_estimate_text (const NsModel   *model,
                   const NsSpeed   *speed,
                   const NspValues *vals,
                   gint             region_w,
                   gint             region_h)
{
  return nsp_estimate_text_regions (model, speed, vals, region_w, region_h, 0, FALSE);
}

gchar *
nsp_duration_text (gdouble secs)
{
  if (!(secs >= 0.0) || !isfinite (secs))
    return g_strdup ("—");
  if (secs < 60.0)
    return g_strdup_printf (_("%.0f s"), MAX (1.0, secs));
  if (secs < 3600.0)
    return g_strdup_printf (_("%d min %02d s"), (int) secs / 60, (int) secs % 60);
  return g_strdup_printf (_("%d h %02d min"), (int) (secs / 3600.0), ((int) secs / 60) % 60);
}

gboolean
nsp_estimate_plan (const NsModel   *model,
                   const NsSpeed   *speed,
                   const NspValues *vals,
                   gint             region_w,
                   gint             region_h,
                   gint             n_masked,
                   gboolean         content_mask,
                   NsEstimatePlan  *plan)
{
  NsParams params;

  nsp_values_to_ns_params (vals, 0, &params);
  return ns_estimate_plan (model, &params, region_w, region_h, MAX (1, vals->n_styles),
                           n_masked, content_mask, speed, plan);
}

gchar *
nsp_estimate_text_regions (const NsModel   *model,
                           const NsSpeed   *speed,
                           const NspValues *vals,
                           gint             region_w,
                           gint             region_h,
                           gint             n_masked,
                           gboolean         content_mask)
{
  NsEstimatePlan plan;
  GString       *text;
  gchar         *mem, *time;

  if (!model || !nsp_estimate_plan (model, speed, vals, region_w, region_h, n_masked,
                                    content_mask, &plan))
    /* TRANSLATORS: shown when no model could be loaded */
    return g_strdup (_("Estimated time: — · memory: —"));

  /* The plan is the job's own: the working size, and tiles where the
   * untiled run would exceed the memory limit (engine/estimate_plan.c). */
  time = nsp_duration_text (plan.seconds);
  mem  = g_format_size (plan.memory_bytes);
  text = g_string_new (NULL);
  /* TRANSLATORS: working size, time, memory */
  g_string_printf (text, _("Working size %d × %d · estimated time: %s · memory: %s"),
                   plan.work_w, plan.work_h, time, mem);
  if (plan.tiles_x * plan.tiles_y > 1)
    /* TRANSLATORS: tiles across, down */
    g_string_append_printf (text, _(" · in %d × %d tiles"), plan.tiles_x, plan.tiles_y);
  if (!plan.fits)
    {
      gchar *limit = g_format_size (plan.limit_bytes);

      /* TRANSLATORS: the memory limit */
      g_string_append_printf (text, _(" · more than the memory limit of %s"), limit);
      g_free (limit);
    }
  g_free (mem);
  g_free (time);
  return g_string_free (text, FALSE);
}

gchar *
nsp_result_size_text (const NsModel   *model,
                      const NsSpeed   *speed,
                      const NspValues *vals,
                      gboolean         full,
                      gint             region_w,
                      gint             region_h,
                      gint             n_masked,
                      gboolean         content_mask)
{
  NspValues      v = *vals;
  NsEstimatePlan plan;
  gchar         *title, *detail, *text;

  if (full)
    v.size = 0;
  title = full
    /* TRANSLATORS: the Result size choice; the layer's (processed) size */
    ? g_strdup_printf (_("Full layer size (%d × %d)"), region_w, region_h)
    : g_strdup (_("Working size (fast)"));
  if (!model || !nsp_estimate_plan (model, speed, &v, region_w, region_h, n_masked,
                                    content_mask, &plan))
    detail = g_strdup ("—");
  else
    {
      gchar *time = nsp_duration_text (plan.seconds);
      gchar *mem  = g_format_size (plan.memory_bytes);

      if (!plan.fits)
        {
          gchar *limit = g_format_size (plan.limit_bytes);

          /* TRANSLATORS: memory needed, the memory limit */
          detail = g_strdup_printf (_("needs %s, more than the memory limit of %s"), mem, limit);
          g_free (limit);
        }
      else if (plan.tiles_x * plan.tiles_y > 1)
        /* TRANSLATORS: time, memory, tiles across, down */
        detail = g_strdup_printf (_("about %s, %s, in %d × %d tiles"), time, mem,
                                  plan.tiles_x, plan.tiles_y);
      else
        /* TRANSLATORS: time, memory */
        detail = g_strdup_printf (_("about %s, %s"), time, mem);
      g_free (time);
      g_free (mem);
    }
  text = g_strdup_printf ("%s — %s", title, detail);
  g_free (title);
  g_free (detail);
  return text;
}

NsModel *
nsp_model_for_dialog (const gchar *file,
                      gchar      **path,
                      gchar      **label)
{
  GError  *err   = NULL;
  NsModel *model = NULL;

  *path = file ? g_strdup (file) : ns_model_find_default (NULL);
  if (*path)
    model = ns_model_load (*path, &err);

  if (model)
    {
      gchar *base = g_path_get_basename (*path);

      *label = g_strdup_printf (file ? _("Model: %s (%s)") : _("Default model: %s (%s)"),
                                base, ns_model_architecture (model));
      g_free (base);
    }
  else if (!*path)
    *label = g_strdup (_("No model installed: choose a .safetensors file."));
  else
    {
      gchar *msg = nsp_model_error_text (*path, err);

      *label = g_strdup_printf (_("The model cannot be used: %s"), msg);
      g_free (msg);
    }
  g_clear_error (&err);
  return model;
}

gchar *
nsp_help_uri (void)
{
  const gchar *dir  = g_getenv ("NEURAL_STYLE_DOCDIR");
  gchar       *path = g_build_filename (dir && *dir ? dir : NS_DOCDIR, "plugin.md", NULL);
  gchar       *uri  = NULL;

  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    uri = g_filename_to_uri (path, NULL, NULL);
  g_free (path);
  return uri;
}

gboolean
nsp_same_file (const gchar *a,
               const gchar *b)
{
  gchar   *ra, *rb;
  gboolean same;

  if (!a || !b)
    return FALSE;
  ra = realpath (a, NULL);
  rb = realpath (b, NULL);
  same = ra && rb ? strcmp (ra, rb) == 0 : strcmp (a, b) == 0;
  free (ra);
  free (rb);
  return same;
}
