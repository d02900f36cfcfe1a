/* conv.h — 2-D convolution (cross-correlation, as PyTorch/Caffe), forward
 * and gradient with respect to the input (weights are fixed).
 *
 * Shapes:  in [cin][h][w]   weight [cout][cin][kh][kw] (OIHW)   bias [cout]
 *          out [cout][oh][ow],  oh = (h + 2*pad - kh)/stride + 1 (floor).
 */
#ifndef NS_CONV_H
#define NS_CONV_H

#include "workspace.h"

typedef struct
{
  int cin, cout, kh, kw, stride, pad;
  const float *weight;   /* OIHW */
  const float *bias;     /* [cout], may be NULL */
} NsConvSpec;

void   ns_conv_out_size        (const NsConvSpec *c, int h, int w, int *oh, int *ow);
/* Scratch floats this conv would like at input size h x w (<= NS_WORKSPACE_MAX_FLOATS).
 * The ops work with less (down to a small minimum) by processing in chunks. */
size_t ns_conv_workspace_floats (const NsConvSpec *c, int h, int w);

/* out = conv(in) + bias, then max(0,·) if relu. */
void   ns_conv_forward         (const NsConvSpec *c, const float *in, int h, int w,
                                float *out, int relu, NsWorkspace *ws);
/* din (=, or += if accumulate) = dL/din given dout = dL/dout.  Does not
 * apply any ReLU mask: callers mask dout first. */
void   ns_conv_backward_input  (const NsConvSpec *c, const float *dout, int h, int w,
                                float *din, int accumulate, NsWorkspace *ws);

/* The im2col + sgemm path itself (ns_conv_forward / _backward_input are
 * these; 3x3/s1/p1 convs of a network take net/wino.h's fused Winograd
 * path instead). */
void   ns_conv_forward_im2col  (const NsConvSpec *c, const float *in, int h, int w,
                                float *out, int relu, NsWorkspace *ws);
void   ns_conv_backward_input_im2col (const NsConvSpec *c, const float *dout, int h, int w,
                                float *din, int accumulate, NsWorkspace *ws);

/* Reference implementations (plain loops) used by tests. */
void   ns_conv_forward_naive   (const NsConvSpec *c, const float *in, int h, int w, float *out);
void   ns_conv_backward_input_naive (const NsConvSpec *c, const float *dout, int h, int w, float *din);

#endif
