/* plugin-process.c — one whole run (see header). */
#include "plugin-process.h"
#include "plugin-io.h"
#include "plugin-progress.h"
#include "plugin-i18n.h"

#include <math.h>
#include <stdlib.h>

typedef struct
{
  NspProgressWindow *window;      /* interactive runs only */
  gboolean           cancelled;
  gint               cancel_at;   /* test hook, see nsp_process(); -1 = off */
} ProgressState;

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

/* Engine progress -> GIMP progress bar (+ the Cancel window).  Returning
 * FALSE makes the engine stop; a failing progress call means GIMP has gone
 * away or the run was cancelled. */
static gboolean
on_progress (const NsProgress *p, gpointer data)
{
  ProgressState *st  = data;
  gchar         *eta = format_eta (p->eta);
  gchar         *text;
  gboolean       ok;

  if (p->levels > 1)
    /* TRANSLATORS: level/levels, iteration/iterations, loss, time left */
    text = g_strdup_printf (_("Level %d/%d · Iteration %d/%d · loss %.4g · ETA %s"),
                            p->level, p->levels, p->iteration, p->iterations,
                            p->total, eta);
  else
    /* TRANSLATORS: iteration/iterations, loss, time left */
    text = g_strdup_printf (_("Iteration %d/%d · loss %.4g · ETA %s"),
                            p->iteration, p->iterations, p->total, eta);

  ok = gimp_progress_set_text (text);
  ok = gimp_progress_update (CLAMP (p->fraction, 0.0, 1.0)) && ok;
  if (!ok)
    st->cancelled = TRUE;
  if (st->window && !nsp_progress_window_update (st->window, text, p->fraction))
    st->cancelled = TRUE;
  if (st->cancel_at >= 0 && p->iteration >= st->cancel_at)
    st->cancelled = TRUE;

  g_free (text);
  g_free (eta);
  return !st->cancelled;
}

static gboolean
all_finite (const NsImage *img)
{
  gsize n = (gsize) img->width * img->height * 3;

  for (gsize i = 0; i < n; i++)
    if (!isfinite (img->data[i]))
      return FALSE;
  return TRUE;
}


/* Map an engine error to ours: bad arguments/images are calling errors. */
static void
engine_error (GError **error, GError *err, const char *context)
{
  NspErrorCode code = (err->domain == NS_ERROR && err->code == NS_ERROR_INVALID_ARG)
                      ? NSP_ERROR_CALLING : NSP_ERROR_EXECUTION;

  /* TRANSLATORS: "<what failed>: <engine message>" */
  nsp_set_error (error, code, _("%s: %s"), context, err->message);
}

