/* test_losses.c — content, Gram, style and TV losses against independent
 * double-precision reference loops, gradients against central finite
 * differences of those references (evaluated on perturbed float inputs).
 */
#include "test_util.h"

#include <omp.h>

#include "gemm_fast.h"
#include "losses.h"


/* ------------------------------------------------------------ references */

static double
ref_content (const float *F, const float *P, size_t n, double b)
{
  double pm = 0.0, d2 = 0.0;
  for (size_t i = 0; i < n; i++)
    {
      pm += (double) P[i] * P[i];
      d2 += ((double) F[i] - P[i]) * ((double) F[i] - P[i]);
    }
  return b * (d2 / n) / (pm / n + 1e-8);
}

static void
ref_gram (const float *F, int C, int N, double *G)
{
  for (int i = 0; i < C; i++)
    for (int j = 0; j < C; j++)
      {
        double s = 0.0;
        for (int k = 0; k < N; k++)
          s += (double) F[i * N + k] * F[j * N + k];
        G[i * C + j] = s / N;
      }
}

static double
ref_style (const float *F, int C, int N, float *const *A, const double *beta,
           int ns, double w)
{
  double *G = g_new (double, C * C);
  ref_gram (F, C, N, G);
  double L = 0.0;
  for (int s = 0; s < ns; s++)
    {
      double an = 0.0, d2 = 0.0;
      for (int i = 0; i < C * C; i++)
        {
          an += (double) A[s][i] * A[s][i];
          d2 += (G[i] - A[s][i]) * (G[i] - A[s][i]);
        }
      L += w * beta[s] * d2 / (an + 1e-8);
    }
  g_free (G);
  return L;
}

static double
ref_tv (const float *x, int H, int W, double w)
{
  double s = 0.0;
  for (int c = 0; c < 3; c++)
    for (int i = 0; i < H; i++)
      for (int j = 0; j < W; j++)
        {
          double v = x[(c * H + i) * W + j];
          if (i + 1 < H) s += pow (x[(c * H + i + 1) * W + j] - v, 2);
          if (j + 1 < W) s += pow (x[(c * H + i) * W + j + 1] - v, 2);
        }
  return w * s / (3.0 * H * W);
}

/* Central difference of a reference loss with respect to x[i] (float). */
typedef double (*RefFn) (float *x, void *ctx);

static double
fd (RefFn fn, float *x, size_t i, double eps, void *ctx)
{
  float orig = x[i];
  x[i] = (float) (orig + eps);
  float xp = x[i];
  double lp = fn (x, ctx);
  x[i] = (float) (orig - eps);
  float xm = x[i];
  double lm = fn (x, ctx);
  x[i] = orig;
  return (lp - lm) / ((double) xp - (double) xm);
}

typedef struct { const float *P; size_t n; double b; } ContentCtx;
static double content_fn (float *x, void *c)
{ ContentCtx *k = c; return ref_content (x, k->P, k->n, k->b); }

typedef struct { int C, N, ns; float *const *A; const double *beta; double w; } StyleCtx;
static double style_fn (float *x, void *c)
{ StyleCtx *k = c; return ref_style (x, k->C, k->N, k->A, k->beta, k->ns, k->w); }

typedef struct { int H, W; double w; } TvCtx;
static double tv_fn (float *x, void *c)
{ TvCtx *k = c; return ref_tv (x, k->H, k->W, k->w); }

static double
max_abs (const float *g, size_t n)
{
  double m = 0.0;
  for (size_t i = 0; i < n; i++)
    m = fmax (m, fabs (g[i]));
  return m;
}

/* ------------------------------------------------------------ tests */

