/* plugin-params.h — the plug-in's settings: PDB arguments <-> NspValues <->
 * NsParams, defaults, validation, and the texts derived from them (layer
 * name, "neural-style-parameters" parasite).
 *
 * NspValues is a flat struct (no pointers) so it can be stored with
 * gimp_set_data() for WITH_LAST_VALS runs.
 */
#ifndef PLUGIN_PARAMS_H
#define PLUGIN_PARAMS_H

#include <libgimp/gimp.h>

#include "neural_style.h"

#define PLUG_IN_PROC    "plug-in-neural-style"
#define PLUG_IN_BINARY  "plug-in-neural-style"
#define PLUG_IN_ROLE    "gimp-neural-style"
#define PLUG_IN_PARASITE "neural-style-parameters"

#define NSP_MAX_STYLES      16      /* style images per run             */
#define NSP_MAX_SIZE        8192    /* longest side of the working image */
#define NSP_MIN_SIZE        16
#define NSP_MAX_ITERATIONS  NS_MAX_ITERATIONS
#define NSP_MAX_MULTIRES    8
#define NSP_MAX_STYLE_SCALE 8.0
#define NSP_MODEL_PATH_MAX  4096

typedef struct
{
  gint32  n_styles;
  gint32  style_images[NSP_MAX_STYLES];
  gdouble style_weights[NSP_MAX_STYLES];   /* >= 0, normalised by the engine */
  gdouble style_scales[NSP_MAX_STYLES];    /* > 0 */
  gdouble content_weight;
  gdouble style_weight;
  gdouble tv_weight;
  gint32  iterations;
  gdouble tolerance;                       /* 0 = off */
  gint32  optimizer;                       /* NsOptimizerType */
  gint32  pooling;                         /* NsPoolingType */
  gdouble style_layer_weight_exp;
  gdouble content_weight_blend;
  gint32  size;                            /* longest side; 0 = layer size */
  gint32  init;                            /* NS_INIT_NOISE / NS_INIT_CONTENT */
  gdouble initial_noiseblend;
  gint32  seed;                            /* -1 = random */
  gint32  preserve_colors;                 /* 0 / 1 */
  gint32  multires;                        /* 0 = automatic */
  gchar   model[NSP_MODEL_PATH_MAX];       /* "" = ns_model_find_default() */
} NspValues;

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

/* The PDB argument / return value descriptions (static tables; the
 * descriptions are N_()-marked English). */
const GimpParamDef *nsp_pdb_args        (gint *n_args);
const GimpParamDef *nsp_pdb_return_vals (gint *n_vals);

/* Defaults: the engine's ns_params_init() values, no styles, size 0. */
void     nsp_values_init        (NspValues *vals);

/* Fill `vals` from a NONINTERACTIVE call.  Checks the argument count and
 * the array lengths (an empty weight/scale array means 1.0 each); returns
 * FALSE with a translated message otherwise.  Ranges are checked by
 * nsp_values_validate(). */
gboolean nsp_values_from_pdb    (NspValues       *vals,
                                 gint             n_params,
                                 const GimpParam *params,
                                 GError         **error);

/* Range checks of every field and validity of every style image ID
 * (gimp_image_is_valid).  FALSE + a translated message naming the
 * argument on the first problem. */
gboolean nsp_values_validate    (const NspValues *vals,
                                 GError         **error);

/* Engine parameters for these values.  `seed` is the seed actually used
 * (vals->seed, or a random one when it is -1).  String fields stay NULL. */
void     nsp_values_to_ns_params (const NspValues *vals,
                                  guint32          seed,
                                  NsParams        *params);

/* A style image's display name: its name without the file extension. */
gchar   *nsp_style_display_name (gint32 image_id);

/* "Neural Style: Scream 75% + Dog 25%" (one style: no percentage). */
gchar   *nsp_layer_name         (const NspValues *vals);

/* key=value lines describing the run (stored as the layer parasite). */
gchar   *nsp_values_to_parasite_text (const NspValues *vals,
                                      const gchar     *model_path,
                                      guint32          seed,
                                      gint             work_width,
                                      gint             work_height);

/* Error domain of the plug-in's own (non-engine) errors. */
#define NSP_ERROR (nsp_error_quark ())
GQuark nsp_error_quark (void);

typedef enum
{
  NSP_ERROR_CALLING,    /* bad arguments: GIMP_PDB_CALLING_ERROR   */
  NSP_ERROR_EXECUTION,  /* failure while running                   */
  NSP_ERROR_CANCELLED   /* the user stopped the run                */
} NspErrorCode;

/* Set *error (NSP_ERROR, code) to the formatted message; returns FALSE. */
gboolean nsp_set_error (GError **error, NspErrorCode code, const char *format, ...)
  G_GNUC_PRINTF (3, 4);

#endif /* PLUGIN_PARAMS_H */
