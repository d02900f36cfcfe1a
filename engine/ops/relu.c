/* relu.c — ReLU forward and backward: y = max(0,x);  dx = dy * (y > 0).
 *
 * Elementwise, in place, parallel over elements for large maps.  The
 * backward takes the mask from the kept output y or, for activations that
 * are not kept, from a bit mask (1 bit per element).
 */
#include "relu.h"

/* Loops touching fewer elements run on one thread (region overhead). */
#define PAR_MIN 65536

void
ns_relu_forward (float *x, size_t n)
{
#pragma omp parallel for schedule(static) if (n >= PAR_MIN)
  for (size_t i = 0; i < n; i++)
    if (x[i] < 0.0f)          /* NaN passes through, so callers can detect it */
      x[i] = 0.0f;
}

void
ns_relu_backward (const float *y, float *d, size_t n)
{
  /* branch-free (the mask is data, mispredicted ~half the time) */
#pragma omp parallel for schedule(static) if (n >= PAR_MIN)
  for (size_t i = 0; i < n; i++)
    d[i] = y[i] > 0.0f ? d[i] : 0.0f;
}

void
ns_relu_mask_bits (const float *y, size_t n, unsigned char *bits)
{
  const size_t nb = (n + 7) / 8;
#pragma omp parallel for schedule(static) if (n >= PAR_MIN)
  for (size_t b = 0; b < nb; b++)
    {
      unsigned v = 0;
      const size_t i0 = b * 8, i1 = i0 + 8 < n ? i0 + 8 : n;
      for (size_t i = i0; i < i1; i++)
        v |= (unsigned) (y[i] > 0.0f) << (i - i0);
      bits[b] = (unsigned char) v;
    }
}

void
ns_relu_backward_bits (const unsigned char *bits, float *d, size_t n)
{
  const size_t nb = n / 8;
#pragma omp parallel for schedule(static) if (n >= PAR_MIN)
  for (size_t b = 0; b < nb; b++)
    {
      const unsigned m = bits[b];
      float *p = d + 8 * b;
      for (int j = 0; j < 8; j++)
        p[j] = (m >> j) & 1u ? p[j] : 0.0f;
    }
  for (size_t i = 8 * nb; i < n; i++)
    d[i] = (bits[i / 8] >> (i % 8)) & 1u ? d[i] : 0.0f;
}
