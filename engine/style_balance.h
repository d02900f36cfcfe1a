/* style_balance.h — (private to the driver) the style balance rule
 * (issue #20, README "Style balance").
 *
 * Every style term is ‖G(x) − G(s)‖² / ‖G(s)‖²: normalised by the style's
 * own Gram energy.  Its pull on the image per unit of change of G(x) is
 * therefore ~ 1/‖G(s)‖, while the content term's resistance is measured in
 * the content's units.  A style far more energetic than the photo at the
 * style layers (a saturated texture: ‖G(s)‖ ≫ ‖G(c)‖) pulls weakly at a
 * given α and barely moves in; a style weaker than the photo (a flat
 * pattern, a busy photo) pulls hard and washes the subject out.  The rule
 * evens this out per style image s:
 *
 *   ρ_k = ‖G_k(c)‖_F / ‖G_k(s)‖_F   (content image vs style, style layer k)
 *   ρ̄   = Π_k ρ_k^{w_k}             (geometric mean, the layer weights w_k)
 *   f_s = clamp ((ρ̄ / ρ_ref)^(−1/2), 1/2, 2),   ρ_ref = e^{−1/2}
 *
 * and β_s becomes f_s·β_s.  ρ_ref is the median ρ̄ of the 36 shared pairs
 * (SqueezeNet, 256 px), so a typical pair keeps its weight; the exponent
 * 1/2 is the measured one (1 overshoots: README "Style balance"); the clamp
 * at 2 the measured one too (at 4 electric, f up to 3, took horses and
 * giraffe out of the judge's top 10 on three levels: README, fourth pass).
 */
#ifndef NS_STYLE_BALANCE_H
#define NS_STYLE_BALANCE_H

#define NS_STYLE_BALANCE_EXPONENT 0.5
#define NS_STYLE_BALANCE_LOG_RHO_REF (-0.5)
#define NS_STYLE_BALANCE_MAX 2.0

/* ln ρ_k = ½ ln(‖Gc‖²_F / ‖Gs‖²_F) of two C x C Gram matrices (clamped
 * to ±ln 10⁶ when either is all zero). */
double ns_style_balance_log_rho (const float *Gc, const float *Gs, int C);
/* f_s from the layers' ln ρ_k and their weights w_k (summing to 1). */
double ns_style_balance_factor  (const double *log_rho, const double *w, int n);

#endif
