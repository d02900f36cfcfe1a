/* tiles.c — tile grid, halo and owned feature positions (tiles.h). */
#include "tiles.h"
#include "pool.h"

typedef struct
{
  int k, stride, pad, ceil_mode;
} Window;

struct NsTileGeom
{
  Window *win;      /* layers up to the deepest tap, along one axis */
  int     n_win;
  int    *tap_layer;/* per tap: index into win (-1: not found) */
  int    *tap_stride;
  int     n_taps;
  int     stride, halo;
};

/* The window one layer applies along an axis; a Fire module: its 1x1
 * squeeze followed by the wider of its expands (3x3, pad 1). */
static Window
layer_window (const NsLayerDesc *l)
{
  NsConvDesc c[3];
  switch (l->kind)
    {
    case NS_LAYER_CONV:
      return (Window) { l->k, l->stride, l->pad, 0 };
    case NS_LAYER_POOL:
      return (Window) { l->k, l->stride, l->pad, l->ceil_mode };
    case NS_LAYER_FIRE:
      ns_layer_convs (l, c);
      return (Window) { c[0].k + MAX (c[1].k, c[2].k) - 1, 1,
                        c[0].pad + MAX (c[1].pad, c[2].pad), 0 };
    default:
      return (Window) { 1, 1, 0, 0 };
    }
}

NsTileGeom *
ns_tile_geom_new (NsArch arch, const char *const *taps, int n_taps, GError **error)
{
  if (ns_arch_info (arch)->graph)
    {
      g_set_error (error, NS_ERROR, NS_ERROR_INVALID_ARG,
                   "tiled evaluation needs a chain network (VGG, SqueezeNet); %s has branches",
                   ns_arch_name (arch));
      return NULL;
    }
  int n_layers;
  const NsLayerDesc *l = ns_arch_layers (arch, &n_layers);
  NsTileGeom *g = g_new0 (NsTileGeom, 1);
  g->n_taps = n_taps;
  g->tap_layer = g_new (int, MAX (n_taps, 1));
  g->tap_stride = g_new (int, MAX (n_taps, 1));
  g->win = g_new (Window, MAX (n_layers, 1));
  for (int t = 0; t < n_taps; t++)
    {
      g->tap_layer[t] = -1;
      for (int i = 0; i < n_layers; i++)
        if (g_strcmp0 (taps[t], l[i].name) == 0)
          g->tap_layer[t] = i;
      g->n_win = MAX (g->n_win, g->tap_layer[t] + 1);
    }
  /* J, P, R of the receptive field after each layer (tiles.h) */
  int J = 1, P = 0, R = 1, reach = 0;
  for (int i = 0; i < g->n_win; i++)
    {
      Window w = g->win[i] = layer_window (&l[i]);
      R += (w.k - 1) * J;
      P += w.pad * J;
      J *= w.stride;
      for (int t = 0; t < n_taps; t++)
        if (g->tap_layer[t] == i)
          {
            g->tap_stride[t] = J;
            reach = MAX (reach, MAX (P, R - J - P));
          }
    }
  g->stride = J;
  g->halo = (reach + J - 1) / J * J;
  return g;
}

void
ns_tile_geom_free (NsTileGeom *g)
{
  if (!g)
    return;
  g_free (g->win);
  g_free (g->tap_layer);
  g_free (g->tap_stride);
  g_free (g);
}

int
ns_tile_stride (const NsTileGeom *g)
{
  return g->stride;
}

int
ns_tile_halo (const NsTileGeom *g)
{
  return g->halo;
}

int
ns_tile_tap_len (const NsTileGeom *g, int t, int side)
{
  int len = side;
  for (int i = 0; i <= g->tap_layer[t] && len > 0; i++)
    {
      const Window *w = &g->win[i];
      NsPoolSpec spec = { w->k, w->stride, w->pad, w->ceil_mode, NS_POOLING_MAX };
      int oh, ow;
      ns_pool_out_size (&spec, len, len, &oh, &ow);
      len = oh;
    }
  return MAX (len, 0);
}

static int
round_up (int v, int m)
{
  return (v + m - 1) / m * m;
}

/* Cores along one axis: n of `step` (multiple of S), the last shorter. */
static int
axis_cores (const NsTileGeom *g, int side, int core, int *step)
{
  int c = round_up (MAX (core, 1), g->stride);
  int n = (side + c - 1) / c;
  *step = round_up ((side + n - 1) / n, g->stride);
  return (side + *step - 1) / *step;
}

/* The extended span starts on a multiple of 4·S: there every layer's
 * Winograd F(4x4,3x3) output tiles (4 positions at strides up to S) start
 * where the untiled network's do, so each feature is computed by the same
 * arithmetic and not merely to the same value up to rounding; otherwise a
 * max pool's winner among near-equal inputs can flip and move a gradient
 * (measured: 1e-3 of the gradient instead of 1e-6). */
static NsTileSpan
axis_span (int i, int step, int side, int halo, int S)
{
  NsTileSpan s;
  s.c0 = i * step;
  s.c1 = MIN (side, s.c0 + step);
  s.e0 = MAX (0, s.c0 - halo) / (4 * S) * (4 * S);
  s.e1 = MIN (side, s.c1 + halo);
  return s;
}

int
ns_tile_max_extent (const NsTileGeom *g, int side, int core, int halo)
{
  int step, n = axis_cores (g, side, core, &step), m = 0;
  halo = round_up (halo, g->stride);
  for (int i = 0; i < n; i++)
    {
      NsTileSpan s = axis_span (i, step, side, halo, g->stride);
      m = MAX (m, s.e1 - s.e0);
    }
  return m;
}

static int
by_extent (gconstpointer a, gconstpointer b)
{
  const NsTile *p = a, *q = b;
  int dp = p->y.e1 - p->y.e0, dq = q->y.e1 - q->y.e0;
  if (dp != dq)
    return dp - dq;
  dp = p->x.e1 - p->x.e0;
  dq = q->x.e1 - q->x.e0;
  if (dp != dq)
    return dp - dq;
  return p->y.c0 != q->y.c0 ? p->y.c0 - q->y.c0 : p->x.c0 - q->x.c0;
}

NsTile *
ns_tile_grid (const NsTileGeom *g, int W, int H, int core, int halo, int *n)
{
  int sy, sx, ny = axis_cores (g, H, core, &sy), nx = axis_cores (g, W, core, &sx);
  halo = round_up (halo, g->stride);
  NsTile *t = g_new (NsTile, ny * nx);
  for (int i = 0; i < ny; i++)
    for (int j = 0; j < nx; j++)
      t[i * nx + j] = (NsTile) { axis_span (i, sy, H, halo, g->stride),
                                  axis_span (j, sx, W, halo, g->stride) };
  *n = ny * nx;
  qsort (t, *n, sizeof *t, by_extent);
  return t;
}

void
ns_tile_owned (const NsTileGeom *g, int t, const NsTileSpan *s, int side, int *l0, int *l1,
               int *g0)
{
  /* a core [c0, c1) owns the outputs o with c0 <= o·J < c1 (J divides c0,
   * c1 and e0); the last core everything to the map's end */
  const int J = g->tap_stride[t], len = ns_tile_tap_len (g, t, side);
  int a = MIN (s->c0 / J, len), b = s->c1 == side ? len : MIN (s->c1 / J, len);
  *g0 = a;
  *l0 = a - s->e0 / J;
  *l1 = b - s->e0 / J;
}
