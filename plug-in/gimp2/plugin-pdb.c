/* plugin-pdb.c — the PDB signature and PDB arguments -> NspValues (see
 * header). */
#include "plugin-pdb.h"
#include "plugin-texts.h"
#include "plugin-i18n.h"

#include <string.h>

/* Developer documentation of the PDB signature (GIMP convention: PDB
 * descriptions are not translated).  Keep the order stable. */
static const GimpParamDef pdb_args[NSP_N_ARGS] =
{
  { GIMP_PDB_INT32,      "run-mode",      "The run mode { RUN-INTERACTIVE (0), RUN-NONINTERACTIVE (1), RUN-WITH-LAST-VALS (2) }" },
  { GIMP_PDB_IMAGE,      "image",         "Input image" },
  { GIMP_PDB_DRAWABLE,   "drawable",      "Content layer (RGB or grayscale; indexed images are refused)" },
  { GIMP_PDB_INT32,      "num-styles",    "Number of style images (1..16)" },
  { GIMP_PDB_INT32ARRAY, "style-images",  "IDs of the style images (their visible composite is used; they are not modified)" },
  { GIMP_PDB_INT32,      "num-weights",   "Number of style weights: 0 (all 1.0) or num-styles" },
  { GIMP_PDB_FLOATARRAY, "style-weights", "Blend weight of each style (>= 0, normalised to sum 1)" },
  { GIMP_PDB_INT32,      "num-scales",    "Number of style scales: 0 (all 1.0) or num-styles" },
  { GIMP_PDB_FLOATARRAY, "style-scales",  "Size of each style image relative to the working size (> 0, <= 8)" },
  { GIMP_PDB_FLOAT,      "content-weight","Weight of the content loss (>= 0)" },
  { GIMP_PDB_FLOAT,      "style-weight",  "Weight of the style loss (>= 0)" },
  { GIMP_PDB_FLOAT,      "tv-weight",     "Weight of the total-variation (smoothness) loss (>= 0)" },
  { GIMP_PDB_INT32,      "iterations",    "Optimiser iterations per resolution level (>= 0)" },
  { GIMP_PDB_FLOAT,      "tolerance",     "Stop when the relative loss change falls below this (0 = off)" },
  { GIMP_PDB_INT32,      "optimizer",     "Optimiser { L-BFGS (0), Adam (1) }" },
  { GIMP_PDB_INT32,      "pooling",       "Pooling in the network { max (0), average (1) }" },
  { GIMP_PDB_FLOAT,      "style-layer-weight-exp", "Style layer k gets weight proportional to exp^k (> 0; 1 = equal)" },
  { GIMP_PDB_FLOAT,      "content-weight-blend",   "Share of the content weight on the primary content layer (0..1)" },
  { GIMP_PDB_INT32,      "size",          "Longest side of the working image in pixels (0 = the layer's size; 16..8192)" },
  { GIMP_PDB_INT32,      "init",          "Initial image { noise (0), content (1) }" },
  { GIMP_PDB_FLOAT,      "initial-noiseblend", "Share of noise mixed into the initial image (0..1)" },
  { GIMP_PDB_INT32,      "seed",          "Random seed (-1 = random)" },
  { GIMP_PDB_INT32,      "preserve-colors", "Keep the content's colours, take only the stylised luminance { FALSE (0), TRUE (1) }" },
  { GIMP_PDB_INT32,      "multires",      "Number of resolution levels (0 = automatic, 1 = single scale, <= 8)" },
  { GIMP_PDB_STRING,     "model",         "Network file (.safetensors); \"\" = the default model" },
};

static const GimpParamDef pdb_return_vals[] =
{
  { GIMP_PDB_LAYER, "layer", "The new layer holding the stylised image" },
};

const GimpParamDef *
nsp_pdb_args (gint *n_args)
{
  *n_args = G_N_ELEMENTS (pdb_args);
  return pdb_args;
}

const GimpParamDef *
nsp_pdb_return_vals (gint *n_vals)
{
  *n_vals = G_N_ELEMENTS (pdb_return_vals);
  return pdb_return_vals;
}

