/* schedule.c — the multi-resolution schedule (documented in job.c). */
#include "schedule.h"

#include <math.h>


void
ns_working_size (const NsParams *p, int w, int h, int *ww, int *wh)
{
  int longest = p->size > 0 ? p->size : MAX (w, h);
  ns_image_fit_size (w, h, longest, ww, wh);
}

int
ns_style_read_side (int work_w, int work_h, double style_scale)
{
  int side = (int) ceil (2.0 * style_scale * MAX (work_w, work_h));
  return MAX (side, 64);
}

int
ns_schedule_levels (const NsParams *p, int work_w, int work_h, int auto_side)
{
  if (p->multires > 0)
    return p->multires;
  int longest = MAX (work_w, work_h), levels = 1;
  while (levels < 8 && (longest >> levels) >= MAX (auto_side, 1))
    levels++;
  return levels;
}

void
ns_schedule_level_size (int work_w, int work_h, int level, int levels, int *w, int *h)
{
  if (level == levels)
    {
      *w = work_w;
      *h = work_h;
      return;
    }
  int longest = MAX (work_w, work_h);
  int target = MAX (1, (int) lround (longest / (double) (1 << (levels - level))));
  ns_image_fit_size (work_w, work_h, target, w, h);
}

int
ns_schedule_base_levels (const NsParams *p, int work_w, int work_h, int levels)
{
  int base = 1;   /* level 1 starts from the initial image: never a detail pass */
  for (int l = 2; l <= levels && p->detail_side > 0; l++)
    {
      int w, h;
      ns_schedule_level_size (work_w, work_h, l, levels, &w, &h);
      if (MAX (w, h) > p->detail_side)
        break;
      base = l;
    }
  return p->detail_side > 0 ? base : levels;
}

int
ns_schedule_level_iterations (const NsParams *p, int work_w, int work_h, int level, int levels)
{
  int base = ns_schedule_base_levels (p, work_w, work_h, levels);
  if (level > base)
    return MIN (p->detail_iterations, p->iterations);
  gint64 it = (gint64) p->iterations << MIN (base - level, 4);
  return (int) MIN (it, NS_MAX_ITERATIONS);
}
