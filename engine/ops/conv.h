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

/* The im2col + sgemm paths themselves (ns_conv_forward / _backward_input
 * choose between these and Winograd). */
void   ns_conv_forward_im2col  (const NsConvSpec *c, const float *in, int h, int w,
                                float *out, int relu, NsWorkspace *ws);
void   ns_conv_backward_input_im2col (const NsConvSpec *c, const float *dout, int h, int w,
                                float *din, int accumulate, NsWorkspace *ws);

/* Winograd F(4x4,3x3) for kh = kw = 3, stride 1, pad 1 (conv_winograd.c).
 * Its transformed filters u (36 padded [cout][cin] planes,
 * ns_conv_winograd_weight_floats floats; 0 for other shapes) serve forward
 * and backward.  ns_conv_forward / _backward_input transform them per call
 * inside ws; a caller that keeps u (filled once by
 * ns_conv_winograd_transform_weights, owned by the caller, 4x the weights'
 * size) saves that (~30% of a 512->512 conv at 32x32) with these: */
void   ns_conv_forward_cached        (const NsConvSpec *c, const float *wino_u,
                                      const float *in, int h, int w,
                                      float *out, int relu, NsWorkspace *ws);
void   ns_conv_backward_input_cached (const NsConvSpec *c, const float *wino_u,
                                      const float *dout, int h, int w,
                                      float *din, int accumulate, NsWorkspace *ws);

size_t ns_conv_winograd_weight_floats     (const NsConvSpec *c);
void   ns_conv_winograd_transform_weights (const NsConvSpec *c, float *u);
/* Scratch for one call with u = NULL (capped at NS_WORKSPACE_MAX_FLOATS);
 * ns_conv_workspace_floats already includes it where Winograd applies. */
size_t ns_conv_winograd_workspace_floats  (const NsConvSpec *c, int h, int w);
/* TRUE when the dispatchers would use Winograd here: shape, channel counts,
 * size, and ws large enough (ws NULL: judge all but the workspace).
 * _applicable is _usable with u = NULL. */
int    ns_conv_winograd_usable            (const NsConvSpec *c, const float *u, int h, int w,
                                           const NsWorkspace *ws);
int    ns_conv_winograd_applicable        (const NsConvSpec *c, int h, int w,
                                           const NsWorkspace *ws);
/* The Winograd paths themselves (u may be NULL).  Return 0, doing nothing,
 * when the shape does not apply or ws is too small. */
int    ns_conv_winograd_forward        (const NsConvSpec *c, const float *u,
                                        const float *in, int h, int w,
                                        float *out, int relu, NsWorkspace *ws);
int    ns_conv_winograd_backward_input (const NsConvSpec *c, const float *u,
                                        const float *dout, int h, int w,
                                        float *din, int accumulate, NsWorkspace *ws);

/* Reference implementations (plain loops) used by tests. */
void   ns_conv_forward_naive   (const NsConvSpec *c, const float *in, int h, int w, float *out);
void   ns_conv_backward_input_naive (const NsConvSpec *c, const float *dout, int h, int w, float *din);

#endif
