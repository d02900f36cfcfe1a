/* plugin-params.c — PDB arguments <-> NspValues <-> NsParams, validation,
 * layer name and parameter parasite text. */
#include "plugin-params.h"
#include "plugin-i18n.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (nsp-error-quark, nsp_error)

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

void
nsp_values_init (NspValues *vals)
{
  NsParams p;

  ns_params_init (&p);
  memset (vals, 0, sizeof *vals);

  vals->n_styles               = 0;
  for (int i = 0; i < NSP_MAX_STYLES; i++)
    {
      vals->style_images[i]  = -1;
      vals->style_weights[i] = 1.0;
      vals->style_scales[i]  = 1.0;
    }
  vals->content_weight         = p.content_weight;
  vals->style_weight           = p.style_weight;
  vals->tv_weight              = p.tv_weight;
  vals->iterations             = p.iterations;
  vals->tolerance              = p.tolerance;
  vals->optimizer              = p.optimizer;
  vals->pooling                = p.pooling;
  vals->style_layer_weight_exp = p.style_layer_weight_exp;
  vals->content_weight_blend   = p.content_weight_blend;
  vals->size                   = 0;
  vals->init                   = (p.init == NS_INIT_CONTENT) ? NS_INIT_CONTENT : NS_INIT_NOISE;
  vals->initial_noiseblend     = p.initial_noiseblend;
  vals->seed                   = -1;
  vals->preserve_colors        = p.preserve_colors ? 1 : 0;
  vals->multires               = p.multires;
  vals->model[0]               = '\0';
}

gboolean
nsp_set_error (GError **error, NspErrorCode code, const char *format, ...)
{
  va_list ap;
  gchar  *msg;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error_literal (error, NSP_ERROR, code, msg);
  g_free (msg);
  return FALSE;
}

