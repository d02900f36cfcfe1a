/* plugin-regions.h — plug-in-neural-style-regions (GIMP 2.10): every
 * argument of plug-in-neural-style in the same order, then a mask per style
 * (a channel, layer mask or layer; -1 = the whole image), a content mask
 * with its strength and the colour transfer (issue 14; Gatys et al.,
 * "Controlling Perceptual Factors in Neural Style Transfer", CVPR 2017). */
#ifndef PLUGIN_REGIONS_H
#define PLUGIN_REGIONS_H

#include "plugin-pdb.h"
#include "plugin-pixels.h"

#define PLUG_IN_PROC_REGIONS "plug-in-neural-style-regions"

/* The arguments after plug-in-neural-style's (never reorder). */
enum
{
  NSP_ARG_NUM_STYLE_MASKS = NSP_N_ARGS, NSP_ARG_STYLE_MASKS,
  NSP_ARG_CONTENT_MASK, NSP_ARG_CONTENT_MASK_STRENGTH, NSP_ARG_COLOR_TRANSFER,
  NSP_N_REGION_ARGS
};

/* Mask drawables (-1 = none: the whole image / no content mask). */
typedef struct
{
  gint32 style_masks[NSP_MAX_STYLES];
  gint32 content_mask;
} NspMasks;

void     nsp_masks_init          (NspMasks *masks);
/* Register the procedure (from query()). */
void     nsp_regions_install     (void);
/* Fill vals, style_images and masks from a call of the regions procedure;
 * FALSE + a translated message on a wrong argument count or array. */
gboolean nsp_regions_from_pdb    (NspValues       *vals,
                                  gint32          *style_images,
                                  NspMasks        *masks,
                                  gint             n_params,
                                  const GimpParam *params,
                                  GError         **error);
/* Every mask is a drawable (not a layer group), of any open image. */
gboolean nsp_masks_validate      (const NspValues *vals,
                                  const NspMasks  *masks,
                                  GError         **error);
/* The part of mask drawable `mask_id` over the processed region of the
 * content drawable (image coordinates; outside the mask = 0); a mask of
 * another image whole (the engine resizes it to the working size, as the
 * CLI does with a mask file).  R'G'B' float. */
NsImage *nsp_read_mask           (gint32           mask_id,
                                  gint32           content_id,
                                  const NspRegion *region,
                                  GError         **error);

#endif /* PLUGIN_REGIONS_H */
