/* test_schedule.c — the multi-resolution schedule (engine/schedule.c,
 * README "Multi-resolution"): level sizes and iterations.
 *
 *   - every working size up to 1024 px (the default detail_side; 512 px is
 *     the default size, what the judge and the benchmarks measure), every
 *     multires setting and both automatic floors (VGG 128 px, SqueezeNet
 *     256 px) runs the schedule from before detail levels existed:
 *     `iterations` on the last level, doubled per coarser level up to 16x —
 *     written out here independently;
 *   - 2048x1536 and 4000x3000: the levels up to 1024 px keep that schedule
 *     as if the 1024 px level were the last, every larger level is a detail
 *     pass of detail_iterations (at most `iterations`);
 *   - level 1 is never a detail pass (it has no level below to start from);
 *   - detail_side 0 and detail_side >= the working size give the old schedule.
 * That a detail level really starts from the upsampled level below is
 * tests/cli/test-cli.sh's check (a real run). */
#include "test_util.h"
#include "neural_style.h"
#include "schedule.h"

/* The schedule before detail levels: iterations << min(L - l, 4). */
static int
old_iterations (int iterations, int level, int levels)
{
  long it = (long) iterations;
  for (int k = 0; k < levels - level && k < 4; k++)
    it *= 2;
  return (int) MIN (it, NS_MAX_ITERATIONS);
}

/* Checks levels, each level's longest side and iterations against a table. */
static void
check_table (const NsParams *p, int w, int h, int auto_side, int n, const int *sides,
             const int *iters, const char *what)
{
  int levels = ns_schedule_levels (p, w, h, auto_side);
  CHECK (levels == n, "%s: %d levels, expected %d", what, levels, n);
  for (int l = 1; l <= levels && levels == n; l++)
    {
      int lw, lh;
      ns_schedule_level_size (w, h, l, levels, &lw, &lh);
      int it = ns_schedule_level_iterations (p, w, h, l, levels);
      CHECK (MAX (lw, lh) == sides[l - 1] && it == iters[l - 1],
             "%s level %d: %dx%d %d iterations, expected side %d, %d iterations", what, l, lw,
             lh, it, sides[l - 1], iters[l - 1]);
    }
}

static void
test_small_unchanged (void)
{
  NsParams p;
  ns_params_init (&p);
  CHECK (p.detail_side == 1024 && p.detail_iterations == 10, "defaults %d / %d", p.detail_side,
         p.detail_iterations);
  int mismatches = 0, cases = 0;
  const int floors[2] = { 128, 256 };
  for (int side = 1; side <= 1024; side++)
    for (int f = 0; f < 2; f++)
      for (int m = 0; m <= NS_MAX_MULTIRES; m++)
        for (int it = 0; it <= 60; it += 30)
          {
            p.multires = m;
            p.iterations = it;
            int w = side, h = MAX (1, side * 3 / 4);
            int levels = ns_schedule_levels (&p, w, h, floors[f]);
            for (int l = 1; l <= levels; l++, cases++)
              mismatches += ns_schedule_level_iterations (&p, w, h, l, levels)
                != old_iterations (it, l, levels);
          }
  CHECK (mismatches == 0 && cases > 20000, "<= 1024 px: %d of %d levels differ from before",
         mismatches, cases);
}

static void
test_large (void)
{
  NsParams p;
  ns_params_init (&p);
  /* VGG (floor 128): 2048 -> 5 levels; SqueezeNet (256): 4 levels */
  check_table (&p, 2048, 1536, 128, 5, (int[]) { 128, 256, 512, 1024, 2048 },
               (int[]) { 400, 200, 100, 50, 10 }, "VGG 2048x1536");
  check_table (&p, 2048, 1536, 256, 4, (int[]) { 256, 512, 1024, 2048 },
               (int[]) { 200, 100, 50, 10 }, "SqueezeNet 2048x1536");
  check_table (&p, 4000, 3000, 128, 5, (int[]) { 250, 500, 1000, 2000, 4000 },
               (int[]) { 200, 100, 50, 10, 10 }, "VGG 4000x3000");
  check_table (&p, 4000, 3000, 256, 4, (int[]) { 500, 1000, 2000, 4000 },
               (int[]) { 100, 50, 10, 10 }, "SqueezeNet 4000x3000");
  CHECK (ns_schedule_base_levels (&p, 4000, 3000, 5) == 3, "VGG 4000x3000: 3 base levels");

  p.iterations = 5;      /* detail passes run at most `iterations` */
  check_table (&p, 4000, 3000, 256, 4, (int[]) { 500, 1000, 2000, 4000 },
               (int[]) { 10, 5, 5, 5 }, "iterations 5");
  p.iterations = 50;
  p.detail_iterations = 3;
  check_table (&p, 4000, 3000, 256, 4, (int[]) { 500, 1000, 2000, 4000 },
               (int[]) { 100, 50, 3, 3 }, "detail iterations 3");
  p.detail_iterations = 10;

  p.multires = 1;        /* single scale: level 1 is never a detail pass */
  check_table (&p, 4000, 3000, 128, 1, (int[]) { 4000 }, (int[]) { 50 }, "single scale 4000");
  p.multires = 2;
  check_table (&p, 4000, 3000, 128, 2, (int[]) { 2000, 4000 }, (int[]) { 50, 10 },
               "two levels 4000");
  p.multires = 0;

  /* a lower threshold keeps less of the old schedule; 0 or the working
   * size itself keeps all of it */
  p.detail_side = 512;
  check_table (&p, 4000, 3000, 128, 5, (int[]) { 250, 500, 1000, 2000, 4000 },
               (int[]) { 100, 50, 10, 10, 10 }, "detail side 512");
  p.detail_side = 0;
  check_table (&p, 4000, 3000, 128, 5, (int[]) { 250, 500, 1000, 2000, 4000 },
               (int[]) { 800, 400, 200, 100, 50 }, "detail side 0");
  p.detail_side = 4000;
  check_table (&p, 4000, 3000, 128, 5, (int[]) { 250, 500, 1000, 2000, 4000 },
               (int[]) { 800, 400, 200, 100, 50 }, "detail side 4000");
}

int
main (void)
{
  test_begin ("schedule");
  test_small_unchanged ();
  test_large ();
  return test_finish ();
}
