/* plugin-config.h — the GIMP 3 procedure's arguments: declared on the
 * GimpProcedure, read from / written to its GimpProcedureConfig as
 * NspValues plus the style images. */
#ifndef PLUGIN_CONFIG_H
#define PLUGIN_CONFIG_H

#include <libgimp/gimp.h>

#include "plugin-params.h"

/* Declare every argument (after run-mode, image, drawables) and the
 * return value `layer`, with the defaults of nsp_values_init(). */
void     nsp_config_add_arguments (GimpProcedure *procedure);

/* The config's values.  style_images gets vals->n_styles images (not
 * referenced; NSP_MAX_STYLES entries): style-images' images, or the
 * images of its items.  FALSE + a calling error when the
 * style arrays do not fit together (more than NSP_MAX_STYLES images, or a
 * weight/scale array that is neither empty nor as long as style-images). */
gboolean nsp_config_get_values    (GimpProcedureConfig *config,
                                   NspValues           *vals,
                                   GimpImage          **style_images,
                                   GError             **error);

/* Store the style images with their weights and scales (the dialog). */
void     nsp_config_set_styles    (GimpProcedureConfig *config,
                                   GimpImage          **style_images,
                                   const gdouble       *weights,
                                   const gdouble       *scales,
                                   gint                 n_styles);

/* nsp_values_validate() plus: every style image is an open image. */
gboolean nsp_validate_with_images (const NspValues *vals,
                                   GimpImage      **style_images,
                                   GError         **error);

/* A style image's display name: its file's name without the extension
 * (nsp_style_name_for_file). */
gchar   *nsp_image_display_name   (GimpImage *image);

#endif /* PLUGIN_CONFIG_H */
