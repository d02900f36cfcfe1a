/* losses.c — the Gatys et al. (CVPR 2016) objective terms and gradients.
 *
 * Shapes: F, P  [C][N] (N = H*W, row-major, one row per channel)
 *         G, A  [C][C] (full symmetric)
 *         x     [3][H][W] planar image (TV)
 * Definitions are in losses.h.  Every sum is a fixed-block sum (fixed_sum.h),
 * so results are bit-identical whatever the number of OpenMP threads.
 */
#include "losses.h"

#include "fixed_sum.h"
#include "gemm_fast.h"

#include <glib.h>
#include <math.h>

/* ------------------------------------------------------------ helpers */

double
ns_mean_square (const float *p, size_t n)
{
  if (n == 0)
    return 0.0;
  double part[NS_SUM_BLOCKS];
#pragma omp parallel for schedule(static) if (n >= NS_PAR_MIN)
  for (int b = 0; b < NS_SUM_BLOCKS; b++)
    {
      double s = 0.0;
      for (size_t i = NS_BLOCK_LO (n, b); i < NS_BLOCK_LO (n, b + 1); i++)
        s += (double) p[i] * p[i];
      part[b] = s;
    }
  return ns_sum_blocks (part) / (double) n;
}

double
ns_frobenius_sq (const float *A, size_t n)
{
  return ns_mean_square (A, n) * (double) n;
}

/* ------------------------------------------------------------ content */

/* L = b * mean((F-P)^2) / (mean(P^2) + eps)
 * dL/dF = 2 b (F-P) / (n (mean(P^2) + eps)) */
double
ns_content_loss (const float *F, const float *P, size_t n, double p_mean_sq,
                 double weight, float *grad)
{
  if (n == 0)
    return 0.0;
  const double denom = (double) n * (p_mean_sq + NS_LOSS_EPS);
  const double gscale = ns_content_grad_scale (n, p_mean_sq, weight);
  double part[NS_SUM_BLOCKS];
#pragma omp parallel for schedule(static) if (n >= NS_PAR_MIN)
  for (int b = 0; b < NS_SUM_BLOCKS; b++)
    {
      double s = 0.0;
      for (size_t i = NS_BLOCK_LO (n, b); i < NS_BLOCK_LO (n, b + 1); i++)
        {
          double d = (double) F[i] - (double) P[i];
          s += d * d;
          if (grad)
            grad[i] += (float) (gscale * d);
        }
      part[b] = s;
    }
  return weight * ns_sum_blocks (part) / denom;
}

double
ns_content_grad_scale (size_t n, double p_mean_sq, double weight)
{
  return n ? 2.0 * weight / ((double) n * (p_mean_sq + NS_LOSS_EPS)) : 0.0;
}

void
ns_content_apply (const float *F, const float *P, size_t n, double gscale, float *grad)
{
  const float k = (float) gscale;
#pragma omp parallel for schedule(static) if (n >= NS_PAR_MIN)
  for (size_t i = 0; i < n; i++)
    grad[i] += k * (F[i] - P[i]);
}

/* ------------------------------------------------------------ gram / style */

size_t
ns_style_ws_floats (int C)
{
  return C > 0 ? (size_t) C * C + ns_gemm_fast_scratch_floats (C) : 1;
}

/* G = F F^T / N (gemm_fast.c: upper triangle by tiles, then mirrored). */
void
ns_gram (const float *F, int C, int N, float *G)
{
  if (C <= 0)
    return;
  float *scratch = g_new (float, ns_gemm_fast_scratch_floats (C));
  ns_gram_fast (F, C, N, G, scratch);
  g_free (scratch);
}

/* L  = w Σ_s β_s ‖G - A_s‖² / (‖A_s‖² + eps)
 * dG = Σ_s 2 w β_s (G - A_s) / (‖A_s‖² + eps)            (symmetric)
 * dF = (dG + dG^T) F / N = 2 dG F / N                     (G = F F^T / N)
 * G_ws holds G, then is overwritten in place by D = 2 dG / N, the symmetric
 * operator with dL/dF = D F (applied per pixel by ns_style_layer_apply). */
double
ns_style_layer_op (const float *F, int C, int N,
                   const float *const *A, const double *a_norm_sq,
                   const double *beta, int n_styles, double layer_weight, float *G_ws)
{
  if (C <= 0 || n_styles <= 0)
    return 0.0;

  ns_gram_fast (F, C, N, G_ws, G_ws + (size_t) C * C);
  return ns_style_gram_op (C, N, A, a_norm_sq, beta, n_styles, layer_weight, G_ws);
}

