/* plugin-pdb.h — the GIMP 2.10 PDB signature of plug-in-neural-style and
 * its arguments -> NspValues + style image IDs; the values kept for
 * WITH_LAST_VALS. */
#ifndef PLUGIN_PDB_H
#define PLUGIN_PDB_H

#include <libgimp/gimp.h>

#include "plugin-params.h"

/* Index of each PDB argument (the signature is stable: never reorder). */
enum
{
  NSP_ARG_RUN_MODE, NSP_ARG_IMAGE, NSP_ARG_DRAWABLE,
  NSP_ARG_NUM_STYLES, NSP_ARG_STYLE_IMAGES,
  NSP_ARG_NUM_WEIGHTS, NSP_ARG_STYLE_WEIGHTS,
  NSP_ARG_NUM_SCALES, NSP_ARG_STYLE_SCALES,
  NSP_ARG_CONTENT_WEIGHT, NSP_ARG_STYLE_WEIGHT, NSP_ARG_TV_WEIGHT,
  NSP_ARG_ITERATIONS, NSP_ARG_TOLERANCE, NSP_ARG_OPTIMIZER, NSP_ARG_POOLING,
  NSP_ARG_STYLE_LAYER_WEIGHT_EXP, NSP_ARG_CONTENT_WEIGHT_BLEND,
  NSP_ARG_SIZE, NSP_ARG_INIT, NSP_ARG_INITIAL_NOISEBLEND, NSP_ARG_SEED,
  NSP_ARG_PRESERVE_COLORS, NSP_ARG_MULTIRES, NSP_ARG_MODEL,
  NSP_N_ARGS
};

/* What gimp_set_data() keeps between runs (flat, no pointers). */
typedef struct
{
  NspValues vals;
  gint32    style_images[NSP_MAX_STYLES];   /* -1 = none */
} NspLastValues;

/* The PDB argument / return value descriptions (static tables; the
 * descriptions are N_()-marked English). */
const GimpParamDef *nsp_pdb_args        (gint *n_args);
const GimpParamDef *nsp_pdb_return_vals (gint *n_vals);

/* Fill `vals` and `style_images` (NSP_MAX_STYLES, unused ones -1) from a
 * NONINTERACTIVE call.  Checks the argument count and the array lengths
 * (an empty weight/scale array means 1.0 each); returns FALSE with a
 * translated message otherwise.  Ranges are checked by
 * nsp_validate_with_images(). */
gboolean nsp_values_from_pdb    (NspValues       *vals,
                                 gint32          *style_images,
                                 gint             n_params,
                                 const GimpParam *params,
                                 GError         **error);

/* nsp_values_validate() plus: every style image ID is an open image. */
gboolean nsp_validate_with_images (const NspValues *vals,
                                   const gint32    *style_images,
                                   GError         **error);

/* A style image's display name (its name without the file extension). */
gchar   *nsp_image_display_name (gint32 image_id);

#endif /* PLUGIN_PDB_H */
