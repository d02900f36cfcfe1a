/* color_transfer.c — colour transfer between style and content
 * (color_transfer.h has the definitions). */
#include "color_transfer.h"
#include "neural_style.h"

#include <math.h>
#include <string.h>

#define NS_EIG_FLOOR 1e-8

const char *
ns_color_transfer_name (NsColorTransfer mode)
{
  switch (mode)
    {
    case NS_COLOR_TRANSFER_MEANCOV: return "meancov";
    case NS_COLOR_TRANSFER_LUMINANCE: return "luminance";
    case NS_COLOR_TRANSFER_NONE:
    default: return "none";
    }
}

gboolean
ns_color_transfer_from_name (const char *name, NsColorTransfer *mode)
{
  for (int m = 0; m < NS_COLOR_TRANSFER_COUNT; m++)
    if (name && strcmp (name, ns_color_transfer_name ((NsColorTransfer) m)) == 0)
      {
        *mode = (NsColorTransfer) m;
        return TRUE;
      }
  return FALSE;
}

/* Mean mu[3] and population covariance S[3][3] of n planar RGB pixels. */
static void
mean_cov (const float *img, size_t n, double mu[3], double S[3][3])
{
  for (int a = 0; a < 3; a++)
    {
      double s = 0.0;
      for (size_t p = 0; p < n; p++)
        s += img[a * n + p];
      mu[a] = n ? s / n : 0.0;
    }
  for (int a = 0; a < 3; a++)
    for (int b = a; b < 3; b++)
      {
        double s = 0.0;
        for (size_t p = 0; p < n; p++)
          s += (img[a * n + p] - mu[a]) * (img[b * n + p] - mu[b]);
        S[a][b] = S[b][a] = n ? s / n : 0.0;
      }
}

/* Eigen-decomposition of a symmetric 3x3 S = V diag(l) Vᵀ by cyclic Jacobi
 * rotations (columns of V are the eigenvectors). */
static void
eig_sym3 (const double S[3][3], double l[3], double V[3][3])
{
  double A[3][3];
  memcpy (A, S, sizeof A);
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      V[i][j] = i == j;
  for (int sweep = 0; sweep < 50; sweep++)
    {
      double off = fabs (A[0][1]) + fabs (A[0][2]) + fabs (A[1][2]);
      if (off < 1e-300)
        break;
      for (int p = 0; p < 2; p++)
        for (int q = p + 1; q < 3; q++)
          {
            if (A[p][q] == 0.0)
              continue;
            double theta = (A[q][q] - A[p][p]) / (2.0 * A[p][q]);
            double t = (theta >= 0 ? 1.0 : -1.0) / (fabs (theta) + sqrt (theta * theta + 1.0));
            double c = 1.0 / sqrt (t * t + 1.0), s = t * c;
            for (int k = 0; k < 3; k++)   /* A <- A J */
              {
                double akp = A[k][p], akq = A[k][q];
                A[k][p] = c * akp - s * akq;
                A[k][q] = s * akp + c * akq;
              }
            for (int k = 0; k < 3; k++)   /* A <- Jᵀ A */
              {
                double apk = A[p][k], aqk = A[q][k];
                A[p][k] = c * apk - s * aqk;
                A[q][k] = s * apk + c * aqk;
              }
            for (int k = 0; k < 3; k++)   /* V <- V J */
              {
                double vkp = V[k][p], vkq = V[k][q];
                V[k][p] = c * vkp - s * vkq;
                V[k][q] = s * vkp + c * vkq;
              }
          }
    }
  for (int i = 0; i < 3; i++)
    l[i] = A[i][i];
}

/* R = V diag(max(l, 1e-8)^e) Vᵀ, e = ±1/2. */
static void
sym_power (const double S[3][3], double e, double R[3][3])
{
  double l[3], V[3][3];
  eig_sym3 (S, l, V);
  for (int i = 0; i < 3; i++)
    l[i] = pow (MAX (l[i], NS_EIG_FLOOR), e);
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      {
        double s = 0.0;
        for (int k = 0; k < 3; k++)
          s += V[i][k] * l[k] * V[j][k];
        R[i][j] = s;
      }
}

void
ns_color_meancov (float *style, size_t ns, const float *content, size_t nc)
{
  double mu_s[3], mu_c[3], S_s[3][3], S_c[3][3], Rc[3][3], Rs[3][3], A[3][3];
  mean_cov (style, ns, mu_s, S_s);
  mean_cov (content, nc, mu_c, S_c);
  sym_power (S_c, 0.5, Rc);
  sym_power (S_s, -0.5, Rs);
  for (int i = 0; i < 3; i++)          /* A = Σ_c^{1/2} Σ_s^{-1/2} */
    for (int j = 0; j < 3; j++)
      {
        double s = 0.0;
        for (int k = 0; k < 3; k++)
          s += Rc[i][k] * Rs[k][j];
        A[i][j] = s;
      }
  for (size_t p = 0; p < ns; p++)
    {
      double d[3] = { style[p] - mu_s[0], style[ns + p] - mu_s[1], style[2 * ns + p] - mu_s[2] };
      for (int i = 0; i < 3; i++)
        {
          double v = A[i][0] * d[0] + A[i][1] * d[1] + A[i][2] * d[2] + mu_c[i];
          style[i * ns + p] = (float) CLAMP (v, 0.0, 1.0);
        }
    }
}

void
ns_color_luma (const float *rgb, size_t n, float *y)
{
  for (size_t p = 0; p < n; p++)
    y[p] = (float) (0.299 * rgb[p] + 0.587 * rgb[n + p] + 0.114 * rgb[2 * n + p]);
}

void
ns_color_to_gray3 (float *rgb, size_t n)
{
  for (size_t p = 0; p < n; p++)
    {
      float y = (float) (0.299 * rgb[p] + 0.587 * rgb[n + p] + 0.114 * rgb[2 * n + p]);
      rgb[p] = rgb[n + p] = rgb[2 * n + p] = y;
    }
}

static void
mean_std (const float *y, size_t n, double *mu, double *sd)
{
  double s = 0.0, q = 0.0;
  for (size_t p = 0; p < n; p++)
    s += y[p];
  *mu = n ? s / n : 0.0;
  for (size_t p = 0; p < n; p++)
    q += (y[p] - *mu) * (y[p] - *mu);
  *sd = n ? sqrt (q / n) : 0.0;
}

void
ns_color_luminance_match (float *style, size_t ns, const float *content_y, size_t nc)
{
  double mu_c, sd_c, mu_s, sd_s;
  mean_std (content_y, nc, &mu_c, &sd_c);
  ns_color_to_gray3 (style, ns);
  mean_std (style, ns, &mu_s, &sd_s);
  for (size_t p = 0; p < ns; p++)
    {
      float v = (float) (sd_s < 1e-8 ? mu_c : sd_c / sd_s * (style[p] - mu_s) + mu_c);
      style[p] = style[ns + p] = style[2 * ns + p] = v;
    }
}
