/* plugin-refine.h — a result layer's "neural-style-parameters" parasite
 * read back into NspValues (no GIMP headers): refining a result starts
 * from the settings that made it. */
#ifndef PLUGIN_REFINE_H
#define PLUGIN_REFINE_H

#include "plugin-params.h"

/* Fill vals (initialised with nsp_values_init first) from a parasite text
 * written by nsp_values_to_parasite_text(); *style_names gets the styles'
 * display names (NULL-terminated, g_strfreev), *source_tattoo the source
 * layer's tattoo (0 if none).  Missing keys keep their defaults; a model
 * file that no longer exists leaves the model "" (the installed default).  FALSE
 * with a message when the text is not such a parasite or a value is out
 * of range. */
gboolean nsp_values_from_parasite_text (const gchar  *text,
                                        NspValues    *vals,
                                        gchar      ***style_names,
                                        guint        *source_tattoo,
                                        GError      **error);

#endif /* PLUGIN_REFINE_H */