gboolean
nsp_values_from_pdb (NspValues       *vals,
                     gint32          *style_images,
                     gint             n_params,
                     const GimpParam *params,
                     GError         **error)
{
  gint n_styles, n_weights, n_scales;

  if (n_params != NSP_N_ARGS)
    return nsp_set_error (error, NSP_ERROR_CALLING,
                          _("Wrong number of arguments: %d given, %d expected."),
                          n_params, NSP_N_ARGS);

  n_styles  = params[NSP_ARG_NUM_STYLES].data.d_int32;
  n_weights = params[NSP_ARG_NUM_WEIGHTS].data.d_int32;
  n_scales  = params[NSP_ARG_NUM_SCALES].data.d_int32;

  if (n_styles < 1)
    return nsp_set_error (error, NSP_ERROR_CALLING, _("No style image given: num-styles must be at least 1."));
  if (n_styles > NSP_MAX_STYLES)
    return nsp_set_error (error, NSP_ERROR_CALLING, _("Too many style images: %d given, at most %d are supported."),
                          n_styles, NSP_MAX_STYLES);
  if (params[NSP_ARG_STYLE_IMAGES].data.d_int32array == NULL)
    return nsp_set_error (error, NSP_ERROR_CALLING, _("The style-images array is missing."));
  if (n_weights != 0 && n_weights != n_styles)
    return nsp_set_error (error, NSP_ERROR_CALLING, _("num-weights must be 0 or equal to num-styles (%d), not %d."),
                          n_styles, n_weights);
  if (n_weights > 0 && params[NSP_ARG_STYLE_WEIGHTS].data.d_floatarray == NULL)
    return nsp_set_error (error, NSP_ERROR_CALLING, _("The style-weights array is missing."));
  if (n_scales != 0 && n_scales != n_styles)
    return nsp_set_error (error, NSP_ERROR_CALLING, _("num-scales must be 0 or equal to num-styles (%d), not %d."),
                          n_styles, n_scales);
  if (n_scales > 0 && params[NSP_ARG_STYLE_SCALES].data.d_floatarray == NULL)
    return nsp_set_error (error, NSP_ERROR_CALLING, _("The style-scales array is missing."));

  vals->n_styles = n_styles;
  for (gint i = 0; i < NSP_MAX_STYLES; i++)
    {
      style_images[i]        = i < n_styles ? params[NSP_ARG_STYLE_IMAGES].data.d_int32array[i] : -1;
      vals->style_weights[i] = (i < n_styles && n_weights > 0)
                               ? params[NSP_ARG_STYLE_WEIGHTS].data.d_floatarray[i] : 1.0;
      vals->style_scales[i]  = (i < n_styles && n_scales > 0)
                               ? params[NSP_ARG_STYLE_SCALES].data.d_floatarray[i] : 1.0;
    }

  vals->content_weight         = params[NSP_ARG_CONTENT_WEIGHT].data.d_float;
  vals->style_weight           = params[NSP_ARG_STYLE_WEIGHT].data.d_float;
  vals->tv_weight              = params[NSP_ARG_TV_WEIGHT].data.d_float;
  vals->iterations             = params[NSP_ARG_ITERATIONS].data.d_int32;
  vals->tolerance              = params[NSP_ARG_TOLERANCE].data.d_float;
  vals->optimizer              = params[NSP_ARG_OPTIMIZER].data.d_int32;
  vals->pooling                = params[NSP_ARG_POOLING].data.d_int32;
  vals->style_layer_weight_exp = params[NSP_ARG_STYLE_LAYER_WEIGHT_EXP].data.d_float;
  vals->content_weight_blend   = params[NSP_ARG_CONTENT_WEIGHT_BLEND].data.d_float;
  vals->size                   = params[NSP_ARG_SIZE].data.d_int32;
  vals->init                   = params[NSP_ARG_INIT].data.d_int32;
  vals->initial_noiseblend     = params[NSP_ARG_INITIAL_NOISEBLEND].data.d_float;
  vals->seed                   = params[NSP_ARG_SEED].data.d_int32;
  vals->preserve_colors        = params[NSP_ARG_PRESERVE_COLORS].data.d_int32;
  vals->multires               = params[NSP_ARG_MULTIRES].data.d_int32;

  {
    const gchar *model = params[NSP_ARG_MODEL].data.d_string;

    if (model == NULL)
      model = "";
    if (strlen (model) >= sizeof vals->model)
      return nsp_set_error (error, NSP_ERROR_CALLING, _("The model path is too long."));
    g_strlcpy (vals->model, model, sizeof vals->model);
  }
  return TRUE;
}

static gboolean
check_style_id (gint index, gpointer data, GError **error)
{
  gint32 id = ((const gint32 *) data)[index];

  if (!gimp_image_is_valid (id))
    return nsp_set_error (error, NSP_ERROR_CALLING,
                          _("Style %d: %d is not an open image."), index + 1, id);
  return TRUE;
}

gboolean
nsp_validate_with_images (const NspValues *vals,
                          const gint32    *style_images,
                          GError         **error)
{
  return nsp_values_validate (vals, check_style_id, (gpointer) style_images, error);
}

gchar *
nsp_image_display_name (gint32 image_id)
{
  gboolean valid = gimp_image_is_valid (image_id);
  /* The file the image was loaded from, imported from or saved as; GIMP's
   * image name ("[scream] (imported)") only when there is none. */
  gchar   *file = valid ? gimp_image_get_filename (image_id) : NULL;
  gchar   *name = valid ? gimp_image_get_name (image_id) : NULL;
  gchar   *display = nsp_style_name_for_file (file, name, image_id);

  g_free (file);
  g_free (name);
  return display;
}
