/* plugin-continue.h — refine a result in GIMP 3: a result layer (one that
 * carries the "neural-style-parameters" parasite) is continued from its own
 * pixels, with the content (its source layer) and the styles its parasite
 * names.  The dialog offers it ("Continue from this layer"); scripts call
 * plug-in-neural-style-continue.  The GIMP 2.10 counterpart is
 * plug-in/gimp2/plugin-continue.c. */
#ifndef PLUGIN_CONTINUE_H
#define PLUGIN_CONTINUE_H

#include <libgimp/gimpui.h>

#include "plugin-params.h"

#define NSP_CONTINUE_PROC "plug-in-neural-style-continue"

/* The settings of result layer `layer`: vals from its parasite, each style
 * image found among the open images by the name the parasite gives it
 * (NULL where none is open; NSP_MAX_STYLES entries), its source layer
 * (NULL if gone).  FALSE + message when the layer carries no parameters. */
gboolean       nsp_refine_lookup           (GimpImage     *image,
                                            GimpDrawable  *layer,
                                            NspValues     *vals,
                                            GimpImage    **style_images,
                                            GimpLayer    **source,
                                            GError       **error);

/* The dialog on a result layer: its settings replace the config's (styles
 * whose images are closed stay out; all closed: the config is kept). */
void           nsp_refine_config_from_result (GimpProcedureConfig *config,
                                              GimpImage           *image,
                                              GimpDrawable        *layer);

/* The procedure plug-in-neural-style-continue: image, one drawable (a
 * result layer), size and iterations (0 = as in the result's parameters);
 * returns the new layer. */
GimpProcedure *nsp_continue_procedure_new  (GimpPlugIn    *plug_in,
                                            const gchar   *name);

#endif
