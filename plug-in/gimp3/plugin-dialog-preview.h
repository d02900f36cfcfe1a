/* plugin-dialog-preview.h — the GIMP 3 dialog's live preview: the shared
 * preview (plug-in/ui/plugin-preview.c) fed from the procedure config
 * (every argument, the content mask and colour transfer included) and the
 * dialog's content drawable; any change of the config restarts it. */
#ifndef PLUGIN_DIALOG_PREVIEW_H
#define PLUGIN_DIALOG_PREVIEW_H

#include <libgimp/gimpui.h>

typedef struct NspDialogPreview NspDialogPreview;

/* The preview of `dialog` (a GimpProcedureDialog on `config`) for the
 * content *drawable of `image` (read at each restart: the dialog may
 * switch it).  Starts once the main loop runs. */
NspDialogPreview *nsp_dialog_preview_new    (GtkWidget            *dialog,
                                             GimpProcedureConfig  *config,
                                             GimpImage            *image,
                                             GimpDrawable        **drawable);
GtkWidget        *nsp_dialog_preview_widget (NspDialogPreview     *preview);
/* Cancel the run and free (before the dialog is destroyed). */
void              nsp_dialog_preview_free   (NspDialogPreview     *preview);

/* Test hook for the dialog's $NEURAL_STYLE_TEST_DIALOG steps: with
 * $NEURAL_STYLE_TEST_PREVIEW_LOG every step is logged with its gap to the
 * previous one; "wait" does nothing, "change" raises tv-weight (the
 * preview restarts).  TRUE when the step was one of these two. */
gboolean          nsp_dialog_preview_test_step (GtkWidget   *dialog,
                                                const gchar *step);

#endif
