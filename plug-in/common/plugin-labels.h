/* plugin-labels.h — the dialog's wording for each setting, the same in
 * both GIMP versions: a plain label saying what changes in the picture
 * (issue #19: "more or less style, finer or coarser brush strokes") and a
 * tooltip that names the technical parameter.  Keyed by the GIMP 3
 * argument name ("content-weight", "iterations", …). */
#ifndef PLUGIN_LABELS_H
#define PLUGIN_LABELS_H

#include <glib.h>

/* The translated label with its mnemonic and the colon of a GIMP 2.10
 * table row ("Keep the ph_oto:"); the property name itself when unknown. */
const gchar *nsp_control_label   (const gchar *property);

/* The label without the trailing colon (a GIMP 3 argument's nick, which
 * GimpProcedureDialog shows).  Free with g_free. */
gchar       *nsp_control_nick    (const gchar *property);

/* The translated tooltip (the iteration limit filled in); NULL when the
 * property has none.  Free with g_free. */
gchar       *nsp_control_tooltip (const gchar *property);

#endif /* PLUGIN_LABELS_H */
