/* plugin-dialog.h — the interactive settings dialog (GIMP 3, GTK 3). */
#ifndef PLUGIN_DIALOG_H
#define PLUGIN_DIALOG_H

#include <libgimp/gimp.h>

/* Show the dialog for the content `drawable` of `image`, starting from
 * `config` (last values or defaults).  TRUE when the user pressed OK with
 * valid settings (config updated, the style rows included); FALSE on
 * Cancel.  When *drawable is a result layer (its parameters parasite names
 * its source layer) the dialog opens with the result's settings and
 * offers the source as content and "Continue from this layer"; *drawable
 * is then set to the content chosen and *start_layer to the result when
 * continuing (else NULL).  Needs gimp_ui_init. */
gboolean nsp_dialog_run (GimpProcedure       *procedure,
                         GimpProcedureConfig *config,
                         GimpImage           *image,
                         GimpDrawable       **drawable,
                         GimpDrawable       **start_layer);

#endif /* PLUGIN_DIALOG_H */
