/* pool.h — max / average pooling, forward and input gradient.
 *
 * Shapes: in [c][h][w] -> out [c][oh][ow].
 * Output size (PyTorch rule):  floor or ceil((h + 2p - k)/s) + 1, and with
 * ceil mode the last window must start inside the (left-padded) input.
 * Average pooling divides by the number of window elements that lie inside
 * the padded input (count_include_pad, windows clipped at the far edge).
 */
#ifndef NS_POOL_H
#define NS_POOL_H

#include "neural_style.h"

typedef struct
{
  int k, stride, pad;
  int ceil_mode;
  NsPoolingType type;
} NsPoolSpec;

void ns_pool_out_size (const NsPoolSpec *p, int h, int w, int *oh, int *ow);
void ns_pool_forward  (const NsPoolSpec *p, const float *in, int c, int h, int w, float *out);
/* din = dL/din (overwritten).  Max pooling routes the gradient to the first
 * maximum of each window (needs in and out). */
void ns_pool_backward (const NsPoolSpec *p, const float *in, const float *out,
                       const float *dout, int c, int h, int w, float *din);

/* ReLU: y = max(0,x) in place;  backward: d *= (y > 0). */
void ns_relu_forward  (float *x, size_t n);
void ns_relu_backward (const float *y, float *d, size_t n);

#endif
