/* plugin-preview.h — the dialog's live preview (GIMP 2.10): a small run
 * (longest side <= NSP_PREVIEW_SIDE) of the current settings in a worker
 * thread, its picture shown every few iterations, restarted 300 ms after
 * the last change.  The worker never touches GIMP or GTK: the dialog
 * gathers the pixels on the main thread, pictures come back through
 * g_idle_add. */
#ifndef PLUGIN_PREVIEW_H
#define PLUGIN_PREVIEW_H

#include <gtk/gtk.h>

#include "plugin-params.h"

#define NSP_PREVIEW_SIDE 192

/* What one preview run needs, read on the main thread (owned by the
 * preview once handed over). */
typedef struct
{
  NspValues vals;
  NsImage  *content;                   /* at most NSP_PREVIEW_SIDE */
  NsImage  *styles[NSP_MAX_STYLES];    /* vals.n_styles of them */
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

#endif
