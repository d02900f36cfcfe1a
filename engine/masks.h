/* masks.h — masks for spatial control (Gatys et al., "Controlling
 * Perceptual Factors in Neural Style Transfer", CVPR 2017, sec. 4).
 *
 * A mask is one plane of floats in 0..1, row by row.  A mask image (file
 * or GIMP drawable) becomes a mask as gray = mean of R'G'B', clamped to
 * 0..1 (alpha ignored), resized to the working image.
 */
#ifndef NS_MASKS_H
#define NS_MASKS_H

#include "neural_style.h"

/* gray = (R'+G'+B')/3 of an interleaved image, clamped to 0..1; w*h floats
 * (NULL if out of memory). */
float *ns_mask_from_image (const NsImage *img);

/* The mask at a tapped layer by the cell rule: for an H x W mask m and a
 * layer of Hl x Wl, ml(i,j) = mean of m(y,x) over the pixels with
 * floor(y·Hl/H) = i and floor(x·Wl/W) = j.  A cell no pixel falls in
 * (Hl > H or Wl > W) takes m at (floor(i·H/Hl), floor(j·W/Wl)). */
void   ns_mask_cells      (const float *m, int W, int H, float *ml, int Wl, int Hl);

#endif
