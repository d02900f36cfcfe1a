/* test_regions.c — spatial and colour control (issue 14; Gatys et al.,
 * "Controlling Perceptual Factors in Neural Style Transfer", CVPR 2017).
 *
 * A seeded random SqueezeNet 1.1 (ns-make-random-model).  Checks:
 *  - the cell rule (masks.c) against a brute-force loop over pixels,
 *  - the objective with two styles under complementary soft masks and a
 *    content strength map equals a plain double-precision computation here
 *    (features from the same network, Grams and sums in double),
 *  - a mask ≡ 1 gives the unmasked objective; an all-zero mask drops its
 *    style's term,
 *  - the gradient (masks, content map; also luminance-only, x = Y) matches
 *    central differences along the gradient, on the whole image and on the
 *    first style's region alone, at a size the network pads,
 *  - colour transfer: meancov gives the content's mean and covariance;
 *    through the job (iteration 0), each mode's terms equal the plain
 *    computation with the style recoloured here by an independent method
 *    (Denman–Beavers iteration for the matrix roots; Y matched by hand).
 */
#include "test_util.h"
#include "test_random_model.h"
#include "objective.h"
#include "masks.h"
#include "color_transfer.h"
#include "image_ops.h"


static NsModel *model;

/* ---- images and masks -------------------------------------------------- */

static float *
random_image (int w, int h, guint32 seed)
{
  float *x = g_new (float, (size_t) 3 * w * h);
  test_fill_random (x, (size_t) 3 * w * h, seed, 0.05f, 0.95f);
  return x;
}

/* Soft left/right split: m = smoothstep over the middle third. */
static float *
split_mask (int w, int h, gboolean invert)
{
  float *m = g_new (float, (size_t) w * h);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        double t = CLAMP ((x - w / 3.0) / (w / 3.0), 0.0, 1.0);
        double v = 1.0 - t * t * (3 - 2 * t);
        m[(size_t) y * w + x] = (float) (invert ? 1.0 - v : v);
      }
  return m;
}

/* A soft disc (the "subject" to protect). */
static float *
disc_mask (int w, int h)
{
  float *m = g_new (float, (size_t) w * h);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        double r = hypot (x - 0.6 * w, y - 0.5 * h) / (0.25 * MIN (w, h));
        m[(size_t) y * w + x] = (float) CLAMP (1.5 - r, 0.0, 1.0);
      }
  return m;
}

static float *
const_mask (int w, int h, float v)
{
  float *m = g_new (float, (size_t) w * h);
  for (size_t i = 0; i < (size_t) w * h; i++)
    m[i] = v;
  return m;
}

/* The cell rule by brute force: every pixel tested against every cell. */
static void
cells_ref (const float *m, int W, int H, double *ml, int Wl, int Hl)
{
  for (int i = 0; i < Hl; i++)
    for (int j = 0; j < Wl; j++)
      {
        double s = 0;
        int n = 0;
        for (int y = 0; y < H; y++)
          for (int x = 0; x < W; x++)
            if ((y * Hl) / H == i && (x * Wl) / W == j)
              s += m[(size_t) y * W + x], n++;
        ml[(size_t) i * Wl + j] = n ? s / n : m[(size_t) (i * H / Hl) * W + j * W / Wl];
      }
}

static void
test_cells (void)
{
  const int sizes[][4] = { { 67, 51, 33, 25 }, { 67, 51, 8, 6 }, { 10, 7, 10, 7 },
                           { 9, 5, 13, 8 } /* more cells than pixels */ };
  for (int t = 0; t < 4; t++)
    {
      int W = sizes[t][0], H = sizes[t][1], Wl = sizes[t][2], Hl = sizes[t][3];
      float *m = g_new (float, (size_t) W * H), *ml = g_new (float, (size_t) Wl * Hl);
      double *ref = g_new (double, (size_t) Wl * Hl), e = 0;
      test_fill_random (m, (size_t) W * H, 5 + t, 0, 1);
      ns_mask_cells (m, W, H, ml, Wl, Hl);
      cells_ref (m, W, H, ref, Wl, Hl);
      for (size_t i = 0; i < (size_t) Wl * Hl; i++)
        e = MAX (e, fabs (ml[i] - ref[i]));
      CHECK (e < 1e-6, "cells %dx%d -> %dx%d: max err %.3g", W, H, Wl, Hl, e);
      g_free (m); g_free (ml); g_free (ref);
    }
}

/* ---- the plain computation ------------------------------------------- */

typedef struct
{
  int          W, H;
  const float *content, *x;        /* planar (Y, Y, Y) where luminance */
  int          n_styles;
  const float *style[2];
  int          sw[2], sh[2];
  double       beta[2];
  const float *mask[2];            /* W x H or NULL */
  const float *cmask;              /* W x H or NULL */
  double       strength;
} Case;

