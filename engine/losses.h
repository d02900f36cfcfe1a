/* losses.h — the Gatys objective terms and their gradients.
 *
 * F is a feature map [C][N] (N = H*W).  Definitions (README "Objective"):
 *   content  b * mean((F-P)^2) / (mean(P^2) + 1e-8)
 *   gram     G = F F^T / N
 *   style    w * Σ_s β_s ‖G - A_s‖²_F / (‖A_s‖²_F + 1e-8)
 *   tv       [Σ(x[c,i+1,j]-x[c,i,j])² + Σ(x[c,i,j+1]-x[c,i,j])²] / (3HW)
 * Each *_loss returns the weighted loss and, if grad != NULL, ADDS its
 * gradient into grad.
 */
#ifndef NS_LOSSES_H
#define NS_LOSSES_H

#include <stddef.h>

#define NS_LOSS_EPS 1e-8

/* mean(P^2) */
double ns_mean_square       (const float *p, size_t n);
double ns_content_loss      (const float *F, const float *P, size_t n, double p_mean_sq,
                             double weight, float *grad);

/* The content gradient in parts, for pixel blocks: dL/dF = gscale (F - P)
 * with gscale = ns_content_grad_scale (n of the whole map, mean(P²), b);
 * ns_content_apply adds it for n elements. */
double ns_content_grad_scale (size_t n, double p_mean_sq, double weight);
void   ns_content_apply     (const float *F, const float *P, size_t n, double gscale,
                             float *grad);

/* G (C x C, full symmetric) = F F^T / N */
void   ns_gram              (const float *F, int C, int N, float *G);
/* Floats of the G_ws scratch ns_style_layer_loss needs for C channels:
 * C*C for G plus the GEMM tiles' scratch (gemm_fast.h). */
size_t ns_style_ws_floats   (int C);
/* ‖A‖²_F */
double ns_frobenius_sq      (const float *A, size_t n);
/* Style loss of one layer against n_styles target Grams A[s] with blend
 * weights beta[s] and norms a_norm_sq[s] = ‖A_s‖²_F.  G_ws: ns_style_ws_floats(C). */
double ns_style_layer_loss  (const float *F, int C, int N,
                             const float *const *A, const double *a_norm_sq,
                             const double *beta, int n_styles, double layer_weight,
                             float *G_ws, float *grad);

/* The same in two parts, so the gradient can be applied later and in blocks
 * of pixels: _op returns the loss and leaves in G_ws[0..C²) the symmetric
 * D with dL/dF = D F; _apply adds D F for n pixels, F and grad rows
 * (channels) ldf / ldg floats apart.  scratch: ns_gemm_fast_scratch_floats
 * (G_ws + C² has room for it). */
double ns_style_layer_op    (const float *F, int C, int N,
                             const float *const *A, const double *a_norm_sq,
                             const double *beta, int n_styles, double layer_weight,
                             float *G_ws);
/* The same from G = F Fᵀ / N already in G_ws[0..C²) (the tiled evaluation
 * sums it over tiles: objective_tiled.c); D replaces G in place. */
double ns_style_gram_op     (int C, size_t N, const float *const *A, const double *a_norm_sq,
                             const double *beta, int n_styles, double layer_weight,
                             float *G_ws);
void   ns_style_layer_apply (const float *D, const float *F, size_t ldf, int C, int n,
                             float *grad, size_t ldg, float *scratch);

/* x planar [3][H][W] */
double ns_tv_loss           (const float *x, int H, int W, double weight, float *grad);

#endif
