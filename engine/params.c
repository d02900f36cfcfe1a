/* params.c — documented defaults of NsParams and stop-reason names. */
#include "neural_style.h"

/* Defaults (README "Parameters").  Every loss term is normalised by its
 * target (≈ 1 for unrelated images), so the weights are plain ratios.
 * Measured on SqueezeNet (dog.jpg + scream.jpg, 192–256 px, docs/gallery):
 * from the content image blended with 60% noise, β/α = 100 gives a clearly
 * stylised picture whose content stays recognisable; starting from the pure
 * content image L-BFGS stays in a nearby minimum with little style, from
 * pure noise the composition is lost unless the content layer is shallow. */
void
ns_params_init (NsParams *p)
{
  *p = (NsParams) {
    .content_weight = 1.0,
    .style_weight = 100.0,
    .tv_weight = 1.0,
    .content_weight_blend = 1.0,
    .style_layer_weight_exp = 1.0,
    .content_layers = NULL,
    .style_layers = NULL,
    .pooling = NS_POOLING_MAX,
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
    .initial_noiseblend = 0.6,
    .seed = 0,
    .preserve_colors = FALSE,
    .size = 512,
    .multires = 0,
    .threads = 0,
    .snapshot_every = 0,
    .memory_limit_mb = 0.0,
  };
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
