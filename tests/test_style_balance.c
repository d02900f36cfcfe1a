/* test_style_balance.c — the style balance rule (engine/style_balance.h,
 * issue #20): f_s = clamp((ρ̄/ρ_ref)^(−1/2), 1/2, 2), ρ̄ = Π_k ρ_k^{w_k},
 * ρ_k = ‖G_k(c)‖_F / ‖G_k(s)‖_F.  Checks:
 *  - ln ρ of two Gram matrices G = F Fᵀ / N against ‖Fᵀ F‖_F / N, an
 *    independent route to the same norm (double), and the all-zero cases;
 *  - the factor against the formula written out with pow() and the clamps;
 *  - through the objective (a seeded random SqueezeNet 1.1, two styles at
 *    different strengths): with auto, each style's term at x = content is
 *    the off term times f_s computed here from features read off a network
 *    of our own, Grams in double; the content term is unchanged; off gives
 *    the same terms as an objective built before the option existed would
 *    (the factor is not applied: auto/off ratio of the total style term
 *    equals the β-weighted mean of the f_s).
 */
#include "test_util.h"
#include "test_random_model.h"
#include "objective.h"
#include "style_balance.h"

/* F: C x N (double) -> ‖F Fᵀ / N‖²_F via Fᵀ F (N x N). */
static double
gram_norm_sq_via_ftf (const double *F, int C, int N)
{
  double s = 0.0;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++)
      {
        double d = 0.0;
        for (int c = 0; c < C; c++)
          d += F[(size_t) c * N + i] * F[(size_t) c * N + j];
        s += d * d;
      }
  return s / ((double) N * N * N * N);
}

static float *
gram_of (const double *F, int C, int N)
{
  float *G = g_new (float, (size_t) C * C);
  for (int a = 0; a < C; a++)
    for (int b = 0; b < C; b++)
      {
        double d = 0.0;
        for (int i = 0; i < N; i++)
          d += F[(size_t) a * N + i] * F[(size_t) b * N + i];
        G[(size_t) a * C + b] = (float) (d / N);
      }
  return G;
}

static double
factor_by_pow (const double *rho, const double *w, int n)
{
  double g = 1.0;
  for (int k = 0; k < n; k++)
    g *= pow (rho[k], w[k]);
  double f = pow (g / exp (-0.5), -0.5);
  return f < 0.5 ? 0.5 : f > 2.0 ? 2.0 : f;
}

static void
check_formula (void)
{
  const int C = 7, N = 11;
  GRand *r = g_rand_new_with_seed (5);
  double *Fc = g_new (double, C * N), *Fs = g_new (double, C * N);
  for (int i = 0; i < C * N; i++)
    {
      Fc[i] = g_rand_double_range (r, 0.0, 1.0);
      Fs[i] = 3.0 * g_rand_double_range (r, 0.0, 1.0);   /* a stronger style */
    }
  float *Gc = gram_of (Fc, C, N), *Gs = gram_of (Fs, C, N);
  double want = 0.5 * log (gram_norm_sq_via_ftf (Fc, C, N) / gram_norm_sq_via_ftf (Fs, C, N));
  CHECK_CLOSE (ns_style_balance_log_rho (Gc, Gs, C), want, 1e-6, 1e-9, "ln rho");
  CHECK (want < -1.0, "the stronger style has rho < 1/e (%g)", want);
  float *Z = g_new0 (float, C * C);
  CHECK (ns_style_balance_log_rho (Z, Gs, C) < -13.0, "black content: rho -> 0");
  CHECK (ns_style_balance_log_rho (Gc, Z, C) > 13.0, "black style: rho -> inf");

  double rho[3] = { 0.2, 0.9, 1.7 }, w[3] = { 0.5, 0.3, 0.2 }, lr[3];
  for (int k = 0; k < 3; k++)
    lr[k] = log (rho[k]);
  CHECK_CLOSE (ns_style_balance_factor (lr, w, 3), factor_by_pow (rho, w, 3), 1e-12, 0,
               "factor");
  double med[1] = { -0.5 }, one[1] = { 1.0 };
  CHECK_CLOSE (ns_style_balance_factor (med, one, 1), 1.0, 1e-15, 0, "rho_ref: factor 1");
  double far[1] = { -20.0 }, near[1] = { 20.0 };
  CHECK (ns_style_balance_factor (far, one, 1) == 2.0, "clamped at 2");
  CHECK (ns_style_balance_factor (near, one, 1) == 0.5, "clamped at 1/2");
  g_free (Z);
  g_free (Gc);
  g_free (Gs);
  g_free (Fc);
  g_free (Fs);
  g_rand_free (r);
}

