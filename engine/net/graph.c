/* graph.c — the executor for graph architectures (graph.h): BVLC GoogLeNet.
 *
 * Nodes are the table's layers up to the deepest tap, in the table's
 * (topological) order; only the ancestors of the taps are computed.  Each
 * node reads its bottoms' outputs (-1: the preprocessed image):
 *   CONV     out = conv(in) (+ ReLU in place)      net/wino.h (fused Winograd
 *                                                  for 3x3/s1/p1, else ops/conv.h)
 *   POOL     max (argmax bytes kept) or average    ops/pool.h
 *   LRN      across channels (scale kept)          ops/lrn.h
 *   CONCAT   along channels: in CHW layout the bottoms are adjacent blocks
 *            of the output, so a bottom read only by the concatenation
 *            writes there directly (and reads its gradient from there)
 *   FC       inner product on the flattened map    ops/classifier.h
 *   SOFTMAX  over channels of a 1x1 map            ops/classifier.h
 * Backward: every gradient buffer is zeroed, then in reverse order each
 * node adds its tap losses' dL/dF and *adds* its input gradient to its
 * bottoms' (a blob read by several branches sums their gradients).
 */
#include "graph_private.h"

#include <string.h>

/* ---------------------------------------------------------------- build */

static int
find_node (const NsGraph *g, int before, const char *name)
{
  for (int i = before - 1; i >= 0; i--)
    if (g_strcmp0 (g->nodes[i].desc->name, name) == 0)
      return i;
  return -2;
}

static gboolean
link_bottoms (NsGraph *g, int i, GError **error)
{
  GraphNode *nd = &g->nodes[i];
  const NsLayerDesc *d = nd->desc;
  nd->n_in = 0;
  if (!d->bottom[0])
    nd->in[nd->n_in++] = i - 1;
  for (int k = 0; k < NS_LAYER_MAX_BOTTOMS && d->bottom[k]; k++)
    {
      const int j = g_strcmp0 (d->bottom[k], "data") == 0 ? -1 : find_node (g, i, d->bottom[k]);
      if (j < -1)
        {
          g_set_error (error, NS_ERROR, NS_ERROR_FORMAT,
                       "layer %s: bottom %s is not an earlier layer", d->name, d->bottom[k]);
          return FALSE;
        }
      nd->in[nd->n_in++] = j;
    }
  return TRUE;
}

/* Specs of node nd; its weights (viewed in place, or copies) unless plan_only. */
static gboolean
load_node (const NsModel *model, NsPoolingType pooling, gboolean plan_only, GraphNode *nd,
           GError **error)
{
  const NsLayerDesc *d = nd->desc;
  NsConvDesc cd[3];
  const float *w = NULL, *b = NULL;
  if (ns_layer_convs (d, cd) == 1)
    {
      if (!plan_only
          && !ns_model_view_weights (model, &cd[0], &w, &b, &nd->owned[0], &nd->owned[1], error))
        return FALSE;
      nd->conv = (NsConvSpec) { cd[0].cin, cd[0].cout, cd[0].k, cd[0].k, cd[0].stride,
                                cd[0].pad, w, b };
    }
  nd->pool = (NsPoolSpec) { d->k, d->stride, d->pad, d->ceil_mode,
                            d->avg ? NS_POOLING_AVG : pooling };
  nd->lrn = (NsLrnSpec) { d->k, d->alpha, d->beta, d->lrn_k };
  return TRUE;
}

NsGraph *
ns_graph_new (const NsModel *model, NsPoolingType pooling, const char *const *taps, int n_taps,
              gboolean plan_only, GError **error)
{
  int n_layers;
  const NsLayerDesc *layers = ns_arch_layers (model->arch, &n_layers);
  int deepest = -1;
  int *tap_layer = g_new (int, MAX (n_taps, 1));
  for (int t = 0; t < n_taps; t++)
    {
      tap_layer[t] = -1;
      for (int i = 0; i < n_layers; i++)
        if (g_strcmp0 (layers[i].name, taps[t]) == 0)
          tap_layer[t] = i;
      if (tap_layer[t] < 0)
        {
          g_set_error (error, NS_ERROR, NS_ERROR_INVALID_ARG, "unknown layer \"%s\" for %s",
                       taps[t], ns_arch_name (model->arch));
          g_free (tap_layer);
          return NULL;
        }
      deepest = MAX (deepest, tap_layer[t]);
    }
  if (deepest < 0)
    {
      g_set_error (error, NS_ERROR, NS_ERROR_INVALID_ARG, "no layers to tap");
      g_free (tap_layer);
      return NULL;
    }

  NsGraph *g = g_new0 (NsGraph, 1);
  g->pre = model->pre;
  g->plan_only = plan_only;
  g->input_size = ns_arch_info (model->arch)->input_size;
  g->n_nodes = deepest + 1;
  g->nodes = g_new0 (GraphNode, g->n_nodes);
  g->n_taps = n_taps;
  g->tap_node = tap_layer;
  gboolean ok = TRUE;
  for (int i = 0; i < g->n_nodes && ok; i++)
    {
      g->nodes[i].desc = &layers[i];
      g->nodes[i].concat = -1;
      ok = link_bottoms (g, i, error);
    }
  for (int t = 0; t < n_taps; t++)
    g->nodes[tap_layer[t]].tapped = g->nodes[tap_layer[t]].needed = 1;
  for (int i = g->n_nodes - 1; i >= 0 && ok; i--)
    if (g->nodes[i].needed)
      for (int k = 0; k < g->nodes[i].n_in; k++)
        if (g->nodes[i].in[k] >= 0)
          {
            g->nodes[g->nodes[i].in[k]].needed = 1;
            g->nodes[g->nodes[i].in[k]].consumers++;
          }
  /* a bottom read only by its concatenation lives inside it */
  for (int i = 0; i < g->n_nodes && ok; i++)
    {
      GraphNode *nd = &g->nodes[i];
      if (!nd->needed || nd->desc->kind != NS_LAYER_CONCAT)
        continue;
      int off = 0;
      for (int k = 0; k < nd->n_in; k++)
        {
          const int j = nd->in[k];
          if (j >= 0 && g->nodes[j].consumers == 1)
            {
              g->nodes[j].concat = i;
              g->nodes[j].offset = off;
            }
          off += j >= 0 ? g->nodes[j].desc->cout : 3;
        }
    }
  for (int i = 0; i < g->n_nodes && ok; i++)
    if (g->nodes[i].needed)
      ok = load_node (model, pooling, plan_only, &g->nodes[i], error);
  if (ok)
    {
      const NsConvSpec **convs = g_new (const NsConvSpec *, g->n_nodes);
      NsWino **winos = g_new (NsWino *, g->n_nodes);
      int nc = 0;
      for (int i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].needed && g->nodes[i].desc->kind == NS_LAYER_CONV)
          {
            convs[nc] = &g->nodes[i].conv;
            winos[nc++] = &g->nodes[i].wino;
          }
      ns_wino_plan_cache (convs, winos, nc, !plan_only);
      g_free (convs);
      g_free (winos);
    }
  if (!ok)
    {
      ns_graph_free (g);
      return NULL;
    }
  return g;
}

