/* plugin-host.h — the PDB status and display check, written against the
 * libgimp / GTK API both GIMP versions share (compiled into each plug-in). */
#ifndef PLUGIN_HOST_H
#define PLUGIN_HOST_H

#include <libgimp/gimp.h>

/* The PDB status for a plug-in error (NSP_ERROR codes; anything else is an
 * execution error). */
GimpPDBStatusType nsp_status_for_error (const GError *error);

/* Is there a display for the dialog?  `gimp -i` / gimp-console still let
 * scripts call us with RUN-INTERACTIVE; gimp_ui_init() would then end the
 * plug-in with "cannot open display".  Opens the display GIMP names (as
 * gimp_ui_init() does) with the non-fatal gtk_init_check(). */
gboolean          nsp_display_available (void);

#endif /* PLUGIN_HOST_H */
