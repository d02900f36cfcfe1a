/* color_transfer.h — colour control (Gatys et al., "Controlling Perceptual
 * Factors in Neural Style Transfer", CVPR 2017, sec. 5).  Images are
 * planar RGB [3][n], 0..1.
 *
 *  meancov:   μ, Σ = mean and 3x3 population covariance of the RGB values
 *             of the style (s) and the content (c); A = Σ_c^{1/2} Σ_s^{-1/2}
 *             (symmetric roots by eigendecomposition, eigenvalues below
 *             1e-8 raised to 1e-8); s'(p) = clamp(A (s(p) − μ_s) + μ_c, 0, 1)
 *             (sec. 5.2, "colour histogram matching", the linear map).
 *  luminance: Y = 0.299 R + 0.587 G + 0.114 B; the style's Y matched to the
 *             content's, Y' = (σ_c/σ_s)(Y_s − μ_s) + μ_c (population std;
 *             σ_s < 1e-8: Y' = μ_c), eq. 8 of sec. 5.1; the network then sees
 *             (Y, Y, Y).
 */
#ifndef NS_COLOR_TRANSFER_H
#define NS_COLOR_TRANSFER_H

#include <stddef.h>

/* Recolour the style (ns pixels) in place to the content's mean and
 * covariance (nc pixels). */
void ns_color_meancov          (float *style, size_t ns, const float *content, size_t nc);
/* Y of planar RGB into y [n] (y may not alias rgb). */
void ns_color_luma             (const float *rgb, size_t n, float *y);
/* Replace planar RGB by (Y, Y, Y) in place. */
void ns_color_to_gray3         (float *rgb, size_t n);
/* The style (planar RGB, ns pixels) becomes (Y', Y', Y') with its Y matched
 * to the content's Y (content_y, nc values). */
void ns_color_luminance_match  (float *style, size_t ns, const float *content_y, size_t nc);

#endif
