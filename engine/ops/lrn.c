/* lrn.c — LRN across channels, forward and backward (formulas in lrn.h).
 *
 * Plain loops, parallel over pixel blocks: for each pixel the window sum
 * over channels is a running sum (add the channel entering, drop the one
 * leaving), so the cost is O(c) per pixel whatever the window size.  Sums
 * in double (the squares of 0..255-scale activations reach 1e5).
 */
#include "lrn.h"

#include <math.h>

#define BLOCK 256   /* pixels per block: the running sums of a block stay in L1 */

/* s^-beta; Caffe's beta = 0.75 as 1/sqrt(s·sqrt(s)) (two square roots instead
 * of pow: the LRN layers were GoogLeNet's most expensive per element). */
static inline double
pow_neg_beta (double s, double beta)
{
  return beta == 0.75 ? 1.0 / sqrt (s * sqrt (s)) : pow (s, -beta);
}

void
ns_lrn_forward (const NsLrnSpec *p, const float *x, int c, size_t hw, float *y, float *scale)
{
  const int half = (p->size - 1) / 2;
  const double an = (double) p->alpha / p->size;
  const long nblocks = (long) ((hw + BLOCK - 1) / BLOCK);
#pragma omp parallel for schedule(static) if ((size_t) c * hw >= 65536)
  for (long b = 0; b < nblocks; b++)
    {
      const size_t p0 = (size_t) b * BLOCK, p1 = p0 + BLOCK < hw ? p0 + BLOCK : hw;
      double sum[BLOCK] = { 0 };
      for (int j = 0; j < half && j < c; j++)            /* channels 0 .. half-1 */
        for (size_t q = p0; q < p1; q++)
          sum[q - p0] += (double) x[(size_t) j * hw + q] * x[(size_t) j * hw + q];
      for (int i = 0; i < c; i++)
        {
          const int enter = i + half, leave = i - half - 1;
          for (size_t q = p0; q < p1; q++)
            {
              double s = sum[q - p0];
              if (enter < c)
                s += (double) x[(size_t) enter * hw + q] * x[(size_t) enter * hw + q];
              if (leave >= 0)
                s -= (double) x[(size_t) leave * hw + q] * x[(size_t) leave * hw + q];
              sum[q - p0] = s;
              const double sc = p->k + an * s;
              const size_t at = (size_t) i * hw + q;
              y[at] = (float) (x[at] * pow_neg_beta (sc, p->beta));
              if (scale)
                scale[at] = (float) sc;
            }
        }
    }
}

void
ns_lrn_backward (const NsLrnSpec *p, const float *x, const float *y, const float *scale,
                 const float *dy, int c, size_t hw, float *dx)
{
  const int half = (p->size - 1) / 2;
  const double f = 2.0 * p->alpha * p->beta / p->size;
  const long nblocks = (long) ((hw + BLOCK - 1) / BLOCK);
#pragma omp parallel for schedule(static) if ((size_t) c * hw >= 65536)
  for (long b = 0; b < nblocks; b++)
    {
      const size_t p0 = (size_t) b * BLOCK, p1 = p0 + BLOCK < hw ? p0 + BLOCK : hw;
      /* r_j = dy_j y_j / s_j; channel i needs Σ r_j over j with |j-i| <= half
       * (the window is symmetric), again a running sum */
      double sum[BLOCK] = { 0 };
#define R(j, q) ((double) dy[(size_t) (j) * hw + (q)] * y[(size_t) (j) * hw + (q)] \
                 / scale[(size_t) (j) * hw + (q)])
      for (int j = 0; j < half && j < c; j++)
        for (size_t q = p0; q < p1; q++)
          sum[q - p0] += R (j, q);
      for (int i = 0; i < c; i++)
        {
          const int enter = i + half, leave = i - half - 1;
          for (size_t q = p0; q < p1; q++)
            {
              double s = sum[q - p0];
              if (enter < c)
                s += R (enter, q);
              if (leave >= 0)
                s -= R (leave, q);
              sum[q - p0] = s;
              const size_t at = (size_t) i * hw + q;
              dx[at] += (float) (dy[at] * pow_neg_beta (scale[at], p->beta) - f * x[at] * s);
            }
        }
#undef R
    }
}
