/* objective_tiled.c — the exact tiled evaluation of the objective (issue 18):
 * memory bounded by the tile, not the image.
 *
 * The Gram matrix is a sum over positions, G_k = (1/N_k) Σ_p F_k[:,p] F_k[:,p]ᵀ,
 * and the content term a mean over positions, so both can be summed tile by
 * tile as long as every feature position is counted once and each tile's
 * features equal the untiled network's.  The grid and the halo that makes
 * them equal are net/tiles.h's (cores aligned to the total stride, halo >=
 * the receptive-field reach of the deepest tap, clipped at the image border
 * where the untiled network pads too).  The grid covers the image the
 * untiled network sees: the working image extended by edge_pad.h's
 * reflection, read here through ns_edge_reflect, whose adjoint folds the
 * gradient back, exactly as ns_edge_pad / ns_edge_pad_adjoint.
 *
 * One evaluation, two passes over the tiles:
 *  1. per tile: forward on core + halo; at each style layer add the owned
 *     positions' F Fᵀ / N into the global Gram (double), at each content
 *     layer Σ (F − P)² over the owned positions.  Then the style losses and
 *     their operators D (dL/dF = D F) from the global Grams
 *     (ns_style_gram_op), the content losses and scales.
 *  2. per tile: forward again, then backward with the loss gradient at the
 *     owned positions only (zero elsewhere: the halo's features belong to
 *     other tiles), D F and gscale (F − P); the tile's input gradient is
 *     added into the image gradient (overlap-add over the halos).
 * So loss and gradient equal the untiled ones up to float summation order
 * (tests/test_tiles.c: ~1e-6 relative).  Cost: two forwards and one
 * backward per tile on core + halo instead of one of each on the image.
 *
 * Content targets are stored, not recomputed: the owned positions of each
 * content layer, tile by tile, in the full map the untiled path keeps
 * (VGG relu4_2 + relu5_2: 10 floats = 40 bytes per pixel, 480 MB at 12 MP);
 * recomputing them per tile would cost a third forward per tile.
 * Style targets of a style image larger than a tile are summed tile by tile
 * the same way (pass 1 on the style).
 * Not tiled (refused with an error): style masks / content maps (regions)
 * and the sliced Wasserstein loss (its sort is not a sum over positions).
 */
#include "objective_private.h"
#include "losses.h"
#include "gemm_fast.h"
#include "tiles.h"

#include <math.h>
#include <string.h>

#define GRAM_CHUNK 8192      /* owned positions per Gram product */

struct NsObjTiling
{
  NsTileGeom *geom;
  int     core, halo;        /* requested core side (0: off) and halo */
  NsTile *tiles;             /* grid of the current level */
  int     n_tiles, nx, ny;
  /* the pass in progress */
  const NsTile *cur;
  int     iw, ih;            /* image the grid covers */
  gboolean content_pass;     /* pass 1 sums the content terms too */
  float  *xt, *gt;           /* tile input [3][eh][ew] and its gradient */
  size_t  xt_floats;
  double **gacc;             /* per style layer: G (C x C) */
  double *csum;              /* per content layer: Σ (F − P)² */
  float  *chunk;             /* owned positions copied for a Gram product */
  size_t  chunk_floats;
  float  *gtmp;              /* C² + GEMM scratch */
  size_t  gtmp_floats;
};

void
ns_obj_tiling_free (NsObjTiling *t, int n_style)
{
  if (!t)
    return;
  for (int k = 0; k < n_style; k++)
    g_free (t->gacc[k]);
  ns_tile_geom_free (t->geom);
  g_free (t->tiles);
  g_free (t->xt);
  g_free (t->gt);
  g_free (t->csum);
  g_free (t->chunk);
  g_free (t->gtmp);
  g_free (t->gacc);
  g_free (t);
}