/* Feature maps of img at w x h for taps[0..n) (copies, double). */
static double **
features (NsNetwork *net, int n, const float *img, int w, int h, int *C, int *N)
{
  GError *err = NULL;
  CHECK (ns_network_prepare (net, h, w, &err), "prepare %dx%d: %s", w, h,
         err ? err->message : "");
  g_clear_error (&err);
  ns_network_forward (net, img);
  double **F = g_new (double *, n);
  for (int t = 0; t < n; t++)
    {
      int hh, ww;
      const float *f = ns_network_tap (net, t, &C[t], &hh, &ww);
      N[t] = hh * ww;
      F[t] = g_new (double, (size_t) C[t] * N[t]);
      for (size_t i = 0; i < (size_t) C[t] * N[t]; i++)
        F[t][i] = f[i];
    }
  return F;
}

static void
free_features (double **F, int n)
{
  for (int t = 0; t < n; t++)
    g_free (F[t]);
  g_free (F);
}

/* Σ_p m(p)² F(p) F(p)ᵀ / Σ_p m(p)²  (m NULL: ≡ 1); returns Σ m². */
static double
guided_gram (const double *F, int C, int N, const double *m, double *G)
{
  double M = 0;
  for (int p = 0; p < N; p++)
    M += m ? m[p] * m[p] : 1.0;
  for (int a = 0; a < C; a++)
    for (int b = 0; b < C; b++)
      {
        double s = 0;
        for (int p = 0; p < N; p++)
          s += (m ? m[p] * m[p] : 1.0) * F[(size_t) a * N + p] * F[(size_t) b * N + p];
        G[(size_t) a * C + b] = M > 0 ? s / M : 0;
      }
  return M;
}

/* α L_c and β L_s of the objective for case k. */
static void
plain_terms (const NsParams *p, const Case *k, double *content, double *style)
{
  char **cn = ns_parse_layer_list (ns_model_default_content_layers (model));
  char **sn = ns_parse_layer_list (ns_model_default_style_layers (model));
  int nc = g_strv_length (cn), ns = g_strv_length (sn), n = nc + ns;
  const char **taps = g_new (const char *, n);
  for (int i = 0; i < nc; i++)
    taps[i] = cn[i];
  for (int i = 0; i < ns; i++)
    taps[nc + i] = sn[i];
  GError *err = NULL;
  NsNetwork *net = ns_network_new (model, p->pooling, taps, n, &err);
  CHECK (net != NULL, "reference network: %s", err ? err->message : "");
  int C[16], N[16], Cs[16], Ns[2][16], hh, ww;
  double **P = features (net, n, k->content, k->W, k->H, C, N);
  double **S[2];
  for (int s = 0; s < k->n_styles; s++)
    S[s] = features (net, n, k->style[s], k->sw[s], k->sh[s], Cs, Ns[s]);
  double **F = features (net, n, k->x, k->W, k->H, C, N);

  *content = 0;
  for (int i = 0; i < nc; i++)
    {
      double b = i == 0 ? p->content_weight_blend : 1 - p->content_weight_blend;
      if (b <= 0)
        continue;
      ns_network_tap_shape (net, i, NULL, &hh, &ww);
      double *cw = g_new (double, N[i]);
      if (k->cmask)
        cells_ref (k->cmask, k->W, k->H, cw, ww, hh);
      double s = 0, q = 0;
      for (int c = 0; c < C[i]; c++)
        for (int q2 = 0; q2 < N[i]; q2++)
          {
            size_t e = (size_t) c * N[i] + q2;
            double cp = k->cmask ? 1 + (k->strength - 1) * cw[q2] : 1;
            s += cp * (F[i][e] - P[i][e]) * (F[i][e] - P[i][e]);
            q += P[i][e] * P[i][e];
          }
      double n_el = (double) C[i] * N[i];
      *content += p->content_weight * b * (s / n_el) / (q / n_el + 1e-8);
      g_free (cw);
    }

  double wsum = 0, bsum = 0;
  for (int j = 0; j < ns; j++)
    wsum += pow (p->style_layer_weight_exp, j);
  for (int s = 0; s < k->n_styles; s++)
    bsum += k->beta[s];
  *style = 0;
  for (int j = 0; j < ns; j++)
    {
      int t = nc + j, c = C[t];
      ns_network_tap_shape (net, t, NULL, &hh, &ww);
      double *G = g_new (double, (size_t) c * c), *A = g_new (double, (size_t) c * c);
      double *ml = g_new (double, N[t]);
      for (int s = 0; s < k->n_styles; s++)
        {
          if (k->mask[s])
            cells_ref (k->mask[s], k->W, k->H, ml, ww, hh);
          double M = guided_gram (F[t], c, N[t], k->mask[s] ? ml : NULL, G);
          guided_gram (S[s][t], c, Ns[s][t], NULL, A);
          if (M < 1e-12)
            continue;              /* left out */
          double d = 0, a = 0;
          for (size_t e = 0; e < (size_t) c * c; e++)
            {
              d += (G[e] - A[e]) * (G[e] - A[e]);
              a += A[e] * A[e];
            }
          *style += p->style_weight * pow (p->style_layer_weight_exp, j) / wsum
            * k->beta[s] / bsum * d / (a + 1e-8);
        }
      g_free (G); g_free (A); g_free (ml);
    }
  free_features (P, n);
  free_features (F, n);
  for (int s = 0; s < k->n_styles; s++)
    free_features (S[s], n);
  ns_network_free (net);
  g_free (taps);
  g_strfreev (cn);
  g_strfreev (sn);
  g_clear_error (&err);
}

