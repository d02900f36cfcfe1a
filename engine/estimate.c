/* estimate.c — peak-memory and run-time estimates of a job, before running.
 *
 * Memory (bytes) at the largest level (the working size) — every buffer the
 * run holds at once:
 *   network: preprocessed input, every node's activation, two gradient
 *            buffers of the largest activation, conv workspace, weights
 *   targets: content features of the content layers, one C×C Gram per style
 *            layer and style image, Gram scratch
 *   optimiser: x, g, best and the previous level's result (≤ 4 × 3HW floats) and
 *            L-BFGS history 2·m·3HW floats (Adam: 2·3HW)
 *   inputs:  the job's copies of content and style images (interleaved)
 *   regions: per masked style its mask at the padded working size, at each
 *            style layer (N) and its operator (C×C), one C·N scratch; a content
 *            map likewise (ns_estimate_regions_bytes; the job adds its masks)
 * Style targets are computed on the same network at the style's size, so
 * when a style is larger than the working image its activations count instead.
 * Both estimates run on a plan-only network (net/plan.c): shapes, no weights.
 */
#include "neural_style.h"
#include "objective.h"
#include "optimizer.h"
#include "schedule.h"
#include "conv_wino_fused.h"   /* ns_isa_in_use */

#include <math.h>

/* Sustained rate per architecture (conv FLOPs counted as direct
 * convolution, the unit of ns_network_forward_flops) on the reference
 * machine: 2 AVX-512 cores, fused Winograd path.
 *   VGG-19/16: bench/run.sh measured 710-790 "GFLOP/s" per iteration at
 *     256-1024 px and the default 512 px run at 52.5 s, which 700 predicts
 *     to ~1%.
 *   SqueezeNet 1.1: its 1x1 "fire" convs are small, so per-pixel work the
 *     count leaves out (Gram matrices, losses, L-BFGS vectors, more line
 *     search steps) dominates: runs took 9.3 s (512 px, 50 iterations) and
 *     6.7 s (256 px, 200) where 700 predicted 0.42 s and 0.27 s, i.e. ~30.
 *   BVLC GoogLeNet: its branchy 1x1 convs and LRN likewise: at 700 the
 *     estimate was 10-15x short of the runs (engine layout work), so ~55.
 * The rates live in the architecture table (NsArchInfo.est_gflops).
 * bench/estimate.sh prints estimate vs measured for both at 256-1024 px. */
static double
arch_gflops (NsArch arch)
{
  return ns_arch_info (arch)->est_gflops;
}

/* The instruction set's share of the reference (AVX-512) rate: the fused
 * Winograd conv measured 47 / 88 (AVX2+FMA) and 21 / 88 (SSE2) GFLOP/s on
 * the reference machine (bench-engine isa; bench/estimate.sh prints it). */
static double
isa_factor (void)
{
  switch (ns_isa_in_use ())
    {
    case NS_WINO_ISA_AVX512: return 1.0;
    case NS_WINO_ISA_AVX2:   return 0.5;
    default:                 return 0.22;
    }
}

/* style_pixels: pixels of the style images as given (the job keeps a copy). */
guint64
ns_estimate_memory_for (const NsModel *model, const NsParams *params, int width, int height,
                        int n_styles, guint64 style_pixels)
{
  NsObjective *obj = ns_objective_new_plan (model, params, NULL);
  if (!obj)
    return 0;
  NsNetwork *net = ns_objective_network (obj);
  int W, H;
  ns_working_size (params, width, height, &W, &H);
  n_styles = MAX (n_styles, 1);
  guint64 px = (guint64) W * H;
  /* tiled (params->tile_size > 0, and more than one tile at W x H): the
   * network at the largest tile, the targets at W x H (objective_tiled.c) */
  guint64 bytes = params->tile_size > 0
    ? ns_objective_tiled_memory_bytes (obj, W, H, n_styles, params->tile_size) : 0;
  if (bytes == 0)
    bytes = ns_objective_memory_bytes (obj, W, H, n_styles);
  bytes += ns_network_weight_bytes (net);
  int m = params->lbfgs_history > 0 ? params->lbfgs_history : 8;
  bytes += params->optimizer == NS_OPTIMIZER_ADAM ? 2 * 3 * px * sizeof (float)
    : ns_lbfgs_memory_bytes (3 * px, m);
  bytes += 4 * 3 * px * sizeof (float);                /* x, g, best; previous level's */
  bytes += ((guint64) width * height + style_pixels) * 3 * sizeof (float);  /* inputs */
  ns_objective_free (obj);
  return bytes;
}