gboolean
ns_objective_set_tiling (NsObjective *obj, int core, int halo, GError **error)
{
  if (core <= 0)
    {
      if (obj->tiling)
        obj->tiling->core = 0;
      return TRUE;
    }
  if (!obj->tiling)
    {
      NsTileGeom *g = ns_tile_geom_new (obj->arch,
                                        (const char *const *) obj->taps, obj->n_taps, error);
      if (!g)
        return FALSE;
      obj->tiling = g_new0 (NsObjTiling, 1);
      obj->tiling->geom = g;
      obj->tiling->gacc = g_new0 (double *, MAX (obj->n_style, 1));
      obj->tiling->csum = g_new0 (double, MAX (obj->n_content, 1));
    }
  obj->tiling->core = core;
  obj->tiling->halo = halo > 0 ? halo : ns_tile_halo (obj->tiling->geom);
  return TRUE;
}

void
ns_objective_tiling (const NsObjective *obj, int *nx, int *ny, int *core, int *halo)
{
  const NsObjTiling *t = obj->tiling;
  gboolean on = obj->tiled && t;
  if (nx) *nx = on ? t->nx : 1;
  if (ny) *ny = on ? t->ny : 1;
  int c = 0;
  for (int i = 0; on && i < t->n_tiles; i++)
    c = MAX (c, MAX (t->tiles[i].y.c1 - t->tiles[i].y.c0, t->tiles[i].x.c1 - t->tiles[i].x.c0));
  if (core) *core = c;
  if (halo) *halo = on ? t->halo : 0;
}

/* The grid over an iw x ih image (FALSE: one tile covers it). */
static gboolean
make_grid (NsObjTiling *t, int iw, int ih)
{
  g_clear_pointer (&t->tiles, g_free);
  t->n_tiles = 0;
  if (t->core <= 0)
    return FALSE;
  t->tiles = ns_tile_grid (t->geom, iw, ih, t->core, t->halo, &t->n_tiles);
  t->nx = t->ny = 0;
  for (int i = 0; i < t->n_tiles; i++)
    {
      t->nx += t->tiles[i].y.c0 == 0;
      t->ny += t->tiles[i].x.c0 == 0;
    }
  t->iw = iw;
  t->ih = ih;
  return t->n_tiles > 1;
}

static gboolean
grow (float **buf, size_t *cap, size_t need)
{
  if (need <= *cap)
    return TRUE;
  g_free (*buf);
  *buf = g_try_new (float, need);
  *cap = *buf ? need : 0;
  return *buf != NULL;
}

/* Buffers for the current grid: tile image and gradient, Gram scratch and
 * accumulators (channels read from the network prepared at a tile). */
static gboolean
grid_buffers (NsObjective *obj, GError **error)
{
  NsObjTiling *t = obj->tiling;
  int eh = 0, ew = 0;
  for (int i = 0; i < t->n_tiles; i++)
    {
      eh = MAX (eh, t->tiles[i].y.e1 - t->tiles[i].y.e0);
      ew = MAX (ew, t->tiles[i].x.e1 - t->tiles[i].x.e0);
    }
  size_t cap = t->xt_floats;
  gboolean ok = grow (&t->xt, &cap, (size_t) 3 * eh * ew);
  ok = ok && grow (&t->gt, &t->xt_floats, (size_t) 3 * eh * ew);
  const NsTile *t0 = &t->tiles[0];
  if (!ok || !ns_network_prepare (obj->net, t0->y.e1 - t0->y.e0, t0->x.e1 - t0->x.e0, error))
    {
      if (error && !*error)
        g_set_error (error, NS_ERROR, NS_ERROR_NO_MEMORY, "out of memory (tile buffers)");
      if (error && *error)
        g_prefix_error (error, "tile of the %dx%d image: ", t->iw, t->ih);
      return FALSE;
    }
  /* (the GEMM scratch is not monotonic in C: the largest over the layers) */
  int cmax = 1;
  size_t ws = 1;
  for (int k = 0; k < obj->n_style; k++)
    {
      int C;
      ns_network_tap_shape (obj->net, obj->style[k].tap, &C, NULL, NULL);
      cmax = MAX (cmax, C);
      ws = MAX (ws, ns_style_ws_floats (C));
      if (!t->gacc[k] && !(t->gacc[k] = g_try_new (double, (size_t) C * C)))
        ok = FALSE;
    }
  ok = ok && grow (&t->chunk, &t->chunk_floats, (size_t) cmax * MAX (GRAM_CHUNK, ew))
    && grow (&t->gtmp, &t->gtmp_floats, ws);
  if (!ok)
    g_set_error (error, NS_ERROR, NS_ERROR_NO_MEMORY, "out of memory (tiled Gram matrices)");
  return ok;
}