/* TV of planes [planes][H][W] / (planes·H·W), in double. */
static double
plain_tv (const float *x, int planes, int W, int H, double weight)
{
  double s = 0;
  for (int c = 0; c < planes; c++)
    for (int y = 0; y < H; y++)
      for (int q = 0; q < W; q++)
        {
          const float *v = x + ((size_t) c * H + y) * W + q;
          if (y + 1 < H) s += (double) (v[W] - v[0]) * (v[W] - v[0]);
          if (q + 1 < W) s += (double) (v[1] - v[0]) * (v[1] - v[0]);
        }
  return weight * s / ((double) planes * H * W);
}

/* ---- the objective ---------------------------------------------------- */

static void
base_params (NsParams *p)
{
  ns_params_init (p);
  p->threads = 2;
  p->style_balance = NS_STYLE_BALANCE_OFF;   /* the plain terms below weigh β_s as given */
}

static NsObjective *
objective_for (const NsParams *p, const Case *k)
{
  GError *err = NULL;
  NsObjective *obj = ns_objective_new (model, p, &err);
  gboolean ok = obj && ns_objective_set_content (obj, k->content, k->W, k->H, &err)
    && ns_objective_set_content_map (obj, k->cmask, k->strength, &err);
  for (int s = 0; ok && s < k->n_styles; s++)
    ok = ns_objective_add_style_masked (obj, k->style[s], k->sw[s], k->sh[s], k->beta[s],
                                        k->mask[s], &err);
  ok = ok && ns_objective_ready (obj, &err);
  CHECK (ok, "objective: %s", err ? err->message : "");
  g_clear_error (&err);
  if (!ok)
    {
      ns_objective_free (obj);
      return NULL;
    }
  return obj;
}

static NsLossTerms
eval_terms (NsObjective *obj, const float *x, size_t n)
{
  float *g = g_new (float, n);
  ns_objective_eval (x, g, obj);
  g_free (g);
  return ns_objective_last_terms (obj);
}

/* A size the network sees unpadded. */
static void
unpadded_size (const NsParams *p, int *W, int *H)
{
  NsObjective *obj = ns_objective_new_plan (model, p, NULL);
  for (*H = 51; *H < 80; (*H)++)
    for (*W = 67; *W < 100; (*W)++)
      {
        int pw, ph;
        ns_objective_edge_pad (obj, *W, *H, &pw, &ph);
        if (pw == 0 && ph == 0)
          {
            ns_objective_free (obj);
            return;
          }
      }
  ns_objective_free (obj);
}