static void
test_content (void)
{
  const size_t n = 4 * 15;           /* C=4, 3x5 map */
  float *F = g_new (float, n), *P = g_new (float, n), *g = g_new (float, n);
  test_fill_random (F, n, 1, -1.0f, 2.0f);
  test_fill_random (P, n, 2, 0.0f, 3.0f);
  const double b = 0.7;
  double pm = ns_mean_square (P, n);
  double pm_ref = 0.0;
  for (size_t i = 0; i < n; i++)
    pm_ref += (double) P[i] * P[i];
  CHECK_CLOSE (pm, pm_ref / n, 1e-12, 0, "mean square");

  for (size_t i = 0; i < n; i++)
    g[i] = 0.25f;                    /* gradient must be ADDED */
  double L = ns_content_loss (F, P, n, pm, b, g);
  CHECK_CLOSE (L, ref_content (F, P, n, b), 1e-10, 0, "content loss");
  CHECK_CLOSE (ns_content_loss (F, P, n, pm, b, NULL), L, 0, 0, "content loss without grad");

  ContentCtx ctx = { P, n, b };
  double gmax = 0.0;
  for (size_t i = 0; i < n; i++)
    gmax = fmax (gmax, fabs (g[i] - 0.25));
  for (size_t i = 0; i < n; i++)
    {
      double num = fd (content_fn, F, i, 1e-3, &ctx);
      CHECK_CLOSE (g[i] - 0.25, num, 1e-4, 1e-5 * gmax, "content grad");
    }

  /* all-zero target: the 1e-8 keeps it finite */
  for (size_t i = 0; i < n; i++)
    P[i] = 0.0f, g[i] = 0.0f;
  L = ns_content_loss (F, P, n, ns_mean_square (P, n), 1.0, g);
  CHECK (isfinite (L) && L > 0, "zero-P content loss finite (%g)", L);
  CHECK_CLOSE (L, ref_content (F, P, n, 1.0), 1e-10, 0, "zero-P content loss");
  CHECK (isfinite (max_abs (g, n)), "zero-P content grad finite");
  g_free (F); g_free (P); g_free (g);
}

static void
test_gram (void)
{
  const int C = 6, N = 35;           /* C != N, 5x7 map */
  float *F = g_new (float, C * N), *G = g_new (float, C * C);
  double *R = g_new (double, C * C);
  test_fill_random (F, C * N, 3, -2.0f, 3.0f);
  ns_gram (F, C, N, G);
  ref_gram (F, C, N, R);
  for (int i = 0; i < C * C; i++)
    CHECK_CLOSE (G[i], R[i], 1e-5, 1e-6, "gram");
  int sym = 1;
  for (int i = 0; i < C; i++)
    for (int j = 0; j < C; j++)
      sym &= G[i * C + j] == G[j * C + i];
  CHECK (sym, "gram exactly symmetric");
  double fro = 0.0;
  for (int i = 0; i < C * C; i++)
    fro += (double) G[i] * G[i];
  CHECK_CLOSE (ns_frobenius_sq (G, C * C), fro, 1e-12, 0, "frobenius");
  g_free (F); g_free (G); g_free (R);
}

/* The engine's own Gram / symmetric product (gemm_fast.c) against double
 * loops, on shapes with partial 8 x 32 tiles and several pixel chunks, and
 * bitwise independent of the thread count. */