gboolean
ns_obj_tiling_level (NsObjective *obj, GError **error)
{
  obj->tiled = obj->tiling && make_grid (obj->tiling, obj->W + obj->pad_w, obj->H + obj->pad_h);
  return !obj->tiled || grid_buffers (obj, error);
}

gboolean
ns_obj_tiled_check (NsObjective *obj, GError **error)
{
  gboolean masked = ns_regions_has_content_map (obj->regions);
  for (guint s = 0; s < obj->style_targets->len; s++)
    masked = masked || ns_regions_style_masked (obj->regions, (int) s);
  if (obj->style_loss == NS_STYLE_LOSS_SWD || masked)
    {
      g_set_error (error, NS_ERROR, NS_ERROR_INVALID_ARG,
                   "the tiled evaluation (large images) supports neither %s",
                   "the swd style loss nor style masks / content maps; use a smaller size");
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------ one tile */

/* xt = the current tile of img (planar [3][ih0][iw0], continued beyond it
 * by reflection up to the grid's iw x ih), prepared network. */
static gboolean
load_tile (NsObjective *obj, const NsTile *tl, const float *img, int iw0, int ih0)
{
  NsObjTiling *t = obj->tiling;
  const int eh = tl->y.e1 - tl->y.e0, ew = tl->x.e1 - tl->x.e0;
  t->cur = tl;
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < eh; y++)
      {
        const float *src = img + ((size_t) c * ih0 + ns_edge_reflect (tl->y.e0 + y, ih0)) * iw0;
        float *dst = t->xt + ((size_t) c * eh + y) * ew;
        for (int x = 0; x < ew; x++)
          dst[x] = src[ns_edge_reflect (tl->x.e0 + x, iw0)];
      }
  return ns_network_prepare (obj->net, eh, ew, NULL);
}

/* g += the adjoint of load_tile applied to gt */
static void
store_tile_grad (NsObjTiling *t, float *g, int iw0, int ih0)
{
  const NsTile *tl = t->cur;
  const int eh = tl->y.e1 - tl->y.e0, ew = tl->x.e1 - tl->x.e0;
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < eh; y++)
      {
        float *dst = g + ((size_t) c * ih0 + ns_edge_reflect (tl->y.e0 + y, ih0)) * iw0;
        const float *src = t->gt + ((size_t) c * eh + y) * ew;
        for (int x = 0; x < ew; x++)
          dst[ns_edge_reflect (tl->x.e0 + x, iw0)] += src[x];
      }
}

/* The positions of tap t the current tile owns: rows [y0, y1), columns
 * [x0, x1) of its map (h x w), at global row gy, column gx; the global map
 * gh x gw. */
typedef struct
{
  int y0, y1, x0, x1, gy, gx, h, w, gh, gw;
} Owned;

static Owned
owned (NsObjective *obj, int tap)
{
  NsObjTiling *t = obj->tiling;
  Owned o;
  ns_tile_owned (t->geom, tap, &t->cur->y, t->ih, &o.y0, &o.y1, &o.gy);
  ns_tile_owned (t->geom, tap, &t->cur->x, t->iw, &o.x0, &o.x1, &o.gx);
  ns_network_tap_shape (obj->net, tap, NULL, &o.h, &o.w);
  o.gh = ns_tile_tap_len (t->geom, tap, t->ih);
  o.gw = ns_tile_tap_len (t->geom, tap, t->iw);
  return o;
}

