/* graph_plan.c — the graph executor's plan at an input size: every needed
 * node's shape, the buffers (memory) and FLOPs.  Reads no weights. */
#include "graph_private.h"
#include "conv.h"

#include <string.h>

/* ----------------------------------------------------------------- plan */



void
ns_graph_in_shape (const NsGraph *g, int j, int *c, int *h, int *w)
{
  if (j < 0)
    *c = 3, *h = g->H, *w = g->W;
  else
    *c = g->nodes[j].c, *h = g->nodes[j].h, *w = g->nodes[j].w;
}

gboolean
ns_graph_is_max_pool (const GraphNode *nd)
{
  return nd->desc->kind == NS_LAYER_POOL && nd->pool.type == NS_POOLING_MAX;
}

/* Shapes of the needed nodes at H x W (g->H/W set by the caller); FALSE
 * with *why set when a node would be empty or the classifier does not fit. */
gboolean
ns_graph_plan_shapes (NsGraph *g, Sizes *sz, char **why)
{
  memset (sz, 0, sizeof *sz);
  sz->floats = (guint64) 6 * g->H * g->W;
  for (int i = 0; i < g->n_nodes; i++)
    {
      GraphNode *nd = &g->nodes[i];
      if (!nd->needed)
        continue;
      int c, h, w, oh, ow;
      ns_graph_in_shape (g, nd->in[0], &c, &h, &w);
      oh = h, ow = w;
      switch (nd->desc->kind)
        {
        case NS_LAYER_CONV:
          ns_conv_out_size (&nd->conv, h, w, &oh, &ow);
          c = nd->conv.cout;
          if (oh > 0 && ow > 0)
            ns_wino_plan_scratch (&nd->conv, &nd->wino, h, w, &sz->ws, &sz->pack);
          break;
        case NS_LAYER_POOL:
          ns_pool_out_size (&nd->pool, h, w, &oh, &ow);
          sz->tmp = MAX (sz->tmp, (guint64) c * h * w);
          break;
        case NS_LAYER_CONCAT:
          for (int k = 1; k < nd->n_in; k++)
            {
              int ck, hk, wk;
              ns_graph_in_shape (g, nd->in[k], &ck, &hk, &wk);
              if (hk != h || wk != w)
                {
                  *why = g_strdup_printf ("%s: inputs of %dx%d and %dx%d", nd->desc->name,
                                          w, h, wk, hk);
                  return FALSE;
                }
              c += ck;
            }
          break;
        case NS_LAYER_FC:
          if ((guint64) c * h * w != (guint64) nd->conv.cin)
            {
              *why = g_strdup_printf ("%s needs %d inputs, not %d x %d x %d (the classifier "
                                      "needs a %d x %d image)", nd->desc->name, nd->conv.cin,
                                      c, h, w, g->input_size, g->input_size);
              return FALSE;
            }
          c = nd->conv.cout, oh = ow = 1;
          break;
        case NS_LAYER_SOFTMAX:
          if (h * w != 1)
            {
              *why = g_strdup_printf ("%s: softmax over a %dx%d map", nd->desc->name, w, h);
              return FALSE;
            }
          break;
        default:     /* LRN, ReLU: same shape */
          break;
        }
      if (oh <= 0 || ow <= 0)
        {
          *why = g_strdup_printf ("layer %s would be empty", nd->desc->name);
          return FALSE;
        }
      nd->c = c, nd->h = oh, nd->w = ow;
      const guint64 n = (guint64) c * oh * ow;
      if (nd->concat < 0)
        sz->floats += 2 * n;
      if (ns_graph_is_max_pool (nd))
        sz->bytes += n;
      if (nd->desc->kind == NS_LAYER_LRN)
        sz->floats += n;
    }
  sz->floats += sz->ws + sz->tmp + sz->pack;
  return TRUE;
}

/* Plan at H x W, then restore the prepared size's shapes. */
static gboolean
plan_at (NsGraph *g, int H, int W, Sizes *sz)
{
  const int h0 = g->H, w0 = g->W;
  char *why = NULL;
  g->H = H, g->W = W;
  gboolean ok = ns_graph_plan_shapes (g, sz, &why);
  g_free (why);
  g->H = h0, g->W = w0;
  if (h0 > 0)
    {
      Sizes s0;
      ns_graph_plan_shapes (g, &s0, &why);
      g_free (why);
    }
  return ok;
}

guint64
ns_graph_memory_bytes (NsGraph *g, int H, int W)
{
  Sizes sz;
  return plan_at (g, H, W, &sz) ? sizeof (float) * sz.floats + sz.bytes : 0;
}

double
ns_graph_node_flops (const GraphNode *nd)
{
  if (nd->desc->kind == NS_LAYER_CONV)
    return 2.0 * nd->conv.cout * nd->conv.cin * nd->conv.kh * nd->conv.kw * (double) nd->h
      * nd->w;
  if (nd->desc->kind == NS_LAYER_FC)
    return 2.0 * nd->conv.cout * nd->conv.cin;
  return 0.0;
}

double
ns_graph_forward_flops (NsGraph *g, int H, int W)
{
  const int h0 = g->H, w0 = g->W;
  Sizes sz;
  char *why = NULL;
  double f = 0;
  g->H = H, g->W = W;
  if (ns_graph_plan_shapes (g, &sz, &why))
    for (int i = 0; i < g->n_nodes; i++)
      if (g->nodes[i].needed)
        f += ns_graph_node_flops (&g->nodes[i]);
  g_free (why);
  g->H = h0, g->W = w0;
  if (h0 > 0)
    plan_at (g, h0, w0, &sz);
  return f;
}

guint64
ns_graph_weight_bytes (const NsGraph *g)
{
  guint64 floats = 0;
  for (int i = 0; i < g->n_nodes; i++)
    if (g->nodes[i].needed && g->nodes[i].conv.cout > 0)
      {
        const NsConvSpec *c = &g->nodes[i].conv;
        floats += (guint64) c->cout * ((guint64) c->cin * c->kh * c->kw + 1);
        if (g->nodes[i].wino.cached)
          floats += ns_wino_pack_floats (c, 0) + ns_wino_pack_floats (c, 1);
      }
  return floats * sizeof (float);
}