static void
test_gemm_fast (void)
{
  const int shapes[][2] = { { 6, 35 }, { 13, 70 }, { 64, 1440 }, { 67, 4099 }, { 512, 300 },
                            { 8, 32 }, { 40, 1 }, { 520, 100 } };   /* > 512: no panel */
  for (size_t s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      const int C = shapes[s][0], N = shapes[s][1];
      float *F = g_new (float, (size_t) C * N), *G = g_new (float, (size_t) C * C);
      float *G1 = g_new (float, (size_t) C * C), *D = g_new (float, (size_t) C * C);
      float *out = g_new (float, (size_t) C * N), *out1 = g_new (float, (size_t) C * N);
      float *base = g_new (float, (size_t) C * N);
      float *scratch = g_new (float, ns_gemm_fast_scratch_floats (C));
      double *R = g_new (double, (size_t) C * C);
      test_fill_random (F, (size_t) C * N, 40 + s, -1.0f, 2.0f);
      test_fill_random (base, (size_t) C * N, 50 + s, -1.0f, 1.0f);
      ns_gram_fast (F, C, N, G, scratch);
      ref_gram (F, C, N, R);
      double eg = 0, sg = 0;
      for (size_t i = 0; i < (size_t) C * C; i++)
        eg = fmax (eg, fabs (G[i] - R[i])), sg = fmax (sg, fabs (R[i]));
      CHECK (eg <= 1e-5 * sg, "gram C=%d N=%d: max err %.3g of %.3g", C, N, eg, sg);
      /* D symmetric; out = base + alpha D F */
      for (int i = 0; i < C; i++)
        for (int j = 0; j <= i; j++)
          D[(size_t) i * C + j] = D[(size_t) j * C + i] = (float) sin (i * 7.0 + j * 3.0);
      memcpy (out, base, (size_t) C * N * sizeof (float));
      ns_symm_acc_fast (D, F, N, C, N, 0.5f, out, N, scratch);
      double es = 0, ss = 0;
      for (int i = 0; i < C; i++)
        for (int p = 0; p < N; p++)
          {
            double r = base[(size_t) i * N + p];
            for (int k = 0; k < C; k++)
              r += 0.5 * D[(size_t) i * C + k] * F[(size_t) k * N + p];
            es = fmax (es, fabs (out[(size_t) i * N + p] - r));
            ss = fmax (ss, fabs (r));
          }
      CHECK (es <= 1e-5 * ss, "symm C=%d N=%d: max err %.3g of %.3g", C, N, es, ss);
      /* pixels [p0, N) only, operands read and written with row strides */
      {
        const int p0 = N / 3, n = N - p0;
        memcpy (out1, base, (size_t) C * N * sizeof (float));
        ns_symm_acc_fast (D, F + p0, N, C, n, 0.5f, out1 + p0, N, scratch);
        double eb = 0;
        gboolean head_kept = TRUE;
        for (int i = 0; i < C; i++)
          for (int p = 0; p < N; p++)
            if (p < p0)
              head_kept &= out1[(size_t) i * N + p] == base[(size_t) i * N + p];
            else
              eb = fmax (eb, fabs (out1[(size_t) i * N + p] - out[(size_t) i * N + p]));
        CHECK (head_kept && eb <= 1e-5 * ss, "symm C=%d pixels %d..%d strided: err %.3g",
               C, p0, N, eb);
      }
      /* one thread: bitwise the same */
      int nth = omp_get_max_threads ();
      omp_set_num_threads (1);
      ns_gram_fast (F, C, N, G1, scratch);
      memcpy (out1, base, (size_t) C * N * sizeof (float));
      ns_symm_acc_fast (D, F, N, C, N, 0.5f, out1, N, scratch);
      omp_set_num_threads (nth);
      CHECK (memcmp (G1, G, (size_t) C * C * sizeof (float)) == 0
             && memcmp (out1, out, (size_t) C * N * sizeof (float)) == 0,
             "gram/symm C=%d N=%d independent of threads", C, N);
      g_free (F); g_free (G); g_free (G1); g_free (D); g_free (out); g_free (out1);
      g_free (base); g_free (scratch); g_free (R);
    }
}