static void
test_objective_parity (void)
{
  NsParams p;
  base_params (&p);
  p.content_weight_blend = 0.7;      /* both content layers */
  p.style_layer_weight_exp = 1.5;
  int W, H;
  unpadded_size (&p, &W, &H);
  float *c = random_image (W, H, 1), *x = random_image (W, H, 4);
  float *s1 = random_image (W + 7, H - 5, 2), *s2 = random_image (W - 6, H + 9, 3);
  float *m1 = split_mask (W, H, FALSE), *m2 = split_mask (W, H, TRUE), *cm = disc_mask (W, H);
  Case k = { W, H, c, x, 2, { s1, s2 }, { W + 7, W - 6 }, { H - 5, H + 9 }, { 0.6, 0.4 },
             { m1, m2 }, cm, 10.0 };
  NsObjective *obj = objective_for (&p, &k);
  const size_t n = (size_t) 3 * W * H;
  if (obj)
    {
      NsLossTerms t = eval_terms (obj, x, n);
      double rc, rs;
      plain_terms (&p, &k, &rc, &rs);
      printf ("masked objective at %dx%d: content %.9g (plain %.9g), style %.9g (plain %.9g)\n",
              W, H, t.content, rc, t.style, rs);
      CHECK_CLOSE (t.content, rc, 1e-4, 0, "content with strength map");
      CHECK_CLOSE (t.style, rs, 1e-4, 0, "style, two masked styles");
      CHECK_CLOSE (t.tv, plain_tv (x, 3, W, H, p.tv_weight), 1e-6, 0, "tv");
      CHECK (rs > 0 && rc > 0, "terms non-zero");
      ns_objective_free (obj);
    }

  /* the map and the masks matter: without them the terms differ */
  Case plain = k;
  plain.mask[0] = plain.mask[1] = NULL;
  plain.cmask = NULL;
  NsObjective *po = objective_for (&p, &plain);
  Case ones = plain;
  float *one = const_mask (W, H, 1.0f), *zero = const_mask (W, H, 0.0f);
  ones.mask[0] = ones.mask[1] = one;
  ones.cmask = zero;                   /* c ≡ 1 */
  NsObjective *oo = objective_for (&p, &ones);
  if (po && oo)
    {
      NsLossTerms a = eval_terms (po, x, n), b = eval_terms (oo, x, n);
      CHECK_CLOSE (b.style, a.style, 1e-5, 0, "mask = 1 is the plain style term");
      CHECK_CLOSE (b.content, a.content, 1e-6, 0, "c = 1 is the plain content term");
      double rc, rs;
      plain_terms (&p, &plain, &rc, &rs);
      CHECK_CLOSE (a.style, rs, 1e-4, 0, "plain style vs the computation here");
      CHECK_CLOSE (a.content, rc, 1e-4, 0, "plain content vs the computation here");
      obj = objective_for (&p, &k);
      if (obj)
        {
          NsLossTerms m = eval_terms (obj, x, n);
          CHECK (fabs (m.style - a.style) > 1e-3 * a.style
                 && fabs (m.content - a.content) > 1e-3 * a.content,
                 "masks change the terms: style %g vs %g, content %g vs %g",
                 m.style, a.style, m.content, a.content);
          ns_objective_free (obj);
        }
    }
  ns_objective_free (po);
  ns_objective_free (oo);

  /* an all-zero mask leaves its style out (β still normalised over both) */
  Case drop = k;
  drop.mask[1] = zero;
  drop.cmask = NULL;
  if ((obj = objective_for (&p, &drop)))
    {
      NsLossTerms t = eval_terms (obj, x, n);
      double rc, rs;
      plain_terms (&p, &drop, &rc, &rs);
      CHECK_CLOSE (t.style, rs, 1e-4, 0, "zero mask: only the first style's term");
      ns_objective_free (obj);
    }
  g_free (c); g_free (x); g_free (s1); g_free (s2);
  g_free (m1); g_free (m2); g_free (cm); g_free (one); g_free (zero);
}

/* Central differences along v = g·r / max|g·r| (r: 1 on the region, 0
 * elsewhere) against g·v; the best of three steps within 1%. */
static void
check_fd (NsObjective *obj, const float *x0, size_t n, const float *region, size_t plane,
          const char *what)
{
  float *x = g_new (float, n), *g = g_new (float, n), *gt = g_new (float, n);
  float *v = g_new0 (float, n);
  double f0 = ns_objective_eval (x0, g, obj), vmax = 0, gv = 0, best = G_MAXDOUBLE, best_fd = 0;
  for (size_t i = 0; i < n; i++)
    v[i] = region ? (region[i % plane] > 0.5f ? g[i] : 0.0f) : g[i];
  for (size_t i = 0; i < n; i++)
    vmax = MAX (vmax, fabs (v[i]));
  for (size_t i = 0; i < n; i++)
    gv += (double) g[i] * v[i] / vmax;
  for (double eps = 1e-2; eps > 5e-5; eps /= 10)
    {
      for (size_t i = 0; i < n; i++)
        x[i] = x0[i] + (float) (eps * v[i] / vmax);
      double fp = ns_objective_eval (x, gt, obj);
      for (size_t i = 0; i < n; i++)
        x[i] = x0[i] - (float) (eps * v[i] / vmax);
      double fm = ns_objective_eval (x, gt, obj);
      double fd = (fp - fm) / (2 * eps);
      if (fabs (fd - gv) < best)
        best = fabs (fd - gv), best_fd = fd;
    }
  printf ("%s: f %.6g, g.v %.9g, central difference %.9g\n", what, f0, gv, best_fd);
  CHECK (isfinite (f0) && gv > 0, "%s: f0 %g, g.v %g", what, f0, gv);
  CHECK_CLOSE (best_fd, gv, 0.01, 0.0, what);
  g_free (x); g_free (g); g_free (gt); g_free (v);
}

