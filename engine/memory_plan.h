/* memory_plan.h — the memory rule that jobs (job.c) and the dialogs' plan
 * (estimate_plan.c, ns_estimate_plan) share. */
#ifndef NS_MEMORY_PLAN_H
#define NS_MEMORY_PLAN_H

#include "neural_style.h"

/* Bytes a job with parameters p would need (the caller's estimate). */
typedef guint64 (*NsMemoryEstimator) (const NsParams *p, gpointer data);

/* L-BFGS pairs (*history: as asked, or 8 down to 3 while over the limit)
 * and tile core (*tile: as asked; automatic 0 = untiled if that fits, else
 * the largest of NS_PLAN_TILE_CORES that fits, the smallest if none, and
 * only when tileable) for a working image of work_w x work_h under
 * ns_memory_limit_bytes (params); *bytes: the estimate with them. */
void ns_memory_plan (const NsParams *params, int work_w, int work_h, gboolean tileable,
                     NsMemoryEstimator estimate, gpointer data, int *history, int *tile,
                     guint64 *bytes);

#endif