static void
test_style (void)
{
  const int C = 5, N = 12;           /* 3x4 map */
  const int ns = 3;
  float *F = g_new (float, C * N), *g = g_new (float, C * N), *ws = g_new (float, ns_style_ws_floats (C));
  float *A[3];
  double an[3];
  const double beta[3] = { 0.5, 0.3, 0.2 };
  const float scale[3] = { 0.1f, 1.0f, 20.0f };  /* targets of different magnitude */
  test_fill_random (F, C * N, 4, -1.0f, 1.5f);
  for (int s = 0; s < ns; s++)
    {
      float *f = g_new (float, C * N);
      test_fill_random (f, C * N, 10 + s, -scale[s], scale[s]);
      A[s] = g_new (float, C * C);
      ns_gram (f, C, N, A[s]);
      an[s] = ns_frobenius_sq (A[s], C * C);
      g_free (f);
    }
  const double w = 3.5;

  for (int i = 0; i < C * N; i++)
    g[i] = -1.0f;
  double L = ns_style_layer_loss (F, C, N, (const float *const *) A, an, beta, ns, w, ws, g);
  double Lref = ref_style (F, C, N, A, beta, ns, w);
  CHECK_CLOSE (L, Lref, 1e-5, 0, "style loss (3 targets)");
  double L2 = ns_style_layer_loss (F, C, N, (const float *const *) A, an, beta, ns, w, ws, NULL);
  CHECK_CLOSE (L2, L, 0, 0, "style loss without grad");

  /* each target alone, weights summing the blend */
  double Lsum = 0.0;
  for (int s = 0; s < ns; s++)
    Lsum += ns_style_layer_loss (F, C, N, (const float *const *) &A[s], &an[s], &beta[s], 1, w, ws, NULL);
  CHECK_CLOSE (Lsum, L, 1e-6, 0, "style loss is the beta blend of single targets");

  StyleCtx ctx = { C, N, ns, A, beta, w };
  double gmax = 0.0;
  for (int i = 0; i < C * N; i++)
    gmax = fmax (gmax, fabs (g[i] + 1.0));
  CHECK (gmax > 0, "style gradient non-zero");
  for (int i = 0; i < C * N; i++)
    {
      double num = fd (style_fn, F, i, 1e-3, &ctx);
      CHECK_CLOSE (g[i] + 1.0, num, 1e-3, 1e-4 * gmax, "style grad");
    }

  /* all-zero target Gram: finite */
  float *Z = g_new0 (float, C * C);
  double zn = 0.0, one = 1.0;
  for (int i = 0; i < C * N; i++)
    g[i] = 0.0f;
  L = ns_style_layer_loss (F, C, N, (const float *const *) &Z, &zn, &one, 1, 1.0, ws, g);
  CHECK (isfinite (L) && L > 0, "zero-A style loss finite (%g)", L);
  CHECK (isfinite (max_abs (g, C * N)), "zero-A style grad finite");
  float *Zs[1] = { Z };
  CHECK_CLOSE (L, ref_style (F, C, N, Zs, &one, 1, 1.0), 1e-5, 0, "zero-A style loss");

  g_free (Z);
  for (int s = 0; s < ns; s++)
    g_free (A[s]);
  g_free (F); g_free (g); g_free (ws);
}

/* Realistic layer sizes (blocked BLAS paths, parallel sums): loss vs the
 * double reference and g·v vs a directional central difference. */
static void
test_style_large (int C, int N)
{
  const size_t n = (size_t) C * N;
  float *F = g_new (float, n), *g = g_new0 (float, n), *v = g_new (float, n);
  float *x = g_new (float, n), *ws = g_new (float, ns_style_ws_floats (C));
  float *A[2];
  double an[2];
  const double beta[2] = { 0.7, 0.3 };
  test_fill_random (F, n, 21, 0.0f, 2.0f);
  for (int s = 0; s < 2; s++)
    {
      float *f = g_new (float, n);
      test_fill_random (f, n, 22 + s, 0.0f, 1.0f + s);
      A[s] = g_new (float, (size_t) C * C);
      ns_gram (f, C, N, A[s]);
      an[s] = ns_frobenius_sq (A[s], (size_t) C * C);
      g_free (f);
    }
  double L = ns_style_layer_loss (F, C, N, (const float *const *) A, an, beta, 2, 2.0, ws, g);
  char what[64];
  g_snprintf (what, sizeof what, "style loss C=%d N=%d", C, N);
  CHECK_CLOSE (L, ref_style (F, C, N, A, beta, 2, 2.0), 1e-5, 0, what);

  test_fill_random (v, n, 25, -1.0f, 1.0f);
  double gv = 0.0, vv = 0.0, dp = 0.0, dm = 0.0;
  for (size_t i = 0; i < n; i++)
    gv += (double) g[i] * v[i], vv += (double) v[i] * v[i];
  for (size_t i = 0; i < n; i++)
    x[i] = F[i] + (float) (1e-3 * v[i]), dp += ((double) x[i] - F[i]) * v[i];
  double fp = ref_style (x, C, N, A, beta, 2, 2.0);
  for (size_t i = 0; i < n; i++)
    x[i] = F[i] - (float) (1e-3 * v[i]), dm += ((double) x[i] - F[i]) * v[i];
  double fm = ref_style (x, C, N, A, beta, 2, 2.0);
  g_snprintf (what, sizeof what, "style directional grad C=%d N=%d", C, N);
  CHECK_CLOSE (gv, (fp - fm) / ((dp - dm) / vv), 1e-3, 0, what);
  for (int s = 0; s < 2; s++)
    g_free (A[s]);
  g_free (F); g_free (g); g_free (v); g_free (x); g_free (ws);
}

