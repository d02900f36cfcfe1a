/* estimate_plan.c — what a job at a given size would do about memory,
 * decided without a job (for dialogs): the memory limit, the L-BFGS pairs
 * and the automatic tile core, then the memory and time estimates with
 * them (estimate.c, estimate_time.c).
 *
 * The rule (ns_memory_plan, which jobs use too, job.c): the limit is
 * memory_limit_mb, else 70 % of physical
 * RAM; automatic L-BFGS history (lbfgs_history 0) drops from 8 pairs down
 * to 3 while the estimate exceeds the limit; automatic tiling (tile_size 0)
 * keeps the job untiled if that fits, else takes the largest core of
 * NS_PLAN_TILE_CORES that fits (the smallest when none does) — only where
 * the objective can be tiled (objective_tiled.c: a chain network, the Gram
 * loss, no masks).  tests/test_estimate_plan.c checks it against
 * ns_job_estimate_memory and the tile grid a job really ran with. */
#include "neural_style.h"
#include "memory_plan.h"
#include "objective.h"
#include "optimizer.h"

#include <string.h>
#include <unistd.h>

guint64
ns_memory_limit_bytes (const NsParams *params)
{
  if (params->memory_limit_mb > 0)
    return (guint64) (params->memory_limit_mb * 1024 * 1024);
  long pages = sysconf (_SC_PHYS_PAGES), page = sysconf (_SC_PAGESIZE);
  if (pages <= 0 || page <= 0)
    return G_MAXUINT64;
  return (guint64) pages * (guint64) page / 10 * 7;
}

gboolean
ns_plan_tileable (const NsModel *model, const NsParams *params, int n_masked,
                  gboolean content_map)
{
  return !ns_arch_info (model->arch)->graph && params->style_loss == NS_STYLE_LOSS_GRAM
    && n_masked == 0 && !content_map;
}

/* The L-BFGS pairs for p; *bytes: the estimate with them. */
static int
plan_history (const NsParams *base, int work_w, int work_h, guint64 limit,
              NsMemoryEstimator estimate, gpointer data, guint64 *bytes)
{
  NsParams p = *base;
  int m = p.lbfgs_history > 0 ? p.lbfgs_history : 8;
  p.lbfgs_history = m;
  *bytes = estimate (&p, data);
  if (base->lbfgs_history == 0 && p.optimizer == NS_OPTIMIZER_LBFGS)
    {
      const size_t n = (size_t) 3 * work_w * work_h;
      const guint64 rest = *bytes - ns_lbfgs_memory_bytes (n, m);
      while (m > 3 && rest + ns_lbfgs_memory_bytes (n, m) > limit)
        m--;
      *bytes = rest + ns_lbfgs_memory_bytes (n, m);
    }
  return m;
}

void
ns_memory_plan (const NsParams *params, int work_w, int work_h, gboolean tileable,
                NsMemoryEstimator estimate, gpointer data, int *history, int *tile,
                guint64 *bytes)
{
  static const int cores[] = { NS_PLAN_TILE_CORES };
  const guint64 limit = ns_memory_limit_bytes (params);
  *tile = params->tile_size;
  *history = plan_history (params, work_w, work_h, limit, estimate, data, bytes);
  for (guint i = 0; i < G_N_ELEMENTS (cores) && params->tile_size == 0 && *bytes > limit
       && tileable; i++)
    {
      NsParams q = *params;
      q.tile_size = cores[i];
      guint64 e;
      int h = plan_history (&q, work_w, work_h, limit, estimate, data, &e);
      if (e <= limit || i == G_N_ELEMENTS (cores) - 1)
        {
          *tile = cores[i];
          *history = h;
          *bytes = e;
        }
    }
}

typedef struct
{
  const NsModel *model;
  int width, height, n_styles, n_masked;
  gboolean content_map;
} PlanInput;

static guint64
memory_with (const NsParams *p, gpointer data)
{
  const PlanInput *in = data;
  return ns_estimate_memory_regions (in->model, p, in->width, in->height, in->n_styles,
                                     in->n_masked, in->content_map);
}

gboolean
ns_estimate_plan (const NsModel *model, const NsParams *params, int width, int height,
                  int n_styles, int n_masked, gboolean content_map, const NsSpeed *speed,
                  NsEstimatePlan *plan)
{
  const PlanInput in = { model, width, height, MAX (n_styles, 1), n_masked, content_map };

  memset (plan, 0, sizeof *plan);
  if (!model || width < 1 || height < 1)
    return FALSE;
  ns_working_size (params, width, height, &plan->work_w, &plan->work_h);
  plan->limit_bytes = ns_memory_limit_bytes (params);
  ns_memory_plan (params, plan->work_w, plan->work_h,
                  ns_plan_tileable (model, params, n_masked, content_map), memory_with,
                  (gpointer) &in, &plan->lbfgs_history, &plan->tile, &plan->memory_bytes);
  plan->fits = plan->memory_bytes <= plan->limit_bytes;
  plan->tiles_x = plan->tiles_y = 1;
  if (plan->tile > 0)
    {
      NsObjective *obj = ns_objective_new_plan (model, params, NULL);
      if (obj)
        ns_objective_tiled_grid (obj, plan->work_w, plan->work_h, plan->tile, &plan->tiles_x,
                                 &plan->tiles_y);
      ns_objective_free (obj);
    }

  NsParams t = *params;
  t.tile_size = plan->tile;
  t.lbfgs_history = plan->lbfgs_history;
  plan->seconds = ns_estimate_seconds_at (model, &t, width, height, in.n_styles, n_masked, speed);
  return plan->memory_bytes > 0;
}