/* acc += Σ_owned F Fᵀ / N (N: the global map's positions), in chunks of
 * whole owned rows copied together: G_chunk = X Xᵀ / m, weighted m / N. */
static void
gram_owned (NsObjTiling *t, const float *F, int C, const Owned *o, double *acc)
{
  const int ow = o->x1 - o->x0, rows = MAX (1, GRAM_CHUNK / MAX (ow, 1));
  const size_t hw = (size_t) o->h * o->w, CC = (size_t) C * C;
  const double N = (double) o->gh * o->gw;
  for (int y = o->y0; y < o->y1 && ow > 0; y += rows)
    {
      const int r = MIN (rows, o->y1 - y), m = r * ow;
      for (int c = 0; c < C; c++)
        for (int i = 0; i < r; i++)
          memcpy (t->chunk + (size_t) c * m + (size_t) i * ow,
                  F + c * hw + (size_t) (y + i) * o->w + o->x0, (size_t) ow * sizeof (float));
      ns_gram_fast (t->chunk, C, m, t->gtmp, t->gtmp + CC);
      const double wgt = m / N;
      for (size_t i = 0; i < CC; i++)
        acc[i] += wgt * t->gtmp[i];
    }
}

/* Σ_owned (F − P)²; P: the global content map [C][gh][gw]. */
static double
content_sq_owned (const float *F, const float *P, int C, const Owned *o)
{
  const size_t hw = (size_t) o->h * o->w, ghw = (size_t) o->gh * o->gw;
  double *part = g_new (double, MAX (C, 1)), s = 0.0;
#pragma omp parallel for schedule(static)
  for (int c = 0; c < C; c++)
    {
      double sc = 0.0;
      for (int y = o->y0; y < o->y1; y++)
        {
          const float *f = F + c * hw + (size_t) y * o->w;
          const float *p = P + c * ghw + (size_t) (o->gy + y - o->y0) * o->gw + o->gx - o->x0;
          for (int x = o->x0; x < o->x1; x++)
            {
              double d = (double) f[x] - (double) p[x];
              sc += d * d;
            }
        }
      part[c] = sc;
    }
  for (int c = 0; c < C; c++)
    s += part[c];
  g_free (part);
  return s;
}

/* ------------------------------------------------------------ the passes */

/* Pass 1 (forward callback): the owned positions' Gram and content sums. */
static double
pass1_loss (int tap, const float *F, int C, int HW, void *ctx)
{
  NsObjective *obj = ctx;
  NsObjTiling *t = obj->tiling;
  (void) HW;
  Owned o = owned (obj, tap);
  for (int k = 0; k < obj->n_style; k++)
    if (obj->style[k].tap == tap)
      gram_owned (t, F, C, &o, t->gacc[k]);
  for (int i = 0; i < obj->n_content && t->content_pass; i++)
    if (obj->content[i].tap == tap)
      t->csum[i] += content_sq_owned (F, obj->content_feat[i], C, &o);
  return 0.0;
}

/* Pass 2 (backward callback): dF += dL/dF at the owned positions among
 * pixels off .. off+n-1 of the tile's map, row segment by row segment. */
static void
pass2_grad (int tap, const float *F, size_t ldf, int C, int n, size_t off, float *dF,
            size_t ldd, void *ctx)
{
  NsObjective *obj = ctx;
  NsObjTiling *t = obj->tiling;
  Owned o = owned (obj, tap);
  const size_t w = (size_t) o.w, ghw = (size_t) o.gh * o.gw;
  for (size_t y = off / w; y * w < off + n && (int) y < o.y1; y++)
    {
      if ((int) y < o.y0)
        continue;
      size_t p0 = MAX (off, y * w + o.x0), p1 = MIN (off + n, y * w + o.x1);
      if (p0 >= p1)
        continue;
      const size_t s = p0 - off;
      const int len = (int) (p1 - p0);
      for (int k = 0; k < obj->n_style; k++)
        if (obj->style[k].tap == tap)
          ns_style_layer_apply (obj->style_op[k], F + s, ldf, C, len, dF + s, ldd,
                                t->gtmp + (size_t) C * C);
      for (int i = 0; i < obj->n_content; i++)
        if (obj->content[i].tap == tap)
          {
            const float *P = obj->content_feat[i]
              + (size_t) (o.gy + (int) y - o.y0) * o.gw + o.gx + (int) (p0 - y * w) - o.x0;
            for (int c = 0; c < C; c++)
              ns_content_apply (F + c * ldf + s, P + c * ghw, (size_t) len,
                                obj->content_gscale[i], dF + c * ldd + s);
          }
    }
}

