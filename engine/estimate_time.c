/* estimate_time.c — the run-time estimate of a job, before running.
 *
 * One evaluation (forward + input gradient) at a level of h x w pixels takes
 *     t_eval = fixed + s_per_gflop · 2 · F(h, w) / 1e9
 * seconds, F = the network's forward FLOPs (ns_network_forward_flops, conv
 * work counted as direct convolution; tiled, 2F becomes 3 × the forward
 * FLOPs over every tile with its halo).  A level runs ≈ 1.1 evaluations per
 * L-BFGS iteration plus one forward (≈ t_eval / 2) for the content and one
 * per style image to set the targets; the job is the sum over the levels
 * of the multi-resolution schedule, plus what the job pays once (network
 * build, filter packing; measured speeds only).
 *
 * The two coefficients come either from the reference machine (fixed = 0,
 * s_per_gflop = 1 / the architecture's rate × the ISA's share, below) or,
 * far closer on any other machine, from a measurement on this one
 * (NsSpeed, ns_speed_measure in speed.c): issue 19 found the reference
 * rates 1.5–3.3× optimistic on a slower Xeon, most of all at small sizes,
 * where the fixed cost per evaluation dominates. */
#include "neural_style.h"
#include "objective.h"
#include "network.h"
#include "schedule.h"
#include "conv_wino_fused.h"   /* ns_isa_in_use */

#include <math.h>

#define EVALS_PER_ITERATION 1.1

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

static void
reference_speed (NsArch arch, NsSpeed *s)
{
  s->eval_fixed_s = 0.0;
  s->job_fixed_s = 0.0;
  s->eval_s_per_gflop = 1.0 / (arch_gflops (arch) * isa_factor ());
}

/* The masked styles' Gram products run at GEMM speed, not at the
 * architecture's whole-run rate: SqueezeNet at 400x265 with two masked
 * styles took 14.6 s against 8.5 s unmasked (2026-12-01, loaded machine),
 * which this rate predicts (the architecture's rate of 30 gave 3x that).
 * A measured speed scales it by the machine's factor. */
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
ns_estimate_seconds_at (const NsModel *model, const NsParams *params, int width, int height,
                        int n_styles, int n_masked, const NsSpeed *speed)
{
  NsSpeed ref, s;
  reference_speed (model->arch, &ref);
  s = speed ? *speed : ref;
  if (!(s.eval_s_per_gflop > 0) || !(s.eval_fixed_s >= 0) || !isfinite (s.eval_fixed_s)
      || !(s.job_fixed_s >= 0) || !isfinite (s.job_fixed_s) || !isfinite (s.eval_s_per_gflop))
    return -1;
  NsObjective *obj = ns_objective_new_plan (model, params, NULL);
  if (!obj)
    return -1;
  NsNetwork *net = ns_objective_network (obj);
  int W, H;
  ns_working_size (params, width, height, &W, &H);
  int levels = ns_schedule_levels (params, W, H, ns_arch_info (model->arch)->auto_level_side);
  double machine = s.eval_s_per_gflop / ref.eval_s_per_gflop;   /* × the reference's time */
  double secs = s.job_fixed_s;
  for (int l = 1; l <= levels; l++)
    {
      int lw, lh;
      ns_schedule_level_size (W, H, l, levels, &lw, &lh);
      /* one forward pass: over the image, or over every tile with its
       * halo when tiled (a tiled evaluation is two forwards and one
       * backward per tile, 1.5x the untiled evaluation's work) */
      double fwd = ns_network_forward_flops (net, lh, lw) / 1e9;       /* plans the taps */
      double tiled = params->tile_size > 0
        ? ns_objective_tiled_forward_flops (obj, lw, lh, params->tile_size) / 1e9 : 0;
      double eval_gflop = tiled > 0 ? 3.0 * tiled : 2.0 * fwd;
      double fwd_gflop = tiled > 0 ? tiled : fwd;
      double t_eval = s.eval_fixed_s + s.eval_s_per_gflop * eval_gflop;
      double t_fwd = 0.5 * s.eval_fixed_s + s.eval_s_per_gflop * fwd_gflop;
      double evals = EVALS_PER_ITERATION * ns_schedule_level_iterations (params, W, H, l, levels);
      secs += t_eval * evals + t_fwd * (1 + MAX (n_styles, 1))
        + machine * evals * regions_flops (net, n_masked) / (NS_REGIONS_GFLOPS * 1e9);
    }
  ns_objective_free (obj);
  return secs;
}

double
ns_estimate_seconds (const NsModel *model, const NsParams *params, int width, int height,
                     int n_styles)
{
  return ns_estimate_seconds_at (model, params, width, height, n_styles, 0, NULL);
}

double
ns_estimate_seconds_regions (const NsModel *model, const NsParams *params, int width,
                             int height, int n_styles, int n_masked)
{
  return ns_estimate_seconds_at (model, params, width, height, n_styles, n_masked, NULL);
}