static void
test_gradient (gboolean luma)
{
  NsParams p;
  base_params (&p);
  p.content_weight_blend = 0.7;
  p.color_transfer = luma ? NS_COLOR_TRANSFER_LUMINANCE : NS_COLOR_TRANSFER_NONE;
  const int W = 64, H = 48;            /* even sides: SqueezeNet pads both axes */
  NsObjective *plan = ns_objective_new_plan (model, &p, NULL);
  int pw, ph;
  ns_objective_edge_pad (plan, W, H, &pw, &ph);
  ns_objective_free (plan);
  CHECK (pw > 0 && ph > 0, "64x48 is padded (%d, %d)", pw, ph);
  float *c = random_image (W, H, 11), *s1 = random_image (W + 3, H - 2, 12);
  float *s2 = random_image (W - 5, H + 4, 13), *x = random_image (W, H, 14);
  float *m1 = split_mask (W, H, FALSE), *m2 = split_mask (W, H, TRUE), *cm = disc_mask (W, H);
  const size_t plane = (size_t) W * H;
  Case k = { W, H, c, x, 2, { s1, s2 }, { W + 3, W - 5 }, { H - 2, H + 4 }, { 0.5, 0.5 },
             { m1, m2 }, cm, 10.0 };
  NsObjective *obj = objective_for (&p, &k);
  if (obj)
    {
      CHECK (ns_objective_luminance (obj) == luma, "luminance objective");
      const size_t n = (luma ? 1 : 3) * plane;
      check_fd (obj, x, n, NULL, plane, luma ? "FD, luminance, masks + map" : "FD, masks + map");
      check_fd (obj, x, n, m1, plane,
                luma ? "FD, luminance, first style's region" : "FD, first style's region");
      /* banded mode (large images): the gradient arrives band by band */
      float *g0 = g_new (float, n), *g1 = g_new (float, n);
      double f0 = ns_objective_eval (x, g0, obj), f1 = 0;
      GError *err = NULL;
      NsNetwork *net = ns_objective_network (obj);
      gboolean banded = ns_network_set_banding (net, 8, &err) && ns_network_banded (net);
      CHECK (banded, "banded mode: %s", err ? err->message : "not banded");
      g_clear_error (&err);
      if (banded)
        {
          f1 = ns_objective_eval (x, g1, obj);
          double e = test_rel_err (g1, g0, n);
          CHECK (fabs (f1 - f0) <= 1e-5 * fabs (f0) && e <= 1e-4,
                 "banded: loss %.9g vs %.9g, gradient rel. err %.3g", f1, f0, e);
        }
      ns_network_set_banding (net, -1, NULL);
      g_free (g0);
      g_free (g1);
      ns_objective_free (obj);
    }
  g_free (c); g_free (s1); g_free (s2); g_free (x); g_free (m1); g_free (m2); g_free (cm);
}

/* ---- colour transfer -------------------------------------------------- */

static void
mean_cov (const float *img, size_t n, double mu[3], double S[9])
{
  for (int a = 0; a < 3; a++)
    {
      mu[a] = 0;
      for (size_t q = 0; q < n; q++)
        mu[a] += img[a * n + q] / (double) n;
    }
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++)
      {
        double s = 0;
        for (size_t q = 0; q < n; q++)
          s += (img[a * n + q] - mu[a]) * (img[b * n + q] - mu[b]);
        S[a * 3 + b] = s / n;
      }
}

static void
inv3 (const double *A, double *R)
{
  double d = A[0] * (A[4] * A[8] - A[5] * A[7]) - A[1] * (A[3] * A[8] - A[5] * A[6])
    + A[2] * (A[3] * A[7] - A[4] * A[6]);
  R[0] = (A[4] * A[8] - A[5] * A[7]) / d; R[1] = (A[2] * A[7] - A[1] * A[8]) / d;
  R[2] = (A[1] * A[5] - A[2] * A[4]) / d; R[3] = (A[5] * A[6] - A[3] * A[8]) / d;
  R[4] = (A[0] * A[8] - A[2] * A[6]) / d; R[5] = (A[2] * A[3] - A[0] * A[5]) / d;
  R[6] = (A[3] * A[7] - A[4] * A[6]) / d; R[7] = (A[1] * A[6] - A[0] * A[7]) / d;
  R[8] = (A[0] * A[4] - A[1] * A[3]) / d;
}

