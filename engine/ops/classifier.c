/* classifier.c — inner product and softmax (classifier.h).  Matrix-vector
 * products through OpenBLAS; the softmax in double. */
#include "classifier.h"

#include <cblas.h>
#include <math.h>

void
ns_inner_product_forward (const float *W, const float *b, int n_out, int n_in, const float *x,
                          float *y)
{
  for (int o = 0; o < n_out; o++)
    y[o] = b ? b[o] : 0.0f;
  cblas_sgemv (CblasRowMajor, CblasNoTrans, n_out, n_in, 1.0f, W, n_in, x, 1, 1.0f, y, 1);
}

void
ns_inner_product_backward (const float *W, int n_out, int n_in, const float *dy, float *dx)
{
  cblas_sgemv (CblasRowMajor, CblasTrans, n_out, n_in, 1.0f, W, n_in, dy, 1, 1.0f, dx, 1);
}

void
ns_softmax_forward (const float *x, int n, float *y)
{
  float mx = x[0];
  for (int i = 1; i < n; i++)
    mx = x[i] > mx ? x[i] : mx;
  double sum = 0.0;
  for (int i = 0; i < n; i++)
    sum += exp ((double) x[i] - mx);
  for (int i = 0; i < n; i++)
    y[i] = (float) (exp ((double) x[i] - mx) / sum);
}

void
ns_softmax_backward (const float *y, const float *dy, int n, float *dx)
{
  double dot = 0.0;
  for (int i = 0; i < n; i++)
    dot += (double) dy[i] * y[i];
  for (int i = 0; i < n; i++)
    dx[i] += (float) (y[i] * (dy[i] - dot));
}
