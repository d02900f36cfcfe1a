/* plugin-continue.h — refine a result in GIMP 2.10: a result layer (one that
 * carries the "neural-style-parameters" parasite) is continued from its own
 * pixels, with the content (its source layer) and the styles its parasite
 * names.  The dialog offers it ("Continue from this layer"); scripts call
 * plug-in-neural-style-continue. */
#ifndef PLUGIN_CONTINUE_H
#define PLUGIN_CONTINUE_H

#include <libgimp/gimp.h>

#include "plugin-params.h"

#define NSP_CONTINUE_PROC "plug-in-neural-style-continue"

/* The settings of result layer `layer`: vals from its parasite, each style
 * image found among the open images by the name the parasite gives it
 * (-1 where none is open), its source layer (-1 if gone).  FALSE + message
 * when the layer carries no parameters. */
gboolean nsp_refine_lookup  (gint32      image_id,
                             gint32      layer,
                             NspValues  *vals,
                             gint32     *style_images,
                             gint32     *source_layer,
                             GError    **error);

/* Register plug-in-neural-style-continue (from query()). */
void     nsp_refine_install (void);

/* Its run(): run-mode, image, drawable (a result layer), size and
 * iterations (0 = as before); returns the new layer. */
void     nsp_refine_run     (gint              n_params,
                             const GimpParam  *param,
                             gint             *n_return_vals,
                             GimpParam       **return_vals);

#endif
