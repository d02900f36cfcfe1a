/* image_ops.h — layout conversion, noise, colour preservation. */
#ifndef NS_IMAGE_OPS_H
#define NS_IMAGE_OPS_H

#include "neural_style.h"

#include <stddef.h>

/* interleaved RGB (w*h*3) <-> planar [3][h][w] */
void ns_interleaved_to_planar (const float *src, int w, int h, float *dst);
void ns_planar_to_interleaved (const float *src, int w, int h, float *dst);
/* Planar resample [c][h][w] -> [c][h2][w2] (same filter as ns_image_resize). */
void ns_planar_resize (const float *src, int c, int w, int h, float *dst, int w2, int h2);
/* The resampler behind both: c channels of w x h addressed through element
 * strides (channel, row, column) into w2 x h2.  Per axis: identity when the
 * size is unchanged, exact area coverage when shrinking, bilinear with
 * pixel-centre alignment (align_corners=False) when enlarging.  No
 * allocation; never fails for valid sizes. */
void ns_resample (const float *src, int c, int w, int h,
                  ptrdiff_t src_cs, ptrdiff_t src_ys, ptrdiff_t src_xs,
                  float *dst, int w2, int h2,
                  ptrdiff_t dst_cs, ptrdiff_t dst_ys, ptrdiff_t dst_xs);
/* Replace chroma of `img` (planar RGB) with that of `content` (same size):
 * Y from img, Cb/Cr from content (BT.601 full-range YCbCr), clamped 0..1. */
void ns_preserve_colors (float *img, const float *content, int w, int h);

/* Deterministic PRNG (xoshiro256**), seeded by splitmix64. */
typedef struct { guint64 s[4]; } NsRng;
void   ns_rng_seed    (NsRng *r, guint64 seed);
guint64 ns_rng_next   (NsRng *r);
double ns_rng_uniform (NsRng *r);   /* [0,1) */

#endif