static const NsTapLoss tiled_losses = { pass1_loss, pass2_grad };

/* Pass 1 over the grid on img (iw0 x ih0, reflected up to the grid's size). */
static gboolean
gram_pass (NsObjective *obj, const float *img, int iw0, int ih0, gboolean content)
{
  NsObjTiling *t = obj->tiling;
  t->content_pass = content;
  for (int k = 0; k < obj->n_style; k++)
    {
      int C;
      ns_network_tap_shape (obj->net, obj->style[k].tap, &C, NULL, NULL);
      memset (t->gacc[k], 0, (size_t) C * C * sizeof (double));
    }
  memset (t->csum, 0, MAX (obj->n_content, 1) * sizeof (double));
  for (int i = 0; i < t->n_tiles; i++)
    {
      if (!load_tile (obj, &t->tiles[i], img, iw0, ih0))
        return FALSE;
      ns_network_forward_losses (obj->net, t->xt, &tiled_losses, obj);
    }
  return TRUE;
}

/* The global Gram of style layer k as floats, into dst (C x C). */
static int
gram_floats (NsObjective *obj, int k, float *dst)
{
  int C;
  ns_network_tap_shape (obj->net, obj->style[k].tap, &C, NULL, NULL);
  for (size_t i = 0; i < (size_t) C * C; i++)
    dst[i] = (float) obj->tiling->gacc[k][i];
  return C;
}

double
ns_obj_tiled_eval (NsObjective *obj, const float *x, float *g)
{
  NsObjTiling *t = obj->tiling;
  const int W = obj->W, H = obj->H;
  obj->last = (NsLossTerms) { 0, 0, 0, 0 };
  /* pass 1; a failed prepare here (out of memory) makes the value NaN, which
   * the optimiser reports */
  if (!gram_pass (obj, x, W, H, TRUE))
    return NAN;
  const int n = (int) obj->style_targets->len;
  for (int k = 0; k < obj->n_style; k++)
    {
      int C = gram_floats (obj, k, obj->gram_ws);
      for (int s = 0; s < n; s++)
        {
          StyleTarget *st = g_ptr_array_index (obj->style_targets, s);
          obj->targets_tmp[s] = st[k].gram;
          obj->norms_tmp[s] = st[k].norm_sq;
        }
      Owned o = { .gh = ns_tile_tap_len (t->geom, obj->style[k].tap, t->ih),
                  .gw = ns_tile_tap_len (t->geom, obj->style[k].tap, t->iw) };
      obj->last.style += ns_style_gram_op (C, (size_t) o.gh * o.gw, obj->targets_tmp,
                                           obj->norms_tmp, obj->beta_norm, n,
                                           obj->beta * obj->style[k].weight, obj->gram_ws);
      memcpy (obj->style_op[k], obj->gram_ws, (size_t) C * C * sizeof (float));
    }
  for (int i = 0; i < obj->n_content; i++)
    {
      int C, tap = obj->content[i].tap;
      ns_network_tap_shape (obj->net, tap, &C, NULL, NULL);
      const size_t N = (size_t) C * ns_tile_tap_len (t->geom, tap, t->ih)
                       * ns_tile_tap_len (t->geom, tap, t->iw);
      const double b = obj->alpha * obj->content[i].weight;
      obj->last.content += b * t->csum[i] / ((double) N * (obj->content_msq[i] + NS_LOSS_EPS));
      obj->content_gscale[i] = ns_content_grad_scale (N, obj->content_msq[i], b);
    }
  /* pass 2 */
  memset (g, 0, (size_t) 3 * W * H * sizeof (float));
  for (int i = 0; i < t->n_tiles; i++)
    {
      if (!load_tile (obj, &t->tiles[i], x, W, H))
        return NAN;
      ns_network_forward (obj->net, t->xt);
      ns_network_backward (obj->net, &tiled_losses, obj, t->gt);
      store_tile_grad (t, g, W, H);
    }
  obj->last.tv = ns_tv_loss (x, H, W, obj->gamma, g);
  obj->last.total = obj->last.content + obj->last.style + obj->last.tv;
  return obj->last.total;
}