gint32
nsp_process (gint32            image_id,
             gint32            drawable_id,
             const NspValues  *vals,
             gboolean          interactive,
             GError          **error)
{
  NspRegion      region;
  NsParams       params;
  ProgressState  progress = { NULL, FALSE, -1 };
  GError        *err = NULL;
  gchar         *model_path = NULL;
  NsModel       *model = NULL;
  NsImage       *content = NULL, *result = NULL;
  gfloat        *alpha = NULL;
  NsJob         *job = NULL;
  gint32         layer = -1;
  gint           work_w, work_h, work_longest;
  guint32        seed;

  if (!nsp_region_compute (image_id, drawable_id, &region, error))
    return -1;

  /* Working size: the processed region, or its longest side scaled to
   * vals->size. */
  if (vals->size > 0)
    ns_image_fit_size (region.width, region.height, vals->size, &work_w, &work_h);
  else
    {
      work_w = region.width;
      work_h = region.height;
    }
  work_longest = MAX (work_w, work_h);
  if (work_longest > NSP_MAX_SIZE)
    {
      nsp_set_error (error, NSP_ERROR_CALLING,
                 _("The layer is too large to process at its full size (%d pixels); "
                   "choose a working size of at most %d pixels."),
                 work_longest, NSP_MAX_SIZE);
      return -1;
    }

  /* Test hook (tests/gimp): $NEURAL_STYLE_TEST_CANCEL_AT=<iteration> acts
   * like the user pressing Cancel when that iteration is reported. */
  if (g_getenv ("NEURAL_STYLE_TEST_CANCEL_AT"))
    progress.cancel_at = atoi (g_getenv ("NEURAL_STYLE_TEST_CANCEL_AT"));

  seed = vals->seed >= 0 ? (guint32) vals->seed : (g_random_int () & 0x7fffffff);
  nsp_values_to_ns_params (vals, seed, &params);

  gimp_progress_init (_("Neural Style"));
  if (interactive)
    progress.window = nsp_progress_window_new ();

  /* The model. */
  gimp_progress_set_text (_("Loading the model…"));
  if (vals->model[0] != '\0')
    model_path = g_strdup (vals->model);
  else if (!(model_path = ns_model_find_default (&err)))
    {
      engine_error (error, err, _("No model file found"));
      goto out;
    }
  model = ns_model_load (model_path, &err);
  if (!model)
    {
      gchar *ctx = g_strdup_printf (_("Could not load the model '%s'"), model_path);
      engine_error (error, err, ctx);
      g_free (ctx);
      goto out;
    }

  /* The pixels. */
  gimp_progress_set_text (_("Reading the images…"));
  content = nsp_read_drawable (drawable_id, &region, &alpha, error);
  if (!content)
    goto out;

  job = ns_job_new (model, content, &params, &err);
  if (!job)
    {
      engine_error (error, err, _("Could not set up the style transfer"));
      goto out;
    }
  for (gint i = 0; i < vals->n_styles; i++)
    {
      gint     max_side = (gint) ceil (2.0 * vals->style_scales[i] * work_longest);
      NsImage *style    = nsp_read_image_composite (vals->style_images[i],
                                                    MAX (max_side, 64), error);
      gboolean ok;

      if (!style)
        goto out;
      ok = ns_job_add_style (job, style, vals->style_weights[i], vals->style_scales[i], &err);
      ns_image_free (style);
      if (!ok)
        {
          gchar *ctx = g_strdup_printf (_("Style image %d cannot be used"), i + 1);
          engine_error (error, err, ctx);
          g_free (ctx);
          goto out;
        }
    }

  /* The optimisation. */
  ns_job_set_progress (job, on_progress, &progress);
  gimp_progress_set_text (_("Starting…"));
  result = ns_job_run (job, &err);
  if (progress.cancelled || ns_job_get_stop_reason (job) == NS_STOP_CANCELLED)
    {
      nsp_set_error (error, NSP_ERROR_CANCELLED, _("Cancelled."));
      goto out;
    }
  if (!result)
    {
      engine_error (error, err, _("The style transfer failed"));
      goto out;
    }
  if (!all_finite (result))
    {
      nsp_set_error (error, NSP_ERROR_EXECUTION,
                 _("The style transfer produced invalid values; try smaller weights or another optimizer."));
      goto out;
    }

  /* Back to the size of the processed region. */
  if (result->width != region.width || result->height != region.height)
    {
      NsImage *big = ns_image_resize (result, region.width, region.height);

      if (!big)
        {
          nsp_set_error (error, NSP_ERROR_EXECUTION, _("Not enough memory to scale the result up."));
          goto out;
        }
      ns_image_free (result);
      result = big;
    }

  gimp_progress_set_text (_("Writing the result layer…"));
  {
    gchar *name = nsp_layer_name (vals);
    gchar *text = nsp_values_to_parasite_text (vals, model_path, seed, work_w, work_h);

    layer = nsp_write_result (image_id, drawable_id, &region, result, alpha,
                              name, text, error);
    g_free (name);
    g_free (text);
  }
  gimp_progress_update (1.0);

out:
  if (err)
    g_error_free (err);
  nsp_progress_window_destroy (progress.window);
  if (job)
    ns_job_free (job);
  if (result)
    ns_image_free (result);
  if (content)
    ns_image_free (content);
  g_free (alpha);
  if (model)
    ns_model_free (model);
  g_free (model_path);
  gimp_progress_end ();
  return layer;
}
