/* plugin-continue-toggle.h — the dialog's "Continue from this layer"
 * checkbox (refine a result), the same in GIMP 2.10 and GIMP 3. */
#ifndef PLUGIN_CONTINUE_TOGGLE_H
#define PLUGIN_CONTINUE_TOGGLE_H

#include <gtk/gtk.h>

/* The checkbox; ticking it ticks and locks `source_toggle` (the source
 * layer is the content of a continued run). */
GtkWidget *nsp_continue_toggle_new (GtkWidget *source_toggle);

#endif
