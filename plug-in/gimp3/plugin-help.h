/* plugin-help.h — the GIMP 3 dialog's Help: the plug-in's own page
 * (installed docs/plugin.md), not GIMP's manual, which has no page for
 * this plug-in (it would offer to download the manual). */
#ifndef PLUGIN_HELP_H
#define PLUGIN_HELP_H

#include <libgimp/gimpui.h>

/* gimp_procedure_dialog_new() with the plug-in's own help function. */
GtkWidget *nsp_help_procedure_dialog_new (GimpProcedure       *procedure,
                                          GimpProcedureConfig *config,
                                          const gchar         *title);

#endif /* PLUGIN_HELP_H */
