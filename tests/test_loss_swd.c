/* test_loss_swd.c — the sliced Wasserstein style loss (engine/loss_swd.c)
 * against an independent double-precision computation from the raw style
 * features (own projection, insertion sort, quantile interpolation written
 * in quantile positions), its gradient against central finite differences
 * of that reference, applied in two pixel blocks as the banded backward does.
 */
#include "test_util.h"

#include "loss_swd.h"

static void
insertion_sort (double *a, int n)
{
  for (int i = 1; i < n; i++)
    {
      double v = a[i];
      int j = i - 1;
      for (; j >= 0 && a[j] > v; j--)
        a[j + 1] = a[j];
      a[j + 1] = v;
    }
}

/* Sorted projections of X [C][n] on direction v. */
static double *
ref_sorted (const double *X, int C, int n, const float *v)
{
  double *y = g_new (double, n);
  for (int i = 0; i < n; i++)
    {
      y[i] = 0.0;
      for (int c = 0; c < C; c++)
        y[i] += (double) v[c] * X[(size_t) c * n + i];
    }
  insertion_sort (y, n);
  return y;
}

/* The value of the sorted sample s (ns values, sample k at quantile
 * (k + ½)/ns) at quantile u, linear between samples, flat beyond the ends. */
static double
ref_quantile (const double *s, int ns, double u)
{
  if (u <= 0.5 / ns)
    return s[0];
  if (u >= (ns - 0.5) / ns)
    return s[ns - 1];
  for (int k = 0; k + 1 < ns; k++)
    {
      double uk = (k + 0.5) / ns, uk1 = (k + 1.5) / ns;
      if (u <= uk1)
        return s[k] + (s[k + 1] - s[k]) * (u - uk) / (uk1 - uk);
    }
  return s[ns - 1];
}

typedef struct
{
  int C, N, n_styles;
  const float *V;
  double **S;            /* raw style features [C][Ns] */
  const int *Ns;
  const double *beta;
  double w;
} RefCtx;

static double
ref_swd (const double *F, const RefCtx *r)
{
  double L = 0.0;
  for (int s = 0; s < r->n_styles; s++)
    {
      double m = 0.0, d2 = 0.0;
      for (int j = 0; j < r->C; j++)
        {
          const float *v = r->V + (size_t) j * r->C;
          double *t = ref_sorted (r->S[s], r->C, r->Ns[s], v);
          double *y = ref_sorted (F, r->C, r->N, v);
          for (int k = 0; k < r->Ns[s]; k++)
            m += t[k] * t[k];
          for (int i = 0; i < r->N; i++)
            {
              double d = y[i] - ref_quantile (t, r->Ns[s], (i + 0.5) / r->N);
              d2 += d * d;
            }
          g_free (t);
          g_free (y);
        }
      m /= (double) r->C * r->Ns[s];
      L += r->w * r->beta[s] * (d2 / ((double) r->C * r->N)) / (m + 1e-8);
    }
  return L;
}

static void
test_directions (void)
{
  const int C = 16;
  float *V = g_new (float, C * C), *V2 = g_new (float, C * C), *V3 = g_new (float, C * C);
  ns_swd_directions (C, 7, V);
  ns_swd_directions (C, 7, V2);
  ns_swd_directions (C, 8, V3);
  double msq = 0.0;
  for (int j = 0; j < C; j++)
    {
      double n2 = 0.0;
      for (int c = 0; c < C; c++)
        n2 += (double) V[j * C + c] * V[j * C + c];
      CHECK_CLOSE (n2, 1.0, 1e-6, 0, "direction is a unit vector");
      msq += n2;
    }
  CHECK (memcmp (V, V2, sizeof (float) * C * C) == 0, "same seed, same directions");
  CHECK (memcmp (V, V3, sizeof (float) * C * C) != 0, "another seed, other directions");
  /* isotropic: each component's mean square over the C directions ≈ 1/C */
  double worst = 0.0;
  for (int c = 0; c < C; c++)
    {
      double s = 0.0;
      for (int j = 0; j < C; j++)
        s += (double) V[j * C + c] * V[j * C + c];
      worst = MAX (worst, s);
    }
  CHECK (worst < 2.5, "no component dominates the directions (max column mass %.3f)", worst);
  g_free (V); g_free (V2); g_free (V3);
}