static void
test_tv_shape (int H, int W)
{
  const size_t n = (size_t) 3 * H * W;
  float *x = g_new (float, n), *g = g_new (float, n);
  test_fill_random (x, n, 100 + H * 7 + W, 0.0f, 1.0f);
  for (size_t i = 0; i < n; i++)
    g[i] = 0.5f;
  const double w = 2.0;
  double L = ns_tv_loss (x, H, W, w, g);
  char what[64];
  g_snprintf (what, sizeof what, "tv loss %dx%d", H, W);
  CHECK_CLOSE (L, ref_tv (x, H, W, w), 1e-10, 1e-15, what);
  TvCtx ctx = { H, W, w };
  double gmax = 0.0;
  for (size_t i = 0; i < n; i++)
    gmax = fmax (gmax, fabs (g[i] - 0.5));
  g_snprintf (what, sizeof what, "tv grad %dx%d", H, W);
  for (size_t i = 0; i < n; i++)
    CHECK_CLOSE (g[i] - 0.5, fd (tv_fn, x, i, 1e-3, &ctx), 1e-4, 1e-6 * gmax + 1e-12, what);
  if (H == 1 && W == 1)
    CHECK (L == 0.0 && gmax == 0.0, "1x1 tv is zero");
  g_free (x); g_free (g);
}

/* Same bytes with 1 thread and with several (fixed summation blocks). */
static void
test_determinism (void)
{
  const int H = 200, W = 173;
  const size_t n = (size_t) 3 * H * W;
  float *x = g_new (float, n), *g1 = g_new0 (float, n), *g2 = g_new0 (float, n);
  float *P = g_new (float, n);
  test_fill_random (x, n, 7, 0.0f, 1.0f);
  test_fill_random (P, n, 8, 0.0f, 1.0f);
  int saved = omp_get_max_threads ();
  double L1, L2, c1, c2;
  omp_set_num_threads (1);
  L1 = ns_tv_loss (x, H, W, 1.0, g1);
  c1 = ns_content_loss (x, P, n, ns_mean_square (P, n), 1.0, g1);
  omp_set_num_threads (4);
  L2 = ns_tv_loss (x, H, W, 1.0, g2);
  c2 = ns_content_loss (x, P, n, ns_mean_square (P, n), 1.0, g2);
  omp_set_num_threads (saved);
  CHECK (L1 == L2 && c1 == c2, "losses independent of thread count");
  CHECK (memcmp (g1, g2, n * sizeof (float)) == 0, "gradients independent of thread count");
  CHECK_CLOSE (L1, ref_tv (x, H, W, 1.0), 1e-12, 0, "large tv loss");
  g_free (x); g_free (g1); g_free (g2); g_free (P);
}

int
main (void)
{
  test_begin ("losses");
  test_content ();
  test_gram ();
  test_gemm_fast ();
  test_style ();
  test_style_large (64, 1440);
  test_style_large (512, 12);
  test_style_large (67, 333);      /* partial tiles in both directions */
  test_tv_shape (4, 5);
  test_tv_shape (1, 6);
  test_tv_shape (5, 1);
  test_tv_shape (1, 1);
  test_tv_shape (7, 3);
  test_determinism ();
  return test_finish ();
}
