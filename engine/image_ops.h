/* image_ops.h — layout conversion, noise, colour preservation. */
#ifndef NS_IMAGE_OPS_H
#define NS_IMAGE_OPS_H

#include "neural_style.h"

/* interleaved RGB (w*h*3) <-> planar [3][h][w] */
void ns_interleaved_to_planar (const float *src, int w, int h, float *dst);
void ns_planar_to_interleaved (const float *src, int w, int h, float *dst);
/* Planar resample [c][h][w] -> [c][h2][w2] (same filter as ns_image_resize). */
void ns_planar_resize (const float *src, int c, int w, int h, float *dst, int w2, int h2);
/* Replace chroma of `img` (planar RGB) with that of `content` (same size):
 * Y from img, Cb/Cr from content (BT.601 full-range YCbCr), clamped 0..1. */
void ns_preserve_colors (float *img, const float *content, int w, int h);

/* Deterministic PRNG (xoshiro256**), seeded by splitmix64. */
typedef struct { guint64 s[4]; } NsRng;
void   ns_rng_seed    (NsRng *r, guint64 seed);
guint64 ns_rng_next   (NsRng *r);
double ns_rng_uniform (NsRng *r);   /* [0,1) */

#endif
