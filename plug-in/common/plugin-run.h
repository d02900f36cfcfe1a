/* plugin-run.h — the call into the engine, the same for both GIMP versions:
 * working size, model, job, styles, progress, cancel, result checks.  The
 * GIMP-specific parts (reading pixels, the progress bar, the Cancel button)
 * are the host's callbacks. */
#ifndef PLUGIN_RUN_H
#define PLUGIN_RUN_H

#include "plugin-params.h"

typedef struct
{
  gpointer data;
  /* A status line ("Loading the model…"). */
  void     (*status)       (gpointer data, const gchar *text);
  /* Engine progress: the nsp_progress_text() line and 0..1.  FALSE stops
   * the run (the user cancelled). */
  gboolean (*progress)     (gpointer data, const gchar *text, gdouble fraction);
  /* The processed region of the content as R'G'B' float; `alpha` gets
   * width*height floats or NULL (no alpha). */
  NsImage *(*read_content) (gpointer data, gfloat **alpha, GError **error);
  /* Style image `index`, its longest side shrunk to at most `max_side`. */
  NsImage *(*read_style)   (gpointer data, gint index, gint max_side, GError **error);
  /* Style image `index`'s display name (nsp_style_display_name). */
  gchar   *(*style_name)   (gpointer data, gint index);
  /* Regions (may be NULL: none).  The mask of style `index` / the content
   * mask over the processed region (R'G'B' float; gray = mean of the
   * channels); NULL without error = the whole image / no content mask. */
  NsImage *(*read_style_mask)   (gpointer data, gint index, GError **error);
  NsImage *(*read_content_mask) (gpointer data, GError **error);
} NspHost;

typedef struct
{
  NsImage *image;          /* region-sized result */
  gfloat  *alpha;          /* the content's alpha or NULL */
  gchar   *model_path;     /* the model actually used */
  guint32  seed;           /* the seed actually used */
  gint     work_width, work_height;
  gchar   *layer_name;     /* nsp_layer_name() */
  gchar   *parasite_text;  /* nsp_values_to_parasite_text() + the outcome + "tiles=NxM" */
  gint          iterations_run;  /* accepted iterations over all levels */
  gdouble       loss_start;      /* total loss of the start image (first level) */
  gdouble       loss_end;        /* total loss of the last iteration */
  NsStopReason  stop_reason;     /* why the (last) level stopped */
  gchar        *warning;         /* NULL, or a message the host shows: the
                                    run hit a non-finite loss and the best
                                    picture found before is returned */
} NspResult;

/* Run the style transfer on a region_w x region_h region.  FALSE with
 * error set on failure (NSP_ERROR_CALLING for bad input, _CANCELLED when
 * stopped, _EXECUTION otherwise, also when the loss became non-finite
 * before any iteration was accepted); `result` is then empty.  A loss that
 * became non-finite later gives the best picture found and a warning. */
gboolean nsp_run          (const NspValues *vals,
                           gint             region_w,
                           gint             region_h,
                           const NspHost   *host,
                           NspResult       *result,
                           GError         **error);
/* The same, starting from `start` (any size; resampled to the working
 * size) as it is, without noise: refining an earlier result.  NULL = the
 * values' start (content or noise). */
gboolean nsp_run_from     (const NspValues *vals,
                           gint             region_w,
                           gint             region_h,
                           const NspHost   *host,
                           const NsImage   *start,
                           NspResult       *result,
                           GError         **error);
void     nsp_result_clear (NspResult *result);

/* Test hook (tests/gimp, tests/gimp3): $NEURAL_STYLE_TEST_PEAK_LOG names a
 * file to which each call appends this process's peak resident memory in
 * KiB (VmHWM), so a test can compare runs.  Nothing without it. */
void     nsp_log_peak_memory (void);

#endif /* PLUGIN_RUN_H */
