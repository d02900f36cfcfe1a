/* loss_swd.h — sliced Wasserstein style loss (Heitz et al., "A Sliced
 * Wasserstein Loss for Neural Texture Synthesis", CVPR 2021), an option
 * beside the Gram loss (--style-loss swd).
 *
 * F is a feature map [C][N] (N = H*W), V [C][C] holds C random unit
 * directions v_j (rows), fixed for the run from the seed.  Per direction
 * the projections y_j = v_jᵀ F (N values) are sorted and compared with the
 * style's sorted projections T_sj (N_s values) resampled to N quantiles:
 *
 *   t_sj[i] = T_sj at q = (i + ½)·N_s/N − ½ (linear, clamped to [0, N_s−1])
 *   L = w Σ_s β_s · [1/(C N) Σ_j Σ_i (sort(y_j)[i] − t_sj[i])²] / (m_s + 1e-8)
 *   m_s = 1/(C N_s) Σ_j Σ_i T_sj[i]²     (scale-free like the Gram loss)
 *
 * dL/dy_j[π_j(i)] = Σ_s 2 w β_s (sort(y_j)[i] − t_sj[i]) / (C N (m_s + 1e-8)),
 * π_j the sorting permutation (the loss is piecewise quadratic in F), and
 * dL/dF = Vᵀ dL/dY.
 */
#ifndef NS_LOSS_SWD_H
#define NS_LOSS_SWD_H

#include <glib.h>
#include <stddef.h>

typedef struct { guint32 key; int i; } NsSwdPair;   /* sort key, pixel */

/* V [C][C]: C unit directions from Gaussian draws (isotropic), a pure
 * function of (seed, C). */
void   ns_swd_directions   (int C, guint64 seed, float *V);

/* T [C][N]: the sorted projections of F on V's rows; returns m = mean(T²). */
double ns_swd_sorted_projections (const float *F, int C, int N, const float *V, float *T);

/* One layer against n_styles targets T[s] ([C][Ns[s]], sorted rows) with
 * means m[s] and blend weights beta[s].  Returns the weighted loss and
 * leaves dL/dY in Yg [C][N] (the projections' gradient, whole map) for
 * ns_swd_layer_apply.  pairs: 2N of scratch. */
double ns_swd_layer_op     (const float *F, int C, int N, const float *V,
                            const float *const *T, const int *Ns, const double *m,
                            const double *beta, int n_styles, double layer_weight,
                            float *Yg, NsSwdPair *pairs);

/* grad[c][i] += Σ_j V[j][c] Yg[j][off + i] for n pixels; Yg rows N floats
 * apart, grad rows ldg apart. */
void   ns_swd_layer_apply  (const float *V, const float *Yg, int N, size_t off, int C, int n,
                            float *grad, size_t ldg);

#endif