gboolean
nsp_values_from_pdb (NspValues       *vals,
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
      vals->style_images[i]  = i < n_styles ? params[NSP_ARG_STYLE_IMAGES].data.d_int32array[i] : -1;
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
check_number (double v, double lo, double hi, const char *name, GError **error)
{
  if (!isfinite (v) || v < lo || v > hi)
    return nsp_set_error (error, NSP_ERROR_CALLING, _("%s must be between %g and %g (got %g)."), name, lo, hi, v);
  return TRUE;
}

static gboolean
check_weight (double v, const char *name, GError **error)
{
  if (isnan (v) || v < 0.0)
    return nsp_set_error (error, NSP_ERROR_CALLING, _("%s must not be negative (got %g)."), name, v);
  if (!isfinite (v))
    return nsp_set_error (error, NSP_ERROR_CALLING, _("%s must be finite."), name);
  return TRUE;
}

gboolean
nsp_values_validate (const NspValues *vals,
                     GError         **error)
{
  gdouble weight_sum = 0.0;

  if (vals->n_styles < 1)
    return nsp_set_error (error, NSP_ERROR_CALLING, _("No style image given: choose at least one style image."));
  if (vals->n_styles > NSP_MAX_STYLES)
    return nsp_set_error (error, NSP_ERROR_CALLING, _("Too many style images: %d given, at most %d are supported."),
                          vals->n_styles, NSP_MAX_STYLES);

  for (gint i = 0; i < vals->n_styles; i++)
    {
      gint32 id = vals->style_images[i];

      if (!gimp_image_is_valid (id))
        return nsp_set_error (error, NSP_ERROR_CALLING, _("Style %d: %d is not an open image."), i + 1, id);
      if (isnan (vals->style_weights[i]) || vals->style_weights[i] < 0.0
          || !isfinite (vals->style_weights[i]))
        return nsp_set_error (error, NSP_ERROR_CALLING, _("Style %d: the weight must be a finite number >= 0 (got %g)."),
                              i + 1, vals->style_weights[i]);
      if (!isfinite (vals->style_scales[i]) || vals->style_scales[i] <= 0.0
          || vals->style_scales[i] > NSP_MAX_STYLE_SCALE)
        return nsp_set_error (error, NSP_ERROR_CALLING, _("Style %d: the scale must be > 0 and <= %g (got %g)."),
                              i + 1, NSP_MAX_STYLE_SCALE, vals->style_scales[i]);
      weight_sum += vals->style_weights[i];
    }
  if (!(weight_sum > 0.0))
    return nsp_set_error (error, NSP_ERROR_CALLING, _("The style weights are all zero; at least one must be positive."));

  if (!check_weight (vals->content_weight, "content-weight", error)
      || !check_weight (vals->style_weight, "style-weight", error)
      || !check_weight (vals->tv_weight, "tv-weight", error))
    return FALSE;

  if (vals->iterations < 0 || vals->iterations > NSP_MAX_ITERATIONS)
    return nsp_set_error (error, NSP_ERROR_CALLING, _("iterations must be between 0 and %d (got %d)."),
                          NSP_MAX_ITERATIONS, vals->iterations);
  if (!check_number (vals->tolerance, 0.0, 1.0, "tolerance", error))
    return FALSE;
  if (vals->optimizer != NS_OPTIMIZER_LBFGS && vals->optimizer != NS_OPTIMIZER_ADAM)
    return nsp_set_error (error, NSP_ERROR_CALLING, _("optimizer must be 0 (L-BFGS) or 1 (Adam), not %d."),
                          vals->optimizer);
  if (vals->pooling != NS_POOLING_MAX && vals->pooling != NS_POOLING_AVG)
    return nsp_set_error (error, NSP_ERROR_CALLING, _("pooling must be 0 (max) or 1 (average), not %d."),
                          vals->pooling);
  if (!isfinite (vals->style_layer_weight_exp) || vals->style_layer_weight_exp <= 0.0
      || vals->style_layer_weight_exp > 100.0)
    return nsp_set_error (error, NSP_ERROR_CALLING, _("style-layer-weight-exp must be > 0 and <= 100 (got %g)."),
                          vals->style_layer_weight_exp);
  if (!check_number (vals->content_weight_blend, 0.0, 1.0, "content-weight-blend", error))
    return FALSE;
  if (vals->size != 0 && (vals->size < NSP_MIN_SIZE || vals->size > NSP_MAX_SIZE))
    return nsp_set_error (error, NSP_ERROR_CALLING, _("size must be 0 (the layer's size) or between %d and %d pixels (got %d)."),
                          NSP_MIN_SIZE, NSP_MAX_SIZE, vals->size);
  if (vals->init != NS_INIT_NOISE && vals->init != NS_INIT_CONTENT)
    return nsp_set_error (error, NSP_ERROR_CALLING, _("init must be 0 (noise) or 1 (content), not %d."), vals->init);
  if (!check_number (vals->initial_noiseblend, 0.0, 1.0, "initial-noiseblend", error))
    return FALSE;
  if (vals->seed < -1)
    return nsp_set_error (error, NSP_ERROR_CALLING, _("seed must be -1 (random) or >= 0 (got %d)."), vals->seed);
  if (vals->preserve_colors != 0 && vals->preserve_colors != 1)
    return nsp_set_error (error, NSP_ERROR_CALLING, _("preserve-colors must be 0 or 1, not %d."), vals->preserve_colors);
  if (vals->multires < 0 || vals->multires > NSP_MAX_MULTIRES)
    return nsp_set_error (error, NSP_ERROR_CALLING, _("multires must be between 0 (automatic) and %d (got %d)."),
                          NSP_MAX_MULTIRES, vals->multires);
  if (vals->model[0] != '\0' && !g_file_test (vals->model, G_FILE_TEST_IS_REGULAR))
    return nsp_set_error (error, NSP_ERROR_CALLING, _("The model file '%s' does not exist or is not a regular file."), vals->model);
  return TRUE;
}

void
nsp_values_to_ns_params (const NspValues *vals,
                         guint32          seed,
                         NsParams        *p)
{
  ns_params_init (p);
  p->content_weight         = vals->content_weight;
  p->style_weight           = vals->style_weight;
  p->tv_weight              = vals->tv_weight;
  p->iterations             = vals->iterations;
  p->tolerance              = vals->tolerance;
  p->optimizer              = (NsOptimizerType) vals->optimizer;
  p->pooling                = (NsPoolingType) vals->pooling;
  p->style_layer_weight_exp = vals->style_layer_weight_exp;
  p->content_weight_blend   = vals->content_weight_blend;
  p->size                   = vals->size;
  p->init                   = (NsInitType) vals->init;
  p->initial_noiseblend     = vals->initial_noiseblend;
  p->seed                   = seed;
  p->preserve_colors        = vals->preserve_colors != 0;
  p->multires               = vals->multires;
}

gchar *
nsp_style_display_name (gint32 image_id)
{
  gchar *name = gimp_image_is_valid (image_id) ? gimp_image_get_name (image_id) : NULL;
  gchar *dot;

  if (name == NULL || *name == '\0')
    {
      g_free (name);
      return g_strdup_printf (_("Image %d"), image_id);
    }
  dot = strrchr (name, '.');
  if (dot && dot != name)
    *dot = '\0';
  return name;
}

gchar *
nsp_layer_name (const NspValues *vals)
{
  GString *s = g_string_new (_("Neural Style"));
  gdouble  sum = 0.0;

  for (gint i = 0; i < vals->n_styles; i++)
    sum += vals->style_weights[i];

  g_string_append (s, ": ");
  for (gint i = 0; i < vals->n_styles; i++)
    {
      gchar *name = nsp_style_display_name (vals->style_images[i]);

      if (i > 0)
        g_string_append (s, " + ");
      g_string_append (s, name);
      if (vals->n_styles > 1 && sum > 0.0)
        g_string_append_printf (s, " %d%%",
                                (int) lround (100.0 * vals->style_weights[i] / sum));
      g_free (name);
    }
  return g_string_free (s, FALSE);
}

gchar *
nsp_values_to_parasite_text (const NspValues *vals,
                             const gchar     *model_path,
                             guint32          seed,
                             gint             work_width,
                             gint             work_height)
{
  GString *s = g_string_new (NULL);
  gchar    buf[G_ASCII_DTOSTR_BUF_SIZE];

  /* Locale-independent numbers (g_ascii_dtostr), one key=value per line. */
#define PUT_D(key, v) \
  g_string_append_printf (s, "%s=%s\n", key, g_ascii_dtostr (buf, sizeof buf, (v)))
#define PUT_I(key, v) g_string_append_printf (s, "%s=%d\n", key, (int) (v))

  g_string_append_printf (s, "version=%s\n", NS_VERSION);
  PUT_I ("num-styles", vals->n_styles);
  for (gint i = 0; i < vals->n_styles; i++)
    {
      gchar *name = nsp_style_display_name (vals->style_images[i]);
      gchar  key[64];

      g_snprintf (key, sizeof key, "style-%d-name", i + 1);
      g_string_append_printf (s, "%s=%s\n", key, name);
      g_snprintf (key, sizeof key, "style-%d-weight", i + 1);
      PUT_D (key, vals->style_weights[i]);
      g_snprintf (key, sizeof key, "style-%d-scale", i + 1);
      PUT_D (key, vals->style_scales[i]);
      g_free (name);
    }
  PUT_D ("content-weight", vals->content_weight);
  PUT_D ("style-weight", vals->style_weight);
  PUT_D ("tv-weight", vals->tv_weight);
  PUT_I ("iterations", vals->iterations);
  PUT_D ("tolerance", vals->tolerance);
  g_string_append_printf (s, "optimizer=%s\n", vals->optimizer == NS_OPTIMIZER_ADAM ? "adam" : "lbfgs");
  g_string_append_printf (s, "pooling=%s\n", vals->pooling == NS_POOLING_AVG ? "avg" : "max");
  PUT_D ("style-layer-weight-exp", vals->style_layer_weight_exp);
  PUT_D ("content-weight-blend", vals->content_weight_blend);
  PUT_I ("size", vals->size);
  g_string_append_printf (s, "working-size=%dx%d\n", work_width, work_height);
  g_string_append_printf (s, "init=%s\n", vals->init == NS_INIT_CONTENT ? "content" : "noise");
  PUT_D ("initial-noiseblend", vals->initial_noiseblend);
  g_string_append_printf (s, "seed=%u\n", seed);
  PUT_I ("preserve-colors", vals->preserve_colors);
  PUT_I ("multires", vals->multires);
  g_string_append_printf (s, "model=%s\n", model_path ? model_path : "");
#undef PUT_D
#undef PUT_I
  return g_string_free (s, FALSE);
}