gboolean
ns_obj_tiled_content (NsObjective *obj, const float *content, GError **error)
{
  NsObjTiling *t = obj->tiling;
  for (int i = 0; i < obj->n_content; i++)
    {
      int C, tap = obj->content[i].tap;
      ns_network_tap_shape (obj->net, tap, &C, NULL, NULL);
      size_t n = (size_t) C * ns_tile_tap_len (t->geom, tap, t->ih)
                 * ns_tile_tap_len (t->geom, tap, t->iw);
      g_free (obj->content_feat[i]);
      if (!(obj->content_feat[i] = g_try_new (float, n)))
        {
          g_set_error (error, NS_ERROR, NS_ERROR_NO_MEMORY, "out of memory (content features)");
          return FALSE;
        }
    }
  for (int j = 0; j < t->n_tiles; j++)
    {
      if (!load_tile (obj, &t->tiles[j], content, obj->W, obj->H))
        {
          g_set_error (error, NS_ERROR, NS_ERROR_NO_MEMORY, "out of memory (tile network)");
          return FALSE;
        }
      ns_network_forward (obj->net, t->xt);
      for (int i = 0; i < obj->n_content; i++)
        {
          int C, tap = obj->content[i].tap;
          const float *F = ns_network_tap (obj->net, tap, &C, NULL, NULL);
          Owned o = owned (obj, tap);
          for (int c = 0; c < C; c++)
            for (int y = o.y0; y < o.y1; y++)
              memcpy (obj->content_feat[i] + ((size_t) c * o.gh + o.gy + y - o.y0) * o.gw + o.gx,
                      F + ((size_t) c * o.h + y) * o.w + o.x0,
                      (size_t) (o.x1 - o.x0) * sizeof (float));
        }
    }
  for (int i = 0; i < obj->n_content; i++)
    {
      int C, tap = obj->content[i].tap;
      ns_network_tap_shape (obj->net, tap, &C, NULL, NULL);
      size_t n = (size_t) C * ns_tile_tap_len (t->geom, tap, t->ih)
                 * ns_tile_tap_len (t->geom, tap, t->iw);
      obj->content_msq[i] = ns_mean_square (obj->content_feat[i], n);
    }
  return TRUE;
}

gboolean
ns_obj_tiled_style_grams (NsObjective *obj, const float *style, int sw, int sh,
                          float **gram, gboolean *done, GError **error)
{
  NsObjTiling *t = obj->tiling;
  *done = FALSE;
  if (!t || t->core <= 0 || obj->style_loss != NS_STYLE_LOSS_GRAM)
    return TRUE;
  /* the style's own grid; the content level's is rebuilt after */
  int lw = t->iw, lh = t->ih;
  gboolean level = obj->tiled;
  gboolean ok = TRUE;
  if (make_grid (t, sw, sh))
    {
      ok = grid_buffers (obj, error) && gram_pass (obj, style, sw, sh, FALSE);
      if (!ok && error && !*error)
        g_set_error (error, NS_ERROR, NS_ERROR_NO_MEMORY, "out of memory (style tile)");
      for (int k = 0; k < obj->n_style && ok; k++)
        {
          int C;
          ns_network_tap_shape (obj->net, obj->style[k].tap, &C, NULL, NULL);
          if (!(gram[k] = g_try_new (float, (size_t) C * C)))
            {
              g_set_error (error, NS_ERROR, NS_ERROR_NO_MEMORY, "out of memory (Gram matrix)");
              ok = FALSE;
            }
          else
            gram_floats (obj, k, gram[k]);
        }
      *done = ok;
    }
  if (level)
    make_grid (t, lw, lh);
  else
    g_clear_pointer (&t->tiles, g_free);
  return ok;
}