/* C channels, N output pixels, styles with Ns[] pixels. */
static void
test_layer (int C, int N, const int *Ns, int n_styles, guint32 seed)
{
  char what[96];
  float *V = g_new (float, (size_t) C * C);
  ns_swd_directions (C, seed, V);
  float *F = test_random_array ((size_t) C * N, seed + 1);
  double *Fd = g_new (double, (size_t) C * N);
  for (size_t i = 0; i < (size_t) C * N; i++)
    Fd[i] = F[i];
  double beta[2] = { 0.3, 0.7 };
  double *S[2];
  float *T[2];
  double m[2];
  for (int s = 0; s < n_styles; s++)
    {
      float *Sf = test_random_array ((size_t) C * Ns[s], seed + 10 + s);
      for (size_t i = 0; i < (size_t) C * Ns[s]; i++)
        Sf[i] = Sf[i] * (1.5f + s) + 0.2f;                /* other spread and mean */
      S[s] = g_new (double, (size_t) C * Ns[s]);
      for (size_t i = 0; i < (size_t) C * Ns[s]; i++)
        S[s][i] = Sf[i];
      T[s] = g_new (float, (size_t) C * Ns[s]);
      m[s] = ns_swd_sorted_projections (Sf, C, Ns[s], V, T[s]);
      /* the sorted projections themselves */
      double err = 0.0, mref = 0.0;
      for (int j = 0; j < C; j++)
        {
          double *t = ref_sorted (S[s], C, Ns[s], V + (size_t) j * C);
          for (int k = 0; k < Ns[s]; k++)
            {
              err = MAX (err, fabs (t[k] - T[s][(size_t) j * Ns[s] + k]));
              mref += t[k] * t[k];
            }
          g_free (t);
        }
      g_snprintf (what, sizeof what, "sorted projections C=%d Ns=%d", C, Ns[s]);
      CHECK (err < 1e-5, "%s: max error %.3g", what, err);
      CHECK_CLOSE (m[s], mref / ((double) C * Ns[s]), 1e-5, 0, what);
      g_free (Sf);
    }
  RefCtx r = { C, N, n_styles, V, S, Ns, beta, 2.5 };

  float *Yg = g_new (float, (size_t) C * N);
  NsSwdPair *pairs = g_new (NsSwdPair, 2 * N);
  double L = ns_swd_layer_op (F, C, N, V, (const float *const *) T, Ns, m, beta, n_styles,
                              r.w, Yg, pairs);
  g_snprintf (what, sizeof what, "swd loss C=%d N=%d styles=%d", C, N, n_styles);
  CHECK_CLOSE (L, ref_swd (Fd, &r), 1e-4, 1e-9, what);

  /* gradient, applied in two pixel blocks (banded backward) onto a 0.5 base */
  float *g = g_new (float, (size_t) C * N);
  for (size_t i = 0; i < (size_t) C * N; i++)
    g[i] = 0.5f;
  int a = N / 3;
  ns_swd_layer_apply (V, Yg, N, 0, C, a, g, N);
  ns_swd_layer_apply (V, Yg, N, a, C, N - a, g + a, N);
  double gmax = 0.0, emax = 0.0;
  for (size_t i = 0; i < (size_t) C * N; i++)
    {
      const double eps = 1e-6, x0 = Fd[i];
      Fd[i] = x0 + eps;
      double lp = ref_swd (Fd, &r);
      Fd[i] = x0 - eps;
      double lm = ref_swd (Fd, &r);
      Fd[i] = x0;
      double num = (lp - lm) / (2 * eps);
      gmax = MAX (gmax, fabs (num));
      emax = MAX (emax, fabs ((g[i] - 0.5) - num));
    }
  g_snprintf (what, sizeof what, "swd gradient vs FD C=%d N=%d styles=%d", C, N, n_styles);
  CHECK (gmax > 0 && emax <= 1e-3 * gmax, "%s: max error %.3g of max |g| %.3g", what, emax, gmax);

  g_free (V); g_free (F); g_free (Fd); g_free (Yg); g_free (pairs); g_free (g);
  for (int s = 0; s < n_styles; s++)
    {
      g_free (S[s]);
      g_free (T[s]);
    }
}

/* The style's own features at the same count: loss 0, gradient 0. */
static void
test_own_features (void)
{
  const int C = 5, N = 40;
  float *V = g_new (float, C * C), *F = test_random_array (C * N, 3), *T = g_new (float, C * N);
  float *Yg = g_new (float, C * N), *g = g_new0 (float, C * N);
  NsSwdPair *pairs = g_new (NsSwdPair, 2 * N);
  ns_swd_directions (C, 1, V);
  double m = ns_swd_sorted_projections (F, C, N, V, T), beta = 1.0;
  int Ns = N;
  const float *Tp = T;
  double L = ns_swd_layer_op (F, C, N, V, &Tp, &Ns, &m, &beta, 1, 1.0, Yg, pairs);
  ns_swd_layer_apply (V, Yg, N, 0, C, N, g, N);
  CHECK (L < 1e-12, "own features: loss %.3g", L);
  double gmax = 0.0;
  for (int i = 0; i < C * N; i++)
    gmax = MAX (gmax, fabs (g[i]));
  CHECK (gmax < 1e-6, "own features: gradient %.3g", gmax);
  /* a shuffled copy of the pixels has the same distribution: loss 0 too */
  float *Fs = g_new (float, C * N);
  for (int c = 0; c < C; c++)
    for (int i = 0; i < N; i++)
      Fs[c * N + i] = F[c * N + (i * 7) % N];             /* 7 is prime to 40 */
  L = ns_swd_layer_op (Fs, C, N, V, &Tp, &Ns, &m, &beta, 1, 1.0, Yg, pairs);
  CHECK (L < 1e-12, "shuffled pixels: loss %.3g", L);
  g_free (V); g_free (F); g_free (T); g_free (Yg); g_free (g); g_free (pairs); g_free (Fs);
}

int
main (void)
{
  test_begin ("loss_swd");
  test_directions ();
  test_own_features ();
  const int same[1] = { 9 }, more[2] = { 23, 5 }, one[1] = { 1 };
  test_layer (3, 9, same, 1, 11);
  test_layer (4, 11, more, 2, 12);
  test_layer (8, 17, more, 2, 13);
  test_layer (2, 6, one, 1, 14);
  return test_finish ();
}
