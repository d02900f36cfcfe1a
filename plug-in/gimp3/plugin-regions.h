/* plugin-regions.h — the GIMP 3 procedure's region and colour arguments
 * (issue 14): content-mask, content-mask-strength, color-transfer (no
 * style-masks yet: see plugin-regions.c); reading masks over the processed
 * area. */
#ifndef PLUGIN_REGIONS_H
#define PLUGIN_REGIONS_H

#include <libgimp/gimp.h>

#include "plugin-params.h"
#include "plugin-pixels.h"

/* Mask drawables (not referenced; NULL = the whole image / no content mask). */
typedef struct
{
  GimpDrawable *style_masks[NSP_MAX_STYLES];
  GimpDrawable *content_mask;
} NspMasks;

/* Declare the arguments (after nsp_config_add_arguments). */
void     nsp_regions_add_arguments (GimpProcedure *procedure);
/* The config's content mask (checked: a drawable of the content's image;
 * the content drawable itself = none; style masks stay NULL) and vals'
 * color_transfer / content_mask_strength.  FALSE + a calling error. */
gboolean nsp_regions_get           (GimpProcedureConfig *config,
                                    GimpDrawable        *content,
                                    NspValues           *vals,
                                    NspMasks            *masks,
                                    GError             **error);
/* The mask over the processed region of `content` (image coordinates;
 * outside the mask drawable = 0) as R'G'B' float; NULL without error
 * for mask NULL. */
NsImage *nsp_read_mask             (GimpDrawable        *mask,
                                    GimpDrawable        *content,
                                    const NspRegion     *region,
                                    GError             **error);

#endif /* PLUGIN_REGIONS_H */
