/* params.c — documented defaults of NsParams and stop-reason names. */
#include "neural_style.h"

/* The presets (README "Presets", measured with bench/quality.sh: GoogLeNet's
 * content rank and style gain over 6 photos x 6 styles).  Every loss term
 * is normalised by its target (≈ 1 for unrelated images), so the weights
 * are plain ratios.  All three start from the content image without noise:
 * noise blended into the start costs content and buys no style (issue #20;
 * --initial-noiseblend still blends it in when asked). */
typedef struct
{
  const char *name, *description;
  double content_weight, style_weight, tv_weight, initial_noiseblend;
} PresetRow;

static const PresetRow presets[NS_PRESET_COUNT] = {
  [NS_PRESET_SUBTLE]   = { "subtle", "the subject stays close to the photo, the style is a tint",
                           200.0, 100.0, 0.1, 0.0 },
  [NS_PRESET_BALANCED] = { "balanced", "the subject stays recognisable, the style moves in (default)",
                           70.0, 100.0, 0.1, 0.0 },
  [NS_PRESET_STRONG]   = { "strong", "the style dominates, the subject's shapes remain",
                           25.0, 100.0, 0.1, 0.0 },
};

const char *
ns_preset_name (NsPreset preset)
{
  return preset < NS_PRESET_COUNT ? presets[preset].name : NULL;
}

const char *
ns_preset_description (NsPreset preset)
{
  return preset < NS_PRESET_COUNT ? presets[preset].description : NULL;
}

gboolean
ns_preset_from_name (const char *name, NsPreset *preset)
{
  for (int i = 0; name && i < NS_PRESET_COUNT; i++)
    if (g_ascii_strcasecmp (name, presets[i].name) == 0)
      {
        *preset = (NsPreset) i;
        return TRUE;
      }
  return FALSE;
}

void
ns_params_apply_preset (NsParams *p, NsPreset preset)
{
  if (preset >= NS_PRESET_COUNT)
    return;
  const PresetRow *r = &presets[preset];
  p->content_weight = r->content_weight;
  p->style_weight = r->style_weight;
  p->tv_weight = r->tv_weight;
  p->initial_noiseblend = r->initial_noiseblend;
}

/* Defaults (README "Parameters"): the balanced preset's weights and start;
 * 50 L-BFGS iterations on the last level of an automatic multi-resolution
 * schedule at 512 px. */
void
ns_params_init (NsParams *p)
{
  *p = (NsParams) {
    .content_weight_blend = 1.0,
    .style_layer_weight_exp = 1.0,
    .content_layers = NULL,
    .style_layers = NULL,
    .pooling = NS_POOLING_MAX,
    .style_loss = NS_STYLE_LOSS_GRAM,
    .style_balance = NS_STYLE_BALANCE_AUTO,
    .optimizer = NS_OPTIMIZER_LBFGS,
    .iterations = 50,
    .tolerance = 0.0,
    .tolerance_window = 5,
    .lbfgs_history = 0,
    .learning_rate = 0.02,
    .beta1 = 0.9,
    .beta2 = 0.999,
    .epsilon = 1e-8,
    .init = NS_INIT_CONTENT,
    .seed = 0,
    .preserve_colors = FALSE,
    .color_transfer = NS_COLOR_TRANSFER_NONE,
    .size = 512,
    .multires = 0,
    .threads = 0,
    .snapshot_every = 0,
    .memory_limit_mb = 0.0,
    .detail_side = NS_DEFAULT_DETAIL_SIDE,
    .detail_iterations = NS_DEFAULT_DETAIL_ITERATIONS,
  };
  ns_params_apply_preset (p, NS_PRESET_BALANCED);
}

const char *
ns_stop_reason_to_string (NsStopReason r)
{
  switch (r)
    {
    case NS_STOP_ITERATIONS: return "iterations";
    case NS_STOP_TOLERANCE: return "tolerance";
    case NS_STOP_CONVERGED: return "converged";
    case NS_STOP_CANCELLED: return "cancelled";
    case NS_STOP_NONFINITE: return "non-finite";
    case NS_STOP_NONE:
    default: return "none";
    }
}