/* f_s from features read off our own network (Grams in double). */
static double
factor_here (NsModel *model, const float *c, int W, int H, const float *s, int sw, int sh)
{
  char **names = g_strsplit (ns_model_default_style_layers (model), ",", -1);
  int n = (int) g_strv_length (names);
  GError *err = NULL;
  NsNetwork *net = ns_network_new (model, NS_POOLING_MAX, (const char *const *) names, n, &err);
  CHECK (net != NULL, "network: %s", err ? err->message : "");
  double *e2[2] = { g_new0 (double, n), g_new0 (double, n) };
  const float *img[2] = { c, s };
  int iw[2] = { W, sw }, ih[2] = { H, sh };
  for (int m = 0; m < 2 && net; m++)
    {
      CHECK (ns_network_prepare (net, ih[m], iw[m], &err), "prepare");
      ns_network_forward (net, img[m]);
      for (int k = 0; k < n; k++)
        {
          int C, h, w;
          const float *F = ns_network_tap (net, k, &C, &h, &w);
          double *Fd = g_new (double, (size_t) C * h * w);
          for (size_t i = 0; i < (size_t) C * h * w; i++)
            Fd[i] = F[i];
          float *G = gram_of (Fd, C, h * w);
          for (size_t i = 0; i < (size_t) C * C; i++)
            e2[m][k] += (double) G[i] * G[i];
          g_free (G);
          g_free (Fd);
        }
    }
  double rho[16], w[16];
  for (int k = 0; k < n; k++)
    {
      rho[k] = sqrt (e2[0][k] / e2[1][k]);
      w[k] = 1.0 / n;                      /* style-layer-weight-exp 1 */
    }
  double f = factor_by_pow (rho, w, n);
  g_clear_error (&err);
  ns_network_free (net);
  g_free (e2[0]);
  g_free (e2[1]);
  g_strfreev (names);
  return f;
}

static NsLossTerms
terms_at_content (NsModel *model, NsStyleBalance mode, const float *c, int W, int H,
                  const float *const *s, const int *sw, const int *sh, const double *beta,
                  int n_styles)
{
  NsParams p;
  ns_params_init (&p);
  p.threads = 2;
  p.style_balance = mode;
  GError *err = NULL;
  NsObjective *obj = ns_objective_new (model, &p, &err);
  gboolean ok = obj && ns_objective_set_content (obj, c, W, H, &err);
  for (int i = 0; ok && i < n_styles; i++)
    ok = ns_objective_add_style (obj, s[i], sw[i], sh[i], beta[i], &err);
  ok = ok && ns_objective_ready (obj, &err);
  CHECK (ok, "objective: %s", err ? err->message : "");
  g_clear_error (&err);
  NsLossTerms t = { 0, 0, 0, 0 };
  if (ok)
    {
      float *g = g_new (float, (size_t) 3 * W * H);
      ns_objective_eval (c, g, obj);
      t = ns_objective_last_terms (obj);
      g_free (g);
    }
  ns_objective_free (obj);
  return t;
}

static void
check_objective (NsModel *model)
{
  const int W = 61, H = 47, sw[2] = { 53, 40 }, sh[2] = { 41, 52 };
  float *c = g_new (float, 3 * W * H);
  test_fill_random (c, (size_t) 3 * W * H, 11, 0.3f, 0.6f);      /* a flat photo */
  float *s0 = g_new (float, 3 * sw[0] * sh[0]), *s1 = g_new (float, 3 * sw[1] * sh[1]);
  test_fill_random (s0, (size_t) 3 * sw[0] * sh[0], 12, 0.0f, 1.0f);   /* strong */
  test_fill_random (s1, (size_t) 3 * sw[1] * sh[1], 13, 0.4f, 0.5f);   /* weak */
  const float *s[2] = { s0, s1 };
  double f[2] = { factor_here (model, c, W, H, s0, sw[0], sh[0]),
                  factor_here (model, c, W, H, s1, sw[1], sh[1]) };
  CHECK (f[0] > 1.0 && f[1] < 1.0, "strong style up, weak style down: %g %g", f[0], f[1]);
  for (int i = 0; i < 2; i++)
    {
      double one = 1.0;
      NsLossTerms off = terms_at_content (model, NS_STYLE_BALANCE_OFF, c, W, H, &s[i], &sw[i],
                                          &sh[i], &one, 1);
      NsLossTerms on = terms_at_content (model, NS_STYLE_BALANCE_AUTO, c, W, H, &s[i], &sw[i],
                                         &sh[i], &one, 1);
      CHECK_CLOSE (on.style / off.style, f[i], 1e-5, 0, "style term auto/off = f_s");
      CHECK (on.content == off.content, "content term unchanged");
    }
  /* two styles, blend weights 0.7 / 0.3 */
  double beta[2] = { 0.7, 0.3 };
  NsLossTerms off = terms_at_content (model, NS_STYLE_BALANCE_OFF, c, W, H, s, sw, sh, beta, 2);
  NsLossTerms on = terms_at_content (model, NS_STYLE_BALANCE_AUTO, c, W, H, s, sw, sh, beta, 2);
  double one = 1.0;
  NsLossTerms t0 = terms_at_content (model, NS_STYLE_BALANCE_OFF, c, W, H, &s[0], &sw[0], &sh[0],
                                     &one, 1);
  NsLossTerms t1 = terms_at_content (model, NS_STYLE_BALANCE_OFF, c, W, H, &s[1], &sw[1], &sh[1],
                                     &one, 1);
  CHECK_CLOSE (off.style, 0.7 * t0.style + 0.3 * t1.style, 1e-6, 0, "off: blend of the two");
  CHECK_CLOSE (on.style, 0.7 * f[0] * t0.style + 0.3 * f[1] * t1.style, 1e-5, 0,
               "auto: each style's term times its f_s");
  g_free (c);
  g_free (s0);
  g_free (s1);
}

int
main (void)
{
  test_begin ("style_balance");
  check_formula ();
  NsModel *model = test_random_model ("squeezenet1_1", 71);
  if (model)
    check_objective (model);
  ns_model_free (model);
  return test_finish ();
}
