/* plugin-preview.h — the dialog's live preview, one implementation for
 * GIMP 2.10 (GTK 2) and GIMP 3 (GTK 3): a small run (longest side <=
 * NSP_PREVIEW_SIDE) of the current settings in a worker thread, its
 * picture shown every few iterations, restarted 300 ms after the last
 * change.  The worker never touches GIMP or GTK: the adapter's gather
 * callback reads the settings and pixels on the main thread, pictures come
 * back through g_idle_add. */
#ifndef PLUGIN_PREVIEW_H
#define PLUGIN_PREVIEW_H

#include <gtk/gtk.h>

#include "plugin-params.h"

#define NSP_PREVIEW_SIDE 192

/* What one preview run needs, read on the main thread (owned by the
 * preview once handed over).  vals.color_transfer and
 * vals.content_mask_strength are used as in the full run. */
typedef struct
{
  NspValues vals;
  NsImage  *content;                       /* at most NSP_PREVIEW_SIDE */
  NsImage  *styles[NSP_MAX_STYLES];        /* vals.n_styles of them */
  NsImage  *style_masks[NSP_MAX_STYLES];   /* NULL = the whole image */
  NsImage  *content_mask;                  /* NULL = none */
} NspPreviewInput;

/* Fill `in` for the current settings; FALSE: nothing to preview (no style
 * image, invalid values). */
typedef gboolean (*NspPreviewGather) (gpointer data, NspPreviewInput *in);

typedef struct NspPreview NspPreview;

NspPreview *nsp_preview_new      (NspPreviewGather gather, gpointer data);
/* The preview area: the picture, a status line, the "Preview" checkbox. */
GtkWidget  *nsp_preview_widget   (NspPreview *preview);
/* A control changed: stop the run now, start a new one 300 ms after the
 * last call. */
void        nsp_preview_schedule (NspPreview *preview);
/* Stop the run (cancel, join the worker) and forget the widgets; pictures
 * still on their way are dropped. */
void        nsp_preview_free     (NspPreview *preview);

/* A mask read over the processed region, shrunk to the preview content's
 * size (takes `full`; NULL stays NULL).  The engine resizes masks to the
 * working size itself; this only saves it the big copy. */
NsImage    *nsp_preview_fit_mask (NsImage *full, const NsImage *content);

/* Test hook: with $NEURAL_STYLE_TEST_PREVIEW_LOG each run's first picture
 * appends "first-picture SECS s (run N, WxH)" to that file, and
 * $NEURAL_STYLE_TEST_PREVIEW_DUMP (a file name prefix) saves each run's
 * last picture as PREFIX-N.ppm, so a test can compare previews. */

#endif
