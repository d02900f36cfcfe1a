/* plugin-params.h — the plug-in's settings, shared by the GIMP 2.10 and the
 * GIMP 3 plug-in (no GIMP headers here): NspValues <-> NsParams, defaults,
 * validation, and the plug-in's error domain.
 *
 * NspValues is a flat struct (no pointers) so GIMP 2.10 can store it with
 * gimp_set_data() for WITH_LAST_VALS runs.  The style images themselves are
 * GIMP objects (gint32 IDs in 2.10, GimpImage in 3): each plug-in keeps them
 * beside the values, in the same order.
 */
#ifndef PLUGIN_PARAMS_H
#define PLUGIN_PARAMS_H

#include <glib.h>

#include "neural_style.h"

#define PLUG_IN_PROC    "plug-in-neural-style"
#define PLUG_IN_BINARY  "plug-in-neural-style"
#define PLUG_IN_ROLE    "gimp-neural-style"
#define PLUG_IN_PARASITE "neural-style-parameters"

#define NSP_MAX_STYLES      16      /* style images per run             */
#define NSP_MAX_SIZE        8192    /* longest side of the working image */
#define NSP_MIN_SIZE        16
#define NSP_MAX_ITERATIONS  100000
#define NSP_MAX_MULTIRES    8
#define NSP_MAX_STYLE_SCALE 8.0
#define NSP_MODEL_PATH_MAX  4096
#define NSP_MAX_CONTENT_MASK_STRENGTH 1000.0

typedef struct
{
  gint32  n_styles;
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
  /* Regions and colours (issue 14): the masks themselves are GIMP objects
   * the host keeps (NspHost.read_style_mask / read_content_mask). */
  gint32  color_transfer;                  /* NsColorTransfer */
  gdouble content_mask_strength;           /* >= 0, default NS_CONTENT_MASK_STRENGTH */
} NspValues;

/* Defaults: the engine's ns_params_init() values, no styles, size 0. */
void     nsp_values_init        (NspValues *vals);

/* Checks that style image `index` (0-based) is still open; FALSE + a
 * calling error (NSP_ERROR_CALLING) naming it otherwise. */
typedef gboolean (*NspStyleCheckFunc) (gint index, gpointer data, GError **error);

/* Range checks of every field; check_style (may be NULL) is asked about
 * each style image before its weight and scale are checked.  FALSE + a
 * translated message naming the argument on the first problem. */
gboolean nsp_values_validate    (const NspValues  *vals,
                                 NspStyleCheckFunc check_style,
                                 gpointer          check_data,
                                 GError          **error);

/* Engine parameters for these values.  `seed` is the seed actually used
 * (vals->seed, or a random one when it is -1).  String fields stay NULL.
 * memory_limit_mb: $NEURAL_STYLE_MEMORY_LIMIT_MB when set (> 0), else 0
 * (the engine's default: 70 % of RAM). */
void     nsp_values_to_ns_params (const NspValues *vals,
                                  guint32          seed,
                                  NsParams        *params);

/* Error domain of the plug-in's own (non-engine) errors. */
#define NSP_ERROR (nsp_error_quark ())
GQuark nsp_error_quark (void);

typedef enum
{
  NSP_ERROR_CALLING,    /* bad arguments: GIMP_PDB_CALLING_ERROR   */
  NSP_ERROR_EXECUTION,  /* failure while running                   */
  NSP_ERROR_CANCELLED   /* the user stopped the run                */
} NspErrorCode;

/* g_set_error with a printf-style message in NSP_ERROR; returns FALSE. */
gboolean nsp_set_error (GError **error, NspErrorCode code, const char *format, ...)
  G_GNUC_PRINTF (3, 4);

#endif /* PLUGIN_PARAMS_H */