double
ns_style_gram_op (int C, size_t N, const float *const *A, const double *a_norm_sq,
                  const double *beta, int n_styles, double layer_weight, float *G_ws)
{
  if (C <= 0 || n_styles <= 0)
    return 0.0;
  const size_t CC = (size_t) C * C;
  const double dscale = N > 0 ? 2.0 / N : 0.0;

  /* One pass over the elements; each element loops over all targets with
   * c_s = w β_s / (‖A_s‖² + eps), so G_ws can be replaced by D in place. */
  double part[NS_SUM_BLOCKS];
#pragma omp parallel for schedule(static) if (CC * n_styles >= NS_PAR_MIN)
  for (int b = 0; b < NS_SUM_BLOCKS; b++)
    {
      double s = 0.0;
      for (size_t i = NS_BLOCK_LO (CC, b); i < NS_BLOCK_LO (CC, b + 1); i++)
        {
          const double g = G_ws[i];
          double dg = 0.0;
          for (int k = 0; k < n_styles; k++)
            {
              const double c = layer_weight * beta[k] / (a_norm_sq[k] + NS_LOSS_EPS);
              const double d = g - (double) A[k][i];
              s += c * d * d;
              dg += 2.0 * c * d;
            }
          G_ws[i] = (float) (dscale * dg);
        }
      part[b] = s;
    }
  return ns_sum_blocks (part);
}

void
ns_style_layer_apply (const float *D, const float *F, size_t ldf, int C, int n,
                      float *grad, size_t ldg, float *scratch)
{
  if (C > 0 && n > 0)
    ns_symm_acc_fast (D, F, ldf, C, n, 1.0f, grad, ldg, scratch);
}

double
ns_style_layer_loss (const float *F, int C, int N,
                     const float *const *A, const double *a_norm_sq,
                     const double *beta, int n_styles, double layer_weight,
                     float *G_ws, float *grad)
{
  double loss = ns_style_layer_op (F, C, N, A, a_norm_sq, beta, n_styles, layer_weight, G_ws);
  if (grad && n_styles > 0)
    ns_style_layer_apply (G_ws, F, (size_t) N, C, N, grad, (size_t) N, G_ws + (size_t) C * C);
  return loss;
}

/* ------------------------------------------------------------ total variation */

/* L = w [Σ (x[c,i+1,j]-x[c,i,j])² + Σ (x[c,i,j+1]-x[c,i,j])²] / (3HW)
 * The gradient is written in "gather" form (each pixel reads its own
 * neighbours), so rows can be processed in parallel without races:
 *   dL/dx[c,i,j] = k [ (x[i,j]-x[i-1,j]) - (x[i+1,j]-x[i,j])
 *                    + (x[i,j]-x[i,j-1]) - (x[i,j+1]-x[i,j]) ],  k = 2w/(3HW),
 * with terms that would leave the image dropped (H or W = 1 is fine). */
double
ns_tv_loss (const float *x, int H, int W, double weight, float *grad)
{
  if (H <= 0 || W <= 0)
    return 0.0;
  const size_t rows = (size_t) 3 * H;
  const double norm = 3.0 * (double) H * (double) W;
  const double k = 2.0 * weight / norm;
  double part[NS_SUM_BLOCKS];

#pragma omp parallel for schedule(static) if (rows * (size_t) W >= NS_PAR_MIN)
  for (int b = 0; b < NS_SUM_BLOCKS; b++)
    {
      double s = 0.0;
      for (size_t r = NS_BLOCK_LO (rows, b); r < NS_BLOCK_LO (rows, b + 1); r++)
        {
          const int i = (int) (r % (size_t) H);
          const float *row = x + r * W;
          const float *up = i > 0 ? row - W : NULL;
          const float *down = i < H - 1 ? row + W : NULL;
          for (int j = 0; j < W; j++)
            {
              const double v = row[j];
              /* loss: forward differences owned by this pixel */
              if (down)
                {
                  double d = (double) down[j] - v;
                  s += d * d;
                }
              if (j < W - 1)
                {
                  double d = (double) row[j + 1] - v;
                  s += d * d;
                }
              if (grad)
                {
                  double gsum = 0.0;
                  if (up)        gsum += v - (double) up[j];
                  if (down)      gsum -= (double) down[j] - v;
                  if (j > 0)     gsum += v - (double) row[j - 1];
                  if (j < W - 1) gsum -= (double) row[j + 1] - v;
                  grad[r * W + j] += (float) (k * gsum);
                }
            }
        }
      part[b] = s;
    }
  return weight * ns_sum_blocks (part) / norm;
}