void
ns_graph_free_buffers (NsGraph *g)
{
  for (int i = 0; i < g->n_nodes; i++)
    {
      GraphNode *nd = &g->nodes[i];
      if (nd->concat < 0)
        {
          g_free (nd->out);
          g_free (nd->grad);
        }
      nd->out = nd->grad = NULL;
      g_clear_pointer (&nd->arg, g_free);
      g_clear_pointer (&nd->scale, g_free);
    }
  g_clear_pointer (&g->input, g_free);
  g_clear_pointer (&g->dinput, g_free);
  g_clear_pointer (&g->tmp, g_free);
  g_clear_pointer (&g->ws.data, g_free);
  g_clear_pointer (&g->pack_tmp, g_free);
  g->ws.floats = 0;
  g->H = g->W = 0;
}

void
ns_graph_free (NsGraph *g)
{
  if (!g)
    return;
  ns_graph_free_buffers (g);
  for (int i = 0; i < g->n_nodes; i++)
    {
      g_free (g->nodes[i].owned[0]);
      g_free (g->nodes[i].owned[1]);
      ns_wino_clear (&g->nodes[i].wino);
    }
  g_free (g->nodes);
  g_free (g->tap_node);
  g_free (g->prof);
  g_free (g);
}

gboolean
ns_graph_prepare (NsGraph *g, int H, int W, GError **error)
{
  g_return_val_if_fail (!g->plan_only, FALSE);
  if (g->H == H && g->W == W)
    return TRUE;
  ns_graph_free_buffers (g);
  Sizes sz;
  char *why = NULL;
  g->H = H, g->W = W;
  if (!ns_graph_plan_shapes (g, &sz, &why))
    {
      g_set_error (error, NS_ERROR, NS_ERROR_INVALID_ARG, "image of %dx%d %s: %s", W, H,
                   strstr (why, "would be empty") ? "is too small" : "does not fit the network",
                   why);
      g_free (why);
      g->H = g->W = 0;
      return FALSE;
    }
  gboolean ok = TRUE;
#define ALLOC(ptr, n) do { (ptr) = g_try_new (float, MAX ((n), 1)); ok = ok && (ptr); } while (0)
  ALLOC (g->input, (gsize) 3 * H * W);
  ALLOC (g->dinput, (gsize) 3 * H * W);
  ALLOC (g->tmp, sz.tmp);
  ALLOC (g->ws.data, sz.ws);
  if (sz.pack)
    ALLOC (g->pack_tmp, sz.pack);
  /* own buffers first, then (in reverse order: a concatenation may itself
   * live in a later one) the slices */
  for (int i = 0; i < g->n_nodes && ok; i++)
    {
      GraphNode *nd = &g->nodes[i];
      const gsize n = (gsize) nd->c * nd->h * nd->w;
      if (!nd->needed)
        continue;
      if (nd->concat < 0)
        {
          ALLOC (nd->out, n);
          ALLOC (nd->grad, n);
        }
      if (ns_graph_is_max_pool (nd))
        {
          nd->arg = g_try_malloc (MAX (n, 1));
          ok = ok && nd->arg;
        }
      if (nd->desc->kind == NS_LAYER_LRN)
        ALLOC (nd->scale, n);
    }
#undef ALLOC
  for (int i = g->n_nodes - 1; i >= 0 && ok; i--)
    {
      GraphNode *nd = &g->nodes[i];
      if (nd->needed && nd->concat >= 0)
        {
          const GraphNode *cat = &g->nodes[nd->concat];
          const size_t off = (size_t) nd->offset * nd->h * nd->w;
          nd->out = cat->out + off;
          nd->grad = cat->grad + off;
        }
    }
  if (!ok)
    {
      ns_graph_free_buffers (g);
      g_set_error (error, NS_ERROR, NS_ERROR_NO_MEMORY,
                   "out of memory allocating network buffers for %dx%d", W, H);
      return FALSE;
    }
  g->ws.floats = MAX (sz.ws, 1);
  return TRUE;
}
