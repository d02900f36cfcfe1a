/* lrn.h — local response normalisation across channels (Caffe's LRN,
 * ACROSS_CHANNELS; Krizhevsky et al. 2012, sec. 3.3), forward and input
 * gradient.
 *
 * Shapes: x, y [c][hw].  With n = size (odd) and the window of channel i
 * W(i) = { j : |j - i| <= (n-1)/2, 0 <= j < c } (channels outside add 0):
 *   s_i = k + alpha/n · Σ_{j ∈ W(i)} x_j²          (per pixel)
 *   y_i = x_i · s_i^-beta
 */
#ifndef NS_LRN_H
#define NS_LRN_H

#include <stddef.h>

typedef struct
{
  int size;
  float alpha, beta, k;
} NsLrnSpec;

/* y = LRN(x); scale (may be NULL) receives s [c][hw] for the backward pass. */
void ns_lrn_forward  (const NsLrnSpec *p, const float *x, int c, size_t hw, float *y,
                      float *scale);
/* dx += dL/dx given dy, from x, y and the forward's scale s:
 *   dx_i = dy_i · s_i^-beta − (2·alpha·beta/n) · x_i · Σ_{j : i ∈ W(j)} dy_j · y_j / s_j */
void ns_lrn_backward (const NsLrnSpec *p, const float *x, const float *y, const float *scale,
                      const float *dy, int c, size_t hw, float *dx);

#endif
