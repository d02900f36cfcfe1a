/* estimate.c — the peak-memory estimate of a job, before running.
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
 * It runs on a plan-only network (net/plan.c): shapes, no weights.  The
 * time estimate is estimate_time.c.
 */
#include "neural_style.h"
#include "objective.h"
#include "optimizer.h"
#include "schedule.h"

#include <math.h>

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
