/* regions.h — spatial control in the objective (Gatys et al., "Controlling
 * Perceptual Factors in Neural Style Transfer", CVPR 2017, sec. 4):
 * guided Gram matrices for a style per region and a content strength map.
 *
 * With m_l a mask at tapped layer l (masks.h, cell rule) and p over its
 * N = H_l·W_l positions, F = F_l(x) [C][N]:
 *   guided Gram   G^m = Σ_p m_l(p)² F(p) F(p)ᵀ / Σ_p m_l(p)²          (eq. 6 with
 *                 the mask as the guidance channel; m ≡ 1 gives F Fᵀ / N)
 *   style term    w β_s ‖G^m − A_s‖²_F / (‖A_s‖²_F + 1e-8), left out when
 *                 Σ_p m_l(p)² < 1e-12
 *   content       b Σ_{ch,p} c_l(p) (F − P)² / (C N) / (mean(P²) + 1e-8),
 *                 c = 1 + (S − 1) m_c, c_l by the cell rule
 * The masks are those of the network's input: the working W x H mask
 * extended like the image (edge_pad.h), so the cell rule runs over
 * (W + pw) x (H + ph).  They are computed once per level
 * (ns_regions_prepare); styles without a mask stay on the plain path
 * (losses.c), so an objective without masks is the plain one bit for bit.
 */
#ifndef NS_REGIONS_H
#define NS_REGIONS_H

#include "network.h"

typedef struct NsRegions NsRegions;

NsRegions *ns_regions_new            (void);
void       ns_regions_free           (NsRegions *r);
/* A new level: working size W x H, network input padded by pw, ph.
 * Forgets the content map (styles: ns_regions_clear_styles). */
void       ns_regions_set_level      (NsRegions *r, int W, int H, int pw, int ph);
void       ns_regions_clear_styles   (NsRegions *r);
/* The next style (in the objective's order): its mask at W x H (0..1) or
 * NULL for the whole image. */
gboolean   ns_regions_add_style      (NsRegions *r, const float *mask, GError **error);
/* Content strength map: mask m at W x H (NULL: none) and strength S >= 0. */
gboolean   ns_regions_set_content_map (NsRegions *r, const float *mask, double strength,
                                       GError **error);
gboolean   ns_regions_style_masked   (const NsRegions *r, int s);
gboolean   ns_regions_has_content_map (const NsRegions *r);
/* The masks at every tap for the network prepared at the padded level
 * size (once per level). */
gboolean   ns_regions_prepare        (NsRegions *r, const NsNetwork *net,
                                      const int *style_taps, int n_style,
                                      const int *content_taps, int n_content, GError **error);

/* Forward: masked style s at style layer k: its loss (weight w·β_s as
 * layer_weight·beta); keeps its operator D_s for the backward pass.
 * G_ws: ns_style_ws_floats (C). */
double     ns_regions_style_term     (NsRegions *r, int s, int k, const float *F, int C, int N,
                                      const float *A, double a_norm_sq, double beta,
                                      double layer_weight, float *G_ws);
/* Backward: dF += Σ_s m_l(p)² N/M_s · D_s F(p) for the masked styles of
 * layer k, pixels off .. off+n-1 (rows ldf / ldd apart).  scratch: GEMM
 * scratch (ns_gemm_fast_scratch_floats (C)). */
void       ns_regions_style_apply    (NsRegions *r, int k, const float *F, size_t ldf, int C,
                                      int n, size_t off, float *dF, size_t ldd, float *scratch);
/* Content layer i with the strength map: the loss; the gradient is
 * gscale · c_l(p) · (F − P), gscale = ns_content_grad_scale (C·N, ...). */
double     ns_regions_content_loss   (const NsRegions *r, int i, const float *F, const float *P,
                                      int C, int N, double p_mean_sq, double weight);
void       ns_regions_content_apply  (const NsRegions *r, int i, const float *F, size_t ldf,
                                      const float *P, int C, int N, int n, size_t off,
                                      double gscale, float *dF, size_t ldd);
/* Bytes the masks need at the padded size Wp x Hp for n_masked styles and
 * an optional content map (tap shapes as last planned). */
guint64    ns_regions_memory_bytes   (const NsNetwork *net, const int *style_taps, int n_style,
                                      const int *content_taps, int n_content, int Wp, int Hp,
                                      int n_masked, gboolean content_map);

#endif
