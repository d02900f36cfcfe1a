/* plugin-params.c — NspValues defaults, validation, NsParams conversion
 * and the plug-in's error domain (shared by both GIMP versions). */
#include "plugin-params.h"
#include "plugin-i18n.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (nsp-error-quark, nsp_error)

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

void
nsp_values_init (NspValues *vals)
{
  NsParams p;

  ns_params_init (&p);
  memset (vals, 0, sizeof *vals);

  vals->n_styles               = 0;
  for (int i = 0; i < NSP_MAX_STYLES; i++)
    {
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
  vals->color_transfer         = p.color_transfer;
  vals->content_mask_strength  = NS_CONTENT_MASK_STRENGTH;
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
nsp_values_validate (const NspValues  *vals,
                     NspStyleCheckFunc check_style,
                     gpointer          check_data,
                     GError          **error)
{
  gdouble weight_sum = 0.0;

  if (vals->n_styles < 1)
    return nsp_set_error (error, NSP_ERROR_CALLING, _("No style image given: choose at least one style image."));
  if (vals->n_styles > NSP_MAX_STYLES)
    return nsp_set_error (error, NSP_ERROR_CALLING, _("Too many style images: %d given, at most %d are supported."),
                          vals->n_styles, NSP_MAX_STYLES);

  for (gint i = 0; i < vals->n_styles; i++)
    {
      if (check_style && !check_style (i, check_data, error))
        return FALSE;
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
  if (vals->content_weight == 0.0 && vals->style_weight == 0.0 && vals->tv_weight == 0.0)
    return nsp_set_error (error, NSP_ERROR_CALLING,
                          _("The content, style and smoothness weights are all 0: there is nothing to "
                            "optimise. Make at least one of them positive."));

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
  if (vals->color_transfer < 0 || vals->color_transfer >= NS_COLOR_TRANSFER_COUNT)
    return nsp_set_error (error, NSP_ERROR_CALLING,
                          _("color-transfer must be 0 (none), 1 (meancov) or 2 (luminance), not %d."),
                          vals->color_transfer);
  if (!check_number (vals->content_mask_strength, 0.0, NSP_MAX_CONTENT_MASK_STRENGTH,
                     "content-mask-strength", error))
    return FALSE;
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
  p->color_transfer         = (NsColorTransfer) vals->color_transfer;
  /* $NEURAL_STYLE_MEMORY_LIMIT_MB: the runs' memory limit (the engine's
   * default, 70 % of RAM, otherwise); the estimates plan with it too. */
  {
    const gchar *limit = g_getenv ("NEURAL_STYLE_MEMORY_LIMIT_MB");
    gdouble      mb    = limit ? g_ascii_strtod (limit, NULL) : 0.0;

    if (mb > 0.0 && isfinite (mb))
      p->memory_limit_mb = mb;
  }
}
