/* graph_passes.c — the graph executor's forward and backward passes (the
 * node kinds and the gradient rule are described in graph.c), taps and
 * per-node timers. */
#include "graph_private.h"
#include "classifier.h"
#include "conv.h"
#include "relu.h"

#include <string.h>

/* -------------------------------------------------------------- passes */

static const float *
in_data (const NsGraph *g, int j)
{
  return j < 0 ? g->input : g->nodes[j].out;
}

static float *
in_grad (const NsGraph *g, int j)
{
  return j < 0 ? g->dinput : g->nodes[j].grad;
}

static double
prof_now (const NsGraph *g)
{
  return g->prof ? g_get_monotonic_time () / 1e6 : 0.0;
}

static void
prof_add (NsGraph *g, int i, int k, double *t)
{
  if (!g->prof)
    return;
  const double now = prof_now (g);
  g->prof[3 * i + k] += now - *t;
  *t = now;
}

static void
forward_node (NsGraph *g, GraphNode *nd)
{
  int c, h, w;
  ns_graph_in_shape (g, nd->in[0], &c, &h, &w);
  const float *x = in_data (g, nd->in[0]);
  const size_t n = (size_t) nd->c * nd->h * nd->w;
  switch (nd->desc->kind)
    {
    case NS_LAYER_CONV:
      ns_wino_conv (&nd->conv, &nd->wino, 0, x, h, w, nd->desc->relu, 0, nd->out, &g->ws,
                    g->pack_tmp);
      break;
    case NS_LAYER_RELU:
      memcpy (nd->out, x, n * sizeof (float));
      ns_relu_forward (nd->out, n);
      break;
    case NS_LAYER_POOL:
      ns_pool_forward_arg (&nd->pool, x, c, h, w, nd->out, nd->arg);
      break;
    case NS_LAYER_LRN:
      ns_lrn_forward (&nd->lrn, x, c, (size_t) h * w, nd->out, nd->scale);
      break;
    case NS_LAYER_CONCAT:
      {
        size_t off = 0;
        for (int k = 0; k < nd->n_in; k++)
          {
            int ck, hk, wk;
            ns_graph_in_shape (g, nd->in[k], &ck, &hk, &wk);
            const size_t m = (size_t) ck * hk * wk;
            if (nd->in[k] < 0 || g->nodes[nd->in[k]].concat < 0)
              memcpy (nd->out + off, in_data (g, nd->in[k]), m * sizeof (float));
            off += m;
          }
      }
      break;
    case NS_LAYER_FC:
      ns_inner_product_forward (nd->conv.weight, nd->conv.bias, nd->conv.cout, nd->conv.cin, x,
                                nd->out);
      break;
    case NS_LAYER_SOFTMAX:
      ns_softmax_forward (x, nd->c, nd->out);
      break;
    case NS_LAYER_FIRE:     /* (chain architectures only: net/network.c) */
      break;
    }
}

/* dx += d(node)/d(input) · grad, for every bottom. */
static void
backward_node (NsGraph *g, GraphNode *nd)
{
  int c, h, w;
  ns_graph_in_shape (g, nd->in[0], &c, &h, &w);
  const float *x = in_data (g, nd->in[0]);
  float *dx = in_grad (g, nd->in[0]), *dy = nd->grad;
  const size_t n = (size_t) nd->c * nd->h * nd->w, nin = (size_t) c * h * w;
  switch (nd->desc->kind)
    {
    case NS_LAYER_CONV:
      if (nd->desc->relu)
        ns_relu_backward (nd->out, dy, n);
      ns_wino_conv (&nd->conv, &nd->wino, 1, dy, h, w, 0, 1, dx, &g->ws, g->pack_tmp);
      break;
    case NS_LAYER_RELU:
      ns_relu_backward (nd->out, dy, n);
      for (size_t i = 0; i < n; i++)
        dx[i] += dy[i];
      break;
    case NS_LAYER_POOL:
      if (ns_graph_is_max_pool (nd))
        ns_pool_backward_arg (&nd->pool, nd->arg, dy, c, h, w, g->tmp);
      else
        ns_pool_backward (&nd->pool, x, nd->out, dy, c, h, w, g->tmp);
#pragma omp parallel for schedule(static) if (nin >= 65536)
      for (size_t i = 0; i < nin; i++)
        dx[i] += g->tmp[i];
      break;
    case NS_LAYER_LRN:
      ns_lrn_backward (&nd->lrn, x, nd->out, nd->scale, dy, c, (size_t) h * w, dx);
      break;
    case NS_LAYER_CONCAT:
      {
        size_t off = 0;
        for (int k = 0; k < nd->n_in; k++)
          {
            int ck, hk, wk;
            ns_graph_in_shape (g, nd->in[k], &ck, &hk, &wk);
            const size_t m = (size_t) ck * hk * wk;
            if (nd->in[k] < 0 || g->nodes[nd->in[k]].concat < 0)
              {
                float *d = in_grad (g, nd->in[k]);
                for (size_t i = 0; i < m; i++)
                  d[i] += dy[off + i];
              }
            off += m;
          }
      }
      break;
    case NS_LAYER_FC:
      ns_inner_product_backward (nd->conv.weight, nd->conv.cout, nd->conv.cin, dy, dx);
      break;
    case NS_LAYER_SOFTMAX:
      ns_softmax_backward (nd->out, dy, nd->c, dx);
      break;
    case NS_LAYER_FIRE:
      break;
    }
}