guint64
ns_estimate_regions_bytes (const NsModel *model, const NsParams *params, int width,
                           int height, int n_masked, gboolean content_map)
{
  if (n_masked == 0 && !content_map && params->color_transfer != NS_COLOR_TRANSFER_LUMINANCE)
    return 0;
  NsObjective *obj = ns_objective_new_plan (model, params, NULL);
  if (!obj)
    return 0;
  int W, H;
  ns_working_size (params, width, height, &W, &H);
  guint64 bytes = ns_objective_regions_bytes (obj, W, H, n_masked, content_map);
  ns_objective_free (obj);
  return bytes;
}

guint64
ns_estimate_memory (const NsModel *model, const NsParams *params, int width, int height,
                    int n_styles)
{
  return ns_estimate_memory_regions (model, params, width, height, n_styles, 0, FALSE);
}

guint64
ns_estimate_memory_regions (const NsModel *model, const NsParams *params, int width,
                            int height, int n_styles, int n_masked, gboolean content_map)
{
  /* styles of unknown size: assume the content's; masks of the content's size */
  guint64 masks = (guint64) (n_masked + (content_map ? 1 : 0)) * width * height * sizeof (float);
  return ns_estimate_memory_for (model, params, width, height, n_styles,
                                 (guint64) MAX (n_styles, 1) * width * height)
    + ns_estimate_regions_bytes (model, params, width, height, n_masked, content_map) + masks;
}

/* The masked styles' Gram products run at GEMM speed, not at the
 * architecture's whole-run rate: SqueezeNet at 400x265 with two masked
 * styles took 14.6 s against 8.5 s unmasked (2026-12-01, loaded machine),
 * which this rate predicts (the architecture's rate of 30 gave 3x that). */
#define NS_REGIONS_GFLOPS 100.0

/* FLOPs a masked style adds per evaluation at the planned size: at each
 * tapped layer (the style layers, and the content ones: an upper bound)
 * its guided Gram (C²N), its operator applied (2C²N) and the scalings (2CN). */
static double
regions_flops (NsNetwork *net, int n_masked)
{
  double f = 0;
  for (int t = 0; t < ns_network_n_taps (net) && n_masked > 0; t++)
    {
      int C, h, w;
      ns_network_tap_shape (net, t, &C, &h, &w);
      f += (3.0 * C * C + 2.0 * C) * h * w;
    }
  return f * n_masked;
}

double
ns_estimate_seconds (const NsModel *model, const NsParams *params, int width, int height,
                     int n_styles)
{
  return ns_estimate_seconds_regions (model, params, width, height, n_styles, 0);
}

double
ns_estimate_seconds_regions (const NsModel *model, const NsParams *params, int width,
                             int height, int n_styles, int n_masked)
{
  NsObjective *obj = ns_objective_new_plan (model, params, NULL);
  if (!obj)
    return -1;
  NsNetwork *net = ns_objective_network (obj);
  int W, H;
  ns_working_size (params, width, height, &W, &H);
  int levels = ns_schedule_levels (params, W, H, ns_arch_info (model->arch)->auto_level_side);
  double flops = 0, rflops = 0;
  for (int l = 1; l <= levels; l++)
    {
      int lw, lh;
      ns_schedule_level_size (W, H, l, levels, &lw, &lh);
      /* forward + input gradient ≈ 2 forwards; L-BFGS ≈ 1.1 evaluations/step;
       * targets: one forward for the content and each style per level */
      double fwd = ns_network_forward_flops (net, lh, lw);   /* plans the tap shapes */
      double evals = 1.1 * ns_schedule_level_iterations (params, l, levels);
      flops += fwd * (2.0 * evals + 1 + MAX (n_styles, 1));
      rflops += regions_flops (net, n_masked) * evals;
    }
  ns_objective_free (obj);
  return (flops / arch_gflops (model->arch) + rflops / NS_REGIONS_GFLOPS)
    / (isa_factor () * 1e9);
}