/* Denman–Beavers: Y → S^{1/2}, Z → S^{-1/2} (S symmetric positive definite). */
static void
sqrt_pair (const double *S, double *Y, double *Z)
{
  double Yi[9], Zi[9];
  memcpy (Y, S, 9 * sizeof (double));
  for (int i = 0; i < 9; i++)
    Z[i] = i % 4 == 0;
  for (int it = 0; it < 60; it++)
    {
      inv3 (Y, Yi);
      inv3 (Z, Zi);
      for (int i = 0; i < 9; i++)
        {
          Y[i] = 0.5 * (Y[i] + Zi[i]);
          Z[i] = 0.5 * (Z[i] + Yi[i]);
        }
    }
}

/* The style recoloured by the meancov rule, computed here. */
static void
meancov_ref (float *s, size_t ns, const float *c, size_t nc)
{
  double ms[3], mc[3], Ss[9], Sc[9], Yc[9], Zc[9], Ys[9], Zs[9], A[9];
  mean_cov (s, ns, ms, Ss);
  mean_cov (c, nc, mc, Sc);
  sqrt_pair (Sc, Yc, Zc);
  sqrt_pair (Ss, Ys, Zs);
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      A[i * 3 + j] = Yc[i * 3] * Zs[j] + Yc[i * 3 + 1] * Zs[3 + j] + Yc[i * 3 + 2] * Zs[6 + j];
  for (size_t q = 0; q < ns; q++)
    {
      double d[3] = { s[q] - ms[0], s[ns + q] - ms[1], s[2 * ns + q] - ms[2] };
      for (int i = 0; i < 3; i++)
        s[i * ns + q] = (float) CLAMP (A[i * 3] * d[0] + A[i * 3 + 1] * d[1]
                                       + A[i * 3 + 2] * d[2] + mc[i], 0.0, 1.0);
    }
}

static void
gray3_ref (float *img, size_t n)
{
  for (size_t q = 0; q < n; q++)
    img[q] = img[n + q] = img[2 * n + q]
      = (float) (0.299 * img[q] + 0.587 * img[n + q] + 0.114 * img[2 * n + q]);
}

/* Y of the style (gray3) matched to the content's Y. */
static void
luminance_ref (float *s, size_t ns, const float *cy, size_t nc)
{
  gray3_ref (s, ns);
  double mc = 0, vc = 0, ms = 0, vs = 0;
  for (size_t q = 0; q < nc; q++) mc += cy[q] / (double) nc;
  for (size_t q = 0; q < nc; q++) vc += (cy[q] - mc) * (cy[q] - mc) / nc;
  for (size_t q = 0; q < ns; q++) ms += s[q] / (double) ns;
  for (size_t q = 0; q < ns; q++) vs += (s[q] - ms) * (s[q] - ms) / ns;
  for (size_t q = 0; q < ns; q++)
    s[q] = s[ns + q] = s[2 * ns + q]
      = (float) (sqrt (vs) < 1e-8 ? mc : sqrt (vc) / sqrt (vs) * (s[q] - ms) + mc);
}

static void
test_meancov_moments (void)
{
  /* a style with tinted, correlated colours; content another palette */
  const size_t ns = 4000, nc = 3000;
  float *s = g_new (float, 3 * ns), *c = g_new (float, 3 * nc);
  GRand *r = g_rand_new_with_seed (21);
  for (size_t q = 0; q < ns; q++)
    {
      double a = g_rand_double (r), b = g_rand_double (r), d = g_rand_double (r);
      s[q] = (float) (0.3 + 0.2 * a); s[ns + q] = (float) (0.35 + 0.1 * a + 0.05 * d);
      s[2 * ns + q] = (float) (0.4 + 0.1 * b);
    }
  for (size_t q = 0; q < nc; q++)
    {
      double a = g_rand_double (r), b = g_rand_double (r), d = g_rand_double (r);
      c[q] = (float) (0.5 + 0.1 * a); c[nc + q] = (float) (0.4 + 0.05 * b + 0.05 * a);
      c[2 * nc + q] = (float) (0.3 + 0.08 * d);
    }
  g_rand_free (r);
  ns_color_meancov (s, ns, c, nc);
  double m1[3], m2[3], S1[9], S2[9], e = 0;
  mean_cov (s, ns, m1, S1);
  mean_cov (c, nc, m2, S2);
  for (int i = 0; i < 3; i++)
    e = MAX (e, fabs (m1[i] - m2[i]));
  for (int i = 0; i < 9; i++)
    e = MAX (e, fabs (S1[i] - S2[i]) / 1e-3);   /* covariances are ~1e-3 */
  CHECK (e < 1e-3, "meancov: the style takes the content's mean and covariance (err %.3g)", e);
  g_free (s); g_free (c);
}

