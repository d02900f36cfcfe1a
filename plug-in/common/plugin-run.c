/* plugin-run.c — one style transfer through the engine (see header). */
#include "plugin-run.h"
#include "plugin-texts.h"
#include "plugin-i18n.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct
{
  const NspHost *host;
  gboolean       cancelled;
  gint           cancel_at;   /* test hook, see nsp_run(); -1 = off */
} ProgressState;

/* Engine progress -> the host's progress bar.  Returning FALSE makes the
 * engine stop. */
static gboolean
on_progress (const NsProgress *p, gpointer data)
{
  ProgressState *st   = data;
  gchar         *text = nsp_progress_text (p);

  if (!st->host->progress (st->host->data, text, CLAMP (p->fraction, 0.0, 1.0)))
    st->cancelled = TRUE;
  if (st->cancel_at >= 0 && p->iteration >= st->cancel_at)
    st->cancelled = TRUE;
  g_free (text);
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

/* Accepted iterations over all levels (the history also holds each
 * level's iteration 0, the starting picture). */
static gint
iterations_run (const NsJob *job)
{
  gint                     n = 0, count = 0;
  const NsIterationRecord *h = ns_job_get_history (job, &n);

  for (gint i = 0; i < n; i++)
    if (h[i].iteration > 0)
      count++;
  return count;
}

/* Map an engine error to ours: bad arguments/images are calling errors. */
static gboolean
engine_error (GError **error, GError *err, const char *context)
{
  NspErrorCode code = (err->domain == NS_ERROR && err->code == NS_ERROR_INVALID_ARG)
                      ? NSP_ERROR_CALLING : NSP_ERROR_EXECUTION;

  /* TRANSLATORS: "<what failed>: <engine message>" */
  return nsp_set_error (error, code, _("%s: %s"), context, err->message);
}

void
nsp_result_clear (NspResult *r)
{
  if (r->image)
    ns_image_free (r->image);
  g_free (r->alpha);
  g_free (r->model_path);
  g_free (r->layer_name);
  g_free (r->parasite_text);
  g_free (r->warning);
  memset (r, 0, sizeof *r);
}

gboolean
nsp_run (const NspValues *vals,
         gint             region_w,
         gint             region_h,
         const NspHost   *host,
         NspResult       *out,
         GError         **error)
{
  return nsp_run_from (vals, region_w, region_h, host, NULL, out, error);
}

gboolean
nsp_run_from (const NspValues *vals,
              gint             region_w,
              gint             region_h,
              const NspHost   *host,
              const NsImage   *start,
              NspResult       *out,
              GError         **error)
{
  NsParams       params;
  ProgressState  progress = { host, FALSE, -1 };
  GError        *err = NULL;
  NsModel       *model = NULL;
  NsImage       *content = NULL, *result = NULL;
  NsJob         *job = NULL;
  gboolean       ok = FALSE;
  gint           work_longest;

  memset (out, 0, sizeof *out);

  /* Test hook (tests/gimp): $NEURAL_STYLE_TEST_CANCEL_AT=<iteration> acts
   * like the user pressing Cancel when that iteration is reported. */
  if (g_getenv ("NEURAL_STYLE_TEST_CANCEL_AT"))
    progress.cancel_at = atoi (g_getenv ("NEURAL_STYLE_TEST_CANCEL_AT"));

  out->seed = vals->seed >= 0 ? (guint32) vals->seed : (g_random_int () & 0x7fffffff);
  nsp_values_to_ns_params (vals, out->seed, &params);
  if (start)   /* continue from a picture: as it is, no noise */
    {
      params.init = NS_INIT_IMAGE;
      params.initial_noiseblend = 0.0;
    }

  /* The engine's working size: the region, or its longest side scaled to
   * vals->size. */
  ns_working_size (&params, region_w, region_h, &out->work_width, &out->work_height);
  work_longest = MAX (out->work_width, out->work_height);
  if (work_longest > NSP_MAX_SIZE)
    {
      nsp_set_error (error, NSP_ERROR_CALLING,
                     _("The layer is too large to process at its full size (%d pixels); "
                       "choose a working size of at most %d pixels."),
                     work_longest, NSP_MAX_SIZE);
      goto out;
    }

  /* The model. */
  host->status (host->data, _("Loading the model…"));
  if (vals->model[0] != '\0')
    out->model_path = g_strdup (vals->model);
  else if (!(out->model_path = ns_model_find_default (&err)))
    {
      engine_error (error, err, _("No model file found"));
      goto out;
    }
  model = ns_model_load (out->model_path, &err);
  if (!model)
    {
      gchar *msg = nsp_model_error_text (out->model_path, err);

      nsp_set_error (error, (err->domain == NS_ERROR && err->code == NS_ERROR_INVALID_ARG)
                            ? NSP_ERROR_CALLING : NSP_ERROR_EXECUTION, "%s", msg);
      g_free (msg);
      goto out;
    }

  /* The pixels. */
  host->status (host->data, _("Reading the images…"));
  content = host->read_content (host->data, &out->alpha, error);
  if (!content)
    goto out;

  job = ns_job_new (model, content, &params, &err);
  if (!job)
    {
      engine_error (error, err, _("Could not set up the style transfer"));
      goto out;
    }
  if (start)
    ns_job_set_init_image (job, start);
  for (gint i = 0; i < vals->n_styles; i++)
    {
      gint     side  = ns_style_read_side (out->work_width, out->work_height,
                                           vals->style_scales[i]);
      NsImage *style = host->read_style (host->data, i, side, error);
      NsImage *mask  = NULL;
      gboolean added;

      if (!style)
        goto out;
      if (host->read_style_mask && !(mask = host->read_style_mask (host->data, i, &err))
          && err)
        {
          g_propagate_error (error, g_steal_pointer (&err));
          ns_image_free (style);
          goto out;
        }
      added = ns_job_add_style_masked (job, style, vals->style_weights[i],
                                       vals->style_scales[i], mask, &err);
      ns_image_free (style);
      ns_image_free (mask);
      if (!added)
        {
          gchar *ctx = g_strdup_printf (_("Style image %d cannot be used"), i + 1);
          engine_error (error, err, ctx);
          g_free (ctx);
          goto out;
        }
    }

  if (host->read_content_mask)
    {
      NsImage *mask = host->read_content_mask (host->data, &err);
      gboolean set;

      if (!mask && err)
        {
          g_propagate_error (error, g_steal_pointer (&err));
          goto out;
        }
      set = !mask || ns_job_set_content_mask (job, mask, vals->content_mask_strength, &err);
      ns_image_free (mask);
      if (!set)
        {
          engine_error (error, err, _("The content mask cannot be used"));
          goto out;
        }
    }

  /* The optimisation. */
  ns_job_set_progress (job, on_progress, &progress);
  host->status (host->data, _("Starting…"));
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
  out->stop_reason    = ns_job_get_stop_reason (job);
  out->iterations_run = iterations_run (job);
  {
    gint n;
    const NsIterationRecord *h = ns_job_get_history (job, &n);

    out->loss_start = n > 0 ? h[0].total : 0.0;
    out->loss_end   = n > 0 ? h[n - 1].total : 0.0;
  }
  if (out->stop_reason == NS_STOP_NONFINITE)
    {
      if (out->iterations_run == 0)
        {
          nsp_set_error (error, NSP_ERROR_EXECUTION,
                         _("The optimisation failed: the loss became infinite or not a number "
                           "before the first step, so there is no result. Use smaller weights "
                           "(content, style, smoothness) or the L-BFGS optimizer."));
          goto out;
        }
      out->warning = g_strdup_printf (_("The optimisation stopped after %d of %d iterations because "
                                        "the loss became infinite or not a number; the result is the "
                                        "best picture found until then. Smaller weights avoid this."),
                                      out->iterations_run, vals->iterations);
    }
  if (!all_finite (result))
    {
      nsp_set_error (error, NSP_ERROR_EXECUTION,
                     _("The style transfer produced invalid values; try smaller weights or another optimizer."));
      goto out;
    }

  /* Back to the size of the processed region. */
  if (result->width != region_w || result->height != region_h)
    {
      NsImage *big = ns_image_resize (result, region_w, region_h);

      if (!big)
        {
          nsp_set_error (error, NSP_ERROR_EXECUTION, _("Not enough memory to scale the result up."));
          goto out;
        }
      ns_image_free (result);
      result = big;
    }
  out->image = result;
  result = NULL;

  /* The texts of the result layer. */
  {
    gchar *names[NSP_MAX_STYLES];

    for (gint i = 0; i < vals->n_styles; i++)
      names[i] = host->style_name (host->data, i);
    out->layer_name    = nsp_layer_name (vals, (const gchar *const *) names);
    gchar *settings = nsp_values_to_parasite_text (vals, (const gchar *const *) names,
                                                   out->model_path, out->seed,
                                                   out->work_width, out->work_height);
    gchar *outcome  = nsp_outcome_parasite_text (out->iterations_run, out->stop_reason,
                                                 out->loss_start, out->loss_end);
    gint   tiles_x, tiles_y;
    gchar *tiles;

    /* the grid the last level ran on (1x1: untiled; automatic tiles where
     * the memory limit needed them) */
    ns_job_get_tiling (job, &tiles_x, &tiles_y, NULL, NULL);
    tiles = g_strdup_printf ("tiles=%dx%d\n", tiles_x, tiles_y);
    out->parasite_text = g_strconcat (settings, outcome, tiles, NULL);
    g_free (settings);
    g_free (outcome);
    g_free (tiles);
    for (gint i = 0; i < vals->n_styles; i++)
      g_free (names[i]);
  }
  ok = TRUE;

out:
  if (err)
    g_error_free (err);
  if (job)
    ns_job_free (job);
  if (result)
    ns_image_free (result);
  if (content)
    ns_image_free (content);
  if (model)
    ns_model_free (model);
  if (!ok)
    nsp_result_clear (out);
  return ok;
}

void
nsp_log_peak_memory (void)
{
  const gchar *log = g_getenv ("NEURAL_STYLE_TEST_PEAK_LOG");
  gchar       *status = NULL;
  const gchar *hwm;
  FILE        *f;

  if (!log || !*log || !g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return;
  hwm = strstr (status, "VmHWM:");
  if (hwm && (f = g_fopen (log, "a")))
    {
      fprintf (f, "%ld\n", strtol (hwm + 6, NULL, 10));
      fclose (f);
    }
  g_free (status);
}
