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

/* Max pooling that also records, per output, which window element won
 * (arg [c][oh][ow], row-major index in the k x k window, k <= 15; the same
 * first-maximum rule as ns_pool_backward), so the backward pass needs
 * neither in nor out.  Average pooling: arg is not touched (may be NULL). */
void ns_pool_forward_arg  (const NsPoolSpec *p, const float *in, int c, int h, int w,
                           float *out, unsigned char *arg);
void ns_pool_backward_arg (const NsPoolSpec *p, const unsigned char *arg,
                           const float *dout, int c, int h, int w, float *din);

#endif
