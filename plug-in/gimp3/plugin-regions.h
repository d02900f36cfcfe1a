/* plugin-regions.h — the GIMP 3 procedures' region and colour arguments
 * (issue 14): content-mask, content-mask-strength, color-transfer and
 * style-masks; reading the masks over the processed area.
 *
 * style-masks is an object array, and GIMP 3.0.4 refuses a call that
 * leaves an object-array argument out (its default, NULL, is "out of
 * range"): added to plug-in-neural-style it would break every caller.  So
 * it is a required argument of the second procedure
 * plug-in-neural-style-regions (every argument of plug-in-neural-style in
 * the same order, then style-masks, as in GIMP 2.10), and an aux argument
 * (config only, not in the PDB signature) of plug-in-neural-style, where
 * the dialog's Region per style and the last values keep it. */
#ifndef PLUGIN_REGIONS_H
#define PLUGIN_REGIONS_H

#include <libgimp/gimp.h>

#include "plugin-params.h"
#include "plugin-pixels.h"

#define PLUG_IN_PROC_REGIONS "plug-in-neural-style-regions"

/* Mask drawables (not referenced; NULL = the whole image / no content mask). */
typedef struct
{
  GimpDrawable *style_masks[NSP_MAX_STYLES];
  GimpDrawable *content_mask;
} NspMasks;

/* Declare the arguments (after nsp_config_add_arguments); style-masks as
 * a PDB argument when `style_masks_argument`, else as an aux argument. */
void     nsp_regions_add_arguments (GimpProcedure *procedure,
                                    gboolean       style_masks_argument);
/* The config's masks (checked: drawables, not layer groups; the content
 * drawable itself = none / the whole image) and vals' color_transfer /
 * content_mask_strength; vals->n_styles must be set.  style-masks has one
 * drawable per style (or is unset: every style on the whole image); in
 * plug-in-neural-style (the aux argument, set by the dialog) a list that
 * no longer fits is dropped.  FALSE + a calling error. */
gboolean nsp_regions_get           (GimpProcedureConfig *config,
                                    GimpDrawable        *content,
                                    NspValues           *vals,
                                    NspMasks            *masks,
                                    GError             **error);
/* Store the dialog's style masks (n > 0; NULL = the whole image, stored
 * as the content drawable) as style-masks. */
void     nsp_regions_set_style_masks (GimpProcedureConfig *config,
                                      GimpDrawable        *content,
                                      GimpDrawable       **masks,
                                      gint                 n);
/* A mask of the content's image: the part over the processed region of
 * `content` (image coordinates; outside the mask drawable = 0).  A mask of
 * another image: the whole drawable (the engine resizes it to the working
 * size, as the CLI does with a mask file).  R'G'B' float; NULL without
 * error for mask NULL. */
NsImage *nsp_read_mask             (GimpDrawable        *mask,
                                    GimpDrawable        *content,
                                    const NspRegion     *region,
                                    GError             **error);

#endif /* PLUGIN_REGIONS_H */
