/* edge_pad.c — reach of the image's rows/columns through the layer
 * windows, and the reflection padding with its adjoint (edge_pad.h).
 *
 * Reach along one axis, walking the layers backwards from the deepest tap:
 * a layer's output position o is "live" if its layer is tapped or it feeds
 * a live position of the next layer; input position j is live if it lies in
 * the window [o·s - p, o·s - p + k - 1] of a live output o.  Rows and
 * columns are independent (every window is separable in its reach), so one
 * axis at a time suffices.
 *
 * Graph architectures (GoogLeNet) are walked in table order as if a chain:
 * their branch windows are all stride 1 and 'same'-padded (1x1, 3x3 pad 1,
 * 5x5 pad 2, 3x3/1 pool pad 1), which keep every length and every position
 * live, so the chain walk gives the trunk's answer (test_edges: no padding
 * at any side for BVLC GoogLeNet).
 */
#include "edge_pad.h"
#include "pool.h"

#include <string.h>

NsAxisWindow *
ns_edge_axis_windows (NsArch arch, const char *const *taps, int n_taps, int *n)
{
  int n_layers;
  const NsLayerDesc *l = ns_arch_layers (arch, &n_layers);
  NsAxisWindow *win = g_new0 (NsAxisWindow, n_layers);
  *n = 0;
  for (int i = 0; i < n_layers; i++)
    {
      gboolean windowed = l[i].kind == NS_LAYER_CONV || l[i].kind == NS_LAYER_POOL;
      win[i] = (NsAxisWindow) { windowed ? l[i].k : 1, windowed ? l[i].stride : 1,
                                windowed ? l[i].pad : 0,
                                l[i].kind == NS_LAYER_POOL && l[i].ceil_mode, 0 };
      for (int t = 0; t < n_taps; t++)
        if (g_strcmp0 (taps[t], l[i].name) == 0)
          {
            win[i].tapped = 1;
            *n = i + 1;
          }
    }
  return win;
}

/* Output length of one window layer on an input of length len: PyTorch's
 * rule, as the network computes it (pool.c; for ceil_mode 0 it is also the
 * convolution's floor rule). */
static int
out_len (const NsAxisWindow *w, int len)
{
  NsPoolSpec spec = { w->k, w->stride, w->pad, w->ceil_mode, NS_POOLING_MAX };
  int oh, ow;
  ns_pool_out_size (&spec, len, len, &oh, &ow);
  return oh;
}

/* lens[i + 1] = output length of layer i on an input of length len;
 * returns the largest, or 0 if some layer's output is empty. */
static int
axis_lengths (const NsAxisWindow *win, int n, int len, int *lens)
{
  int max_len = lens[0] = len;
  for (int i = 0; i < n; i++)
    {
      lens[i + 1] = out_len (&win[i], lens[i]);
      if (lens[i + 1] <= 0)
        return 0;
      max_len = MAX (max_len, lens[i + 1]);
    }
  return max_len;
}

gboolean
ns_edge_all_reach (const NsAxisWindow *win, int n, int len, int side)
{
  if (n <= 0 || side > len)
    return FALSE;
  int *lens = g_new (int, n + 1);
  int max_len = axis_lengths (win, n, len, lens);
  gboolean ok = max_len > 0;
  /* live positions of layer i's output (a) and input (b) */
  guint8 *a = g_new0 (guint8, MAX (max_len, 1)), *b = g_new0 (guint8, MAX (max_len, 1));
  for (int i = n - 1; i >= 0 && ok; i--)
    {
      const NsAxisWindow *w = &win[i];
      if (w->tapped)
        memset (a, 1, lens[i + 1]);
      memset (b, 0, lens[i]);
      for (int o = 0; o < lens[i + 1]; o++)
        if (a[o])
          for (int t = 0; t < w->k; t++)
            {
              int j = o * w->stride - w->pad + t;
              if (j >= 0 && j < lens[i])
                b[j] = 1;
            }
      guint8 *s = a;   /* this layer's input is the previous layer's output */
      a = b;
      b = s;
    }
  for (int j = 0; j < side && ok; j++)
    ok = a[j];
  g_free (a);
  g_free (b);
  g_free (lens);
  return ok;
}

int
ns_edge_pad_for (const NsAxisWindow *win, int n, int side)
{
  /* a side too small for the taps is the network's to refuse, not ours to
   * pad up to a size it accepts */
  int *lens = g_new (int, n + 1);
  gboolean too_small = n <= 0 || axis_lengths (win, n, side, lens) == 0;
  g_free (lens);
  if (too_small)
    return 0;
  int limit = 2;
  for (int i = 0; i < n && limit < 1024; i++)
    limit *= MAX (win[i].stride, 1);
  for (int p = 0; p <= limit; p++)
    if (ns_edge_all_reach (win, n, side + p, side))
      return p;
  return 0;
}

/* Source of padded position i on an axis of length n: reflection about the
 * last position, repeated (period 2n - 2) for pads longer than the side. */
int
ns_edge_reflect (int i, int n)
{
  if (i < n)
    return i;
  if (n == 1)
    return 0;
  int j = i % (2 * n - 2);
  return j < n ? j : 2 * n - 2 - j;
}

void
ns_edge_pad (const float *x, int c, int w, int h, int pw, int ph, float *xp)
{
  const int wp = w + pw, hp = h + ph;
  for (int k = 0; k < c; k++)
    for (int y = 0; y < hp; y++)
      {
        const float *src = x + ((size_t) k * h + ns_edge_reflect (y, h)) * w;
        float *dst = xp + ((size_t) k * hp + y) * wp;
        memcpy (dst, src, (size_t) w * sizeof (float));
        for (int i = w; i < wp; i++)
          dst[i] = src[ns_edge_reflect (i, w)];
      }
}

void
ns_edge_pad_adjoint (const float *gp, int c, int w, int h, int pw, int ph, float *g)
{
  const int wp = w + pw, hp = h + ph;
  memset (g, 0, (size_t) c * h * w * sizeof (float));
  for (int k = 0; k < c; k++)
    for (int y = 0; y < hp; y++)
      {
        const float *src = gp + ((size_t) k * hp + y) * wp;
        float *dst = g + ((size_t) k * h + ns_edge_reflect (y, h)) * w;
        for (int i = 0; i < w; i++)
          dst[i] += src[i];
        for (int i = w; i < wp; i++)
          dst[ns_edge_reflect (i, w)] += src[i];
      }
}
