/* plugin-progress.h — a small "Neural Style" window with a progress bar and
 * a Cancel button for interactive runs.  The engine runs in the main
 * thread; each progress report pumps the pending GTK events. */
#ifndef PLUGIN_PROGRESS_H
#define PLUGIN_PROGRESS_H

#include <glib.h>

typedef struct NspProgressWindow NspProgressWindow;

NspProgressWindow *nsp_progress_window_new     (void);
/* Show `text` and `fraction` (0..1); FALSE once the user has cancelled. */
gboolean           nsp_progress_window_update  (NspProgressWindow *win,
                                                const gchar       *text,
                                                gdouble            fraction);
void               nsp_progress_window_destroy (NspProgressWindow *win);

#endif /* PLUGIN_PROGRESS_H */