static NsImage *
interleaved (const float *planar, int w, int h)
{
  NsImage *img = ns_image_new (w, h);
  ns_planar_to_interleaved (planar, w, h, img->data);
  return img;
}

static NsImage *
mask_image (const float *m, int w, int h)
{
  NsImage *img = ns_image_new (w, h);
  for (size_t i = 0; i < (size_t) w * h; i++)
    img->data[3 * i] = img->data[3 * i + 1] = img->data[3 * i + 2] = m[i];
  return img;
}

/* Iteration 0 of a job (two masked styles, a content map, x0 = an init
 * image) under each colour mode against the plain computation with the
 * styles recoloured here. */
static void
test_job_modes (void)
{
  NsParams p;
  base_params (&p);
  int W, H;
  unpadded_size (&p, &W, &H);
  p.size = MAX (W, H);
  p.multires = 1;
  p.iterations = 0;
  p.init = NS_INIT_IMAGE;
  p.initial_noiseblend = 0;
  const size_t plane = (size_t) W * H;
  /* styles as long as the working image: the job does not resample them */
  const int sw[2] = { W, W }, sh[2] = { H - 9, H };
  float *c = random_image (W, H, 31), *x = random_image (W, H, 32);
  float *s[2] = { random_image (sw[0], sh[0], 33), random_image (sw[1], sh[1], 34) };
  for (size_t q = 0; q < (size_t) sw[0] * sh[0]; q++)      /* a tint to move */
    s[0][q] = 0.8f * s[0][q] + 0.2f;
  float *m1 = split_mask (W, H, FALSE), *m2 = split_mask (W, H, TRUE), *cm = disc_mask (W, H);
  NsImage *ci = interleaved (c, W, H), *xi = interleaved (x, W, H);
  NsImage *si[2] = { interleaved (s[0], sw[0], sh[0]), interleaved (s[1], sw[1], sh[1]) };
  NsImage *mi[2] = { mask_image (m1, W, H), mask_image (m2, W, H) }, *cmi = mask_image (cm, W, H);

  for (int mode = 0; mode < NS_COLOR_TRANSFER_COUNT; mode++)
    {
      p.color_transfer = (NsColorTransfer) mode;
      GError *err = NULL;
      NsJob *job = ns_job_new (model, ci, &p, &err);
      gboolean ok = job && ns_job_add_style_masked (job, si[0], 0.6, 1.0, mi[0], &err)
        && ns_job_add_style_masked (job, si[1], 0.4, 1.0, mi[1], &err)
        && ns_job_set_content_mask (job, cmi, 10.0, &err);
      if (job)
        ns_job_set_init_image (job, xi);
      NsImage *out = ok ? ns_job_run (job, &err) : NULL;
      CHECK (out != NULL, "job (%s): %s", ns_color_transfer_name (mode), err ? err->message : "");
      g_clear_error (&err);
      int nrec = 0;
      const NsIterationRecord *rec = job ? ns_job_get_history (job, &nrec) : NULL;
      if (out && nrec == 1)
        {
          float *cc = g_memdup2 (c, 3 * plane * sizeof (float));
          float *xx = g_memdup2 (x, 3 * plane * sizeof (float));
          float *ss[2];
          for (int k = 0; k < 2; k++)
            ss[k] = g_memdup2 (s[k], (size_t) 3 * sw[k] * sh[k] * sizeof (float));
          if (mode == NS_COLOR_TRANSFER_MEANCOV)
            for (int k = 0; k < 2; k++)
              meancov_ref (ss[k], (size_t) sw[k] * sh[k], c, plane);
          if (mode == NS_COLOR_TRANSFER_LUMINANCE)
            {
              gray3_ref (cc, plane);
              gray3_ref (xx, plane);
              for (int k = 0; k < 2; k++)
                luminance_ref (ss[k], (size_t) sw[k] * sh[k], cc, plane);
            }
          Case k = { W, H, cc, xx, 2, { ss[0], ss[1] }, { sw[0], sw[1] }, { sh[0], sh[1] },
                     { 0.6, 0.4 }, { m1, m2 }, cm, 10.0 };
          double rc, rs;
          plain_terms (&p, &k, &rc, &rs);
          double rt = mode == NS_COLOR_TRANSFER_LUMINANCE ? plain_tv (xx, 1, W, H, p.tv_weight)
            : plain_tv (xx, 3, W, H, p.tv_weight);
          printf ("job iteration 0, %-9s: content %.9g (plain %.9g) style %.9g (plain %.9g) "
                  "tv %.9g (plain %.9g)\n", ns_color_transfer_name (mode), rec[0].content, rc,
                  rec[0].style, rs, rec[0].tv, rt);
          CHECK_CLOSE (rec[0].content, rc, 2e-4, 0, ns_color_transfer_name (mode));
          CHECK_CLOSE (rec[0].style, rs, 2e-4, 0, ns_color_transfer_name (mode));
          CHECK_CLOSE (rec[0].tv, rt, 1e-5, 0, ns_color_transfer_name (mode));
          if (mode == NS_COLOR_TRANSFER_LUMINANCE)
            {
              /* output: x0's Y with the content's chroma */
              float *o = g_new (float, 3 * plane), *oy = g_new (float, plane);
              float *cy = g_new (float, plane);
              ns_interleaved_to_planar (out->data, W, H, o);
              double e = 0, ec = 0;
              for (size_t q = 0; q < plane; q++)
                {
                  double y = 0.299 * o[q] + 0.587 * o[plane + q] + 0.114 * o[2 * plane + q];
                  double cb = -0.168736 * o[q] - 0.331264 * o[plane + q] + 0.5 * o[2 * plane + q];
                  double ccb = -0.168736 * c[q] - 0.331264 * c[plane + q] + 0.5 * c[2 * plane + q];
                  gboolean clipped = FALSE;
                  for (int ch = 0; ch < 3; ch++)
                    clipped |= o[ch * plane + q] <= 0.0f || o[ch * plane + q] >= 1.0f;
                  if (clipped)
                    continue;
                  e = MAX (e, fabs (y - xx[q]));
                  ec = MAX (ec, fabs (cb - ccb));
                }
              CHECK (e < 1e-5 && ec < 1e-5, "luminance output: Y of x0 (err %.3g), content "
                     "chroma (err %.3g)", e, ec);
              g_free (o); g_free (oy); g_free (cy);
            }
          g_free (cc); g_free (xx); g_free (ss[0]); g_free (ss[1]);
        }
      ns_image_free (out);
      ns_job_free (job);
    }

  /* bad input: a clear message */
  GError *err = NULL;
  NsJob *job = ns_job_new (model, ci, &p, &err);
  CHECK (!ns_job_set_content_mask (job, cmi, -1, &err) && err
         && strstr (err->message, "strength"), "negative strength refused");
  g_clear_error (&err);
  NsImage *bad = ns_image_new (4, 4);
  bad->data[5] = NAN;
  CHECK (!ns_job_add_style_masked (job, si[0], 1, 1, bad, &err) && err
         && strstr (err->message, "style mask"), "NaN mask refused: %s",
         err ? err->message : "");
  g_clear_error (&err);
  ns_image_free (bad);
  ns_job_free (job);
  p.color_transfer = (NsColorTransfer) 7;
  CHECK (!ns_job_new (model, ci, &p, &err) && err && strstr (err->message, "colour"),
         "unknown colour transfer refused");
  g_clear_error (&err);

  g_free (c); g_free (x); g_free (s[0]); g_free (s[1]); g_free (m1); g_free (m2); g_free (cm);
  ns_image_free (ci); ns_image_free (xi); ns_image_free (si[0]); ns_image_free (si[1]);
  ns_image_free (mi[0]); ns_image_free (mi[1]); ns_image_free (cmi);
}