guint64
ns_objective_tiled_memory_bytes (NsObjective *obj, int W, int H, int n_styles, int core)
{
  if (core <= 0 || !ns_objective_set_tiling (obj, core, 0, NULL))
    return 0;
  NsObjTiling *t = obj->tiling;
  int pw, ph;
  ns_objective_edge_pad (obj, W, H, &pw, &ph);
  const int Wp = W + pw, Hp = H + ph;
  int n;
  g_free (ns_tile_grid (t->geom, Wp, Hp, core, t->halo, &n));
  if (n <= 1)
    return 0;
  const int eh = ns_tile_max_extent (t->geom, Hp, core, t->halo);
  const int ew = ns_tile_max_extent (t->geom, Wp, core, t->halo);
  guint64 bytes = ns_network_memory_bytes (obj->net, eh, ew);   /* plans the tap shapes */
  if (bytes == 0)
    return 0;
  bytes += (guint64) 2 * 3 * eh * ew * sizeof (float);         /* tile image, gradient */
  int cmax = 1;
  size_t ws = 1;
  for (int k = 0; k < obj->n_style; k++)
    {
      int C;
      ns_network_tap_shape (obj->net, obj->style[k].tap, &C, NULL, NULL);
      bytes += (guint64) C * C * (sizeof (double) + (n_styles + 1) * sizeof (float));
      cmax = MAX (cmax, C);
      ws = MAX (ws, ns_style_ws_floats (C));
    }
  bytes += ((guint64) cmax * MAX (GRAM_CHUNK, ew) + 2 * ws) * sizeof (float);
  for (int i = 0; i < obj->n_content; i++)
    {
      int C, tap = obj->content[i].tap;
      ns_network_tap_shape (obj->net, tap, &C, NULL, NULL);
      bytes += (guint64) C * ns_tile_tap_len (t->geom, tap, Hp) * ns_tile_tap_len (t->geom, tap, Wp)
               * sizeof (float);                                 /* content targets */
    }
  return bytes;
}

double
ns_objective_tiled_forward_flops (NsObjective *obj, int W, int H, int core)
{
  if (core <= 0 || !ns_objective_set_tiling (obj, core, 0, NULL))
    return 0;
  int pw, ph, n;
  ns_objective_edge_pad (obj, W, H, &pw, &ph);
  NsTile *tl = ns_tile_grid (obj->tiling->geom, W + pw, H + ph, core, obj->tiling->halo, &n);
  double f = 0;
  for (int i = 0; i < n && n > 1; i++)
    f += ns_network_forward_flops (obj->net, tl[i].y.e1 - tl[i].y.e0, tl[i].x.e1 - tl[i].x.e0);
  g_free (tl);
  return f;
}

void
ns_objective_tiled_grid (NsObjective *obj, int W, int H, int core, int *nx, int *ny)
{
  *nx = *ny = 1;
  if (core <= 0 || !ns_objective_set_tiling (obj, core, 0, NULL))
    return;
  int pw, ph, n;
  ns_objective_edge_pad (obj, W, H, &pw, &ph);
  NsTile *tl = ns_tile_grid (obj->tiling->geom, W + pw, H + ph, core, obj->tiling->halo, &n);
  if (n > 1)
    {
      *nx = *ny = 0;
      for (int i = 0; i < n; i++)   /* as make_grid counts */
        {
          *nx += tl[i].y.c0 == 0;
          *ny += tl[i].x.c0 == 0;
        }
    }
  g_free (tl);
}