double
ns_graph_forward_losses (NsGraph *g, const float *image, const NsTapLoss *losses, void *ctx)
{
  double loss = 0.0;
  ns_preprocess_apply (&g->pre, image, (size_t) g->H * g->W, g->input);
  for (int i = 0; i < g->n_nodes; i++)
    {
      GraphNode *nd = &g->nodes[i];
      if (!nd->needed)
        continue;
      double t = prof_now (g);
      forward_node (g, nd);
      prof_add (g, i, 0, &t);
      for (int k = 0; k < g->n_taps && losses; k++)
        if (g->tap_node[k] == i)
          loss += losses->loss (k, nd->out, nd->c, nd->h * nd->w, ctx);
      prof_add (g, i, 2, &t);
    }
  return loss;
}

void
ns_graph_backward (NsGraph *g, const NsTapLoss *losses, void *ctx, float *dimage)
{
  memset (g->dinput, 0, sizeof (float) * 3 * g->H * g->W);
  for (int i = 0; i < g->n_nodes; i++)
    if (g->nodes[i].needed && g->nodes[i].concat < 0)
      memset (g->nodes[i].grad, 0,
              sizeof (float) * g->nodes[i].c * g->nodes[i].h * g->nodes[i].w);
  for (int i = g->n_nodes - 1; i >= 0; i--)
    {
      GraphNode *nd = &g->nodes[i];
      if (!nd->needed)
        continue;
      const int hw = nd->h * nd->w;
      double t = prof_now (g);
      for (int k = 0; k < g->n_taps && losses; k++)
        if (g->tap_node[k] == i)
          losses->grad (k, nd->out, hw, nd->c, hw, 0, nd->grad, hw, ctx);
      prof_add (g, i, 2, &t);
      backward_node (g, nd);
      prof_add (g, i, 1, &t);
    }
  ns_preprocess_backward (&g->pre, g->dinput, (size_t) g->H * g->W, dimage);
}

/* ------------------------------------------------------ taps, profiling */

void
ns_graph_tap_shape (const NsGraph *g, int i, int *C, int *H, int *W)
{
  const GraphNode *nd = &g->nodes[g->tap_node[i]];
  if (C) *C = nd->c;
  if (H) *H = nd->h;
  if (W) *W = nd->w;
}

const float *
ns_graph_tap (NsGraph *g, int i, int *C, int *H, int *W)
{
  ns_graph_tap_shape (g, i, C, H, W);
  return g->nodes[g->tap_node[i]].out;
}

int
ns_graph_n_taps (const NsGraph *g)
{
  return g->n_taps;
}

void
ns_graph_set_profile (NsGraph *g, gboolean on)
{
  g_clear_pointer (&g->prof, g_free);
  if (on)
    g->prof = g_new0 (double, 3 * (gsize) g->n_nodes);
}

int
ns_graph_n_nodes (const NsGraph *g)
{
  return g->n_nodes;
}

void
ns_graph_node_profile (const NsGraph *g, int i, const char **name, int *C, int *H, int *W,
                       double *gflop, double *fwd_s, double *bwd_s, double *loss_s)
{
  const GraphNode *nd = &g->nodes[i];
  *name = nd->desc->name;
  *C = nd->c;
  *H = nd->h;
  *W = nd->w;
  *gflop = nd->needed ? ns_graph_node_flops (nd) / 1e9 : 0.0;
  *fwd_s = g->prof ? g->prof[3 * i] : 0;
  *bwd_s = g->prof ? g->prof[3 * i + 1] : 0;
  *loss_s = g->prof ? g->prof[3 * i + 2] : 0;
}