static void
test_estimates (void)
{
  NsParams p;
  base_params (&p);
  guint64 m0 = ns_estimate_memory (model, &p, 640, 480, 2);
  guint64 m2 = ns_estimate_memory_regions (model, &p, 640, 480, 2, 2, TRUE);
  double t0 = ns_estimate_seconds (model, &p, 640, 480, 2);
  double t2 = ns_estimate_seconds_regions (model, &p, 640, 480, 2, 2);
  CHECK (ns_estimate_memory_regions (model, &p, 640, 480, 2, 0, FALSE) == m0
         && m2 > m0 + (guint64) 3 * 640 * 480 * sizeof (float), "masks counted: %" G_GUINT64_FORMAT
         " vs %" G_GUINT64_FORMAT, m2, m0);
  CHECK (t2 > t0, "masked styles cost time: %g vs %g s", t2, t0);
  printf ("estimates at 640x480, 2 styles: %.1f MiB / %.1f s; both masked + a map: %.1f MiB / "
          "%.1f s\n", m0 / 1048576.0, t0, m2 / 1048576.0, t2);
}

int
main (void)
{
  test_begin ("regions");
  model = test_random_model ("squeezenet1_1", 23);
  test_cells ();
  test_meancov_moments ();
  if (model)
    {
      test_objective_parity ();
      test_gradient (FALSE);
      test_gradient (TRUE);
      test_job_modes ();
      test_estimates ();
    }
  ns_model_free (model);
  return test_finish ();
}
