/* schedule.h — the multi-resolution schedule (see job.c's header comment). */
#ifndef NS_SCHEDULE_H
#define NS_SCHEDULE_H

#include "neural_style.h"

/* Number of levels for a working size (params->multires, 0 = automatic:
 * add levels while the coarsest longest side stays >= auto_side px, the
 * architecture's ns_arch_auto_level_side). */
int  ns_schedule_levels           (const NsParams *p, int work_w, int work_h, int auto_side);
/* Size of level `level` (1 = coarsest … levels = working size). */
void ns_schedule_level_size       (int work_w, int work_h, int level, int levels, int *w, int *h);
/* Levels up to params->detail_side px (the longest side; at least level 1;
 * all of them when detail_side is 0): the "base" schedule. */
int  ns_schedule_base_levels      (const NsParams *p, int work_w, int work_h, int levels);
/* Iterations of a level: `iterations` on the last base level, doubled per
 * coarser level (at most 16x); a level above the base (a detail pass from
 * the upsampled level below) runs MIN (detail_iterations, iterations). */
int  ns_schedule_level_iterations (const NsParams *p, int work_w, int work_h, int level,
                                   int levels);

/* ns_estimate_memory with the style images' real pixel count (estimate.c). */
guint64 ns_estimate_memory_for (const NsModel *model, const NsParams *params, int width,
                                int height, int n_styles, guint64 style_pixels);
/* Bytes the masks of n_masked styles and a content map (and the luminance
 * buffers) add at the working size of width x height (estimate.c). */
guint64 ns_estimate_regions_bytes (const NsModel *model, const NsParams *params, int width,
                                   int height, int n_masked, gboolean content_map);

#endif
