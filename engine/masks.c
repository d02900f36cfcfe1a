/* masks.c — mask images to masks, and masks at a layer (the cell rule). */
#include "masks.h"

#include <glib.h>

float *
ns_mask_from_image (const NsImage *img)
{
  const size_t n = (size_t) img->width * img->height;
  float *m = g_try_new (float, n);
  if (!m)
    return NULL;
  for (size_t i = 0; i < n; i++)
    {
      const float *p = img->data + 3 * i;
      m[i] = CLAMP ((p[0] + p[1] + p[2]) / 3.0f, 0.0f, 1.0f);
    }
  return m;
}

/* Sums and counts per cell, then means: O(H·W + Hl·Wl). */
void
ns_mask_cells (const float *m, int W, int H, float *ml, int Wl, int Hl)
{
  const size_t nl = (size_t) Wl * Hl;
  double *sum = g_new0 (double, nl);
  int *cnt = g_new0 (int, nl);
  for (int y = 0; y < H; y++)
    {
      const int i = (int) ((gint64) y * Hl / H);
      for (int x = 0; x < W; x++)
        {
          const size_t c = (size_t) i * Wl + (size_t) ((gint64) x * Wl / W);
          sum[c] += m[(size_t) y * W + x];
          cnt[c]++;
        }
    }
  for (int i = 0; i < Hl; i++)
    for (int j = 0; j < Wl; j++)
      {
        const size_t c = (size_t) i * Wl + j;
        ml[c] = cnt[c] ? (float) (sum[c] / cnt[c])
          : m[(size_t) ((gint64) i * H / Hl) * W + (size_t) ((gint64) j * W / Wl)];
      }
  g_free (sum);
  g_free (cnt);
}
