/* fixed_sum.h — sums whose result does not depend on the thread count:
 * accumulate in double over a FIXED number of blocks (NS_SUM_BLOCKS, the
 * loop over blocks may run in parallel), then add the blocks in order.
 * Shared by losses.c and optimizer.c. */
#ifndef NS_FIXED_SUM_H
#define NS_FIXED_SUM_H

#include <stddef.h>

#define NS_SUM_BLOCKS 64
/* Below this many elements a loop runs on one thread (fork cost dominates). */
#define NS_PAR_MIN    32768

/* Bounds of block b of NS_SUM_BLOCKS over [0, n): [NS_BLOCK_LO (n, b), NS_BLOCK_LO (n, b + 1)). */
#define NS_BLOCK_LO(n, b) ((size_t) (((unsigned long long) (n) * (b)) / NS_SUM_BLOCKS))

static inline double
ns_sum_blocks (const double *part)
{
  double s = 0.0;
  for (int b = 0; b < NS_SUM_BLOCKS; b++)
    s += part[b];
  return s;
}

#endif
