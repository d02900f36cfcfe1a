/* plan.c — the chain network's plan at a given input size: every node's
 * shape, what is stored (taps, recomputed convs), banded mode, the sizes of
 * the transient buffers, memory and FLOPs.  Reads no weights: estimates
 * run on a plan-only network (ns_network_new_plan).
 */
#include "network_private.h"
#include "conv.h"

#include <string.h>

gboolean
ns_net_has_relu (const Node *nd)
{
  return (nd->desc->kind == NS_LAYER_CONV && nd->fused_relu) || nd->desc->kind == NS_LAYER_RELU
         || nd->desc->kind == NS_LAYER_FIRE;
}

gboolean
ns_net_is_max_pool (const Node *nd)
{
  return nd->desc->kind == NS_LAYER_POOL && nd->pool.type == NS_POOLING_MAX;
}

guint64
ns_net_node_floats (const NsNetwork *net, int i)
{
  const Node *nd = &net->nodes[i];
  return (guint64) nd->c * nd->h * nd->w;
}

/* A conv that can run in place (flip 0: forward, 1: input gradient): fused
 * 3x3, as many outputs as inputs, not kept; forward only reading a
 * transient output of the node before. */
static gboolean
in_place_candidate (const NsNetwork *net, int i, int flip)
{
  const Node *nd = &net->nodes[i];
  return i > 0 && nd->desc->kind == NS_LAYER_CONV && nd->wino[0].fused && !nd->keep
         && !nd->recompute && nd->conv.cin == nd->conv.cout
         && (flip || !net->nodes[i - 1].keep);
}

/* Buffers of one banded conv (cin -> cout at h x w) and its scratch. */
static void
plan_band_conv (const NsNetwork *net, const NsConvSpec *c, const NsWino *wn, int h, int w,
                Sizes *sz)
{
  const int bh = MIN (net->band_rows, h) + 2;
  sz->band_in = MAX (sz->band_in, (guint64) c->cin * bh * w);
  sz->band_out = MAX (sz->band_out, (guint64) c->cout * bh * w);
  sz->band_carry = MAX (sz->band_carry, (guint64) c->cin * w);
  ns_wino_plan_scratch (c, wn, bh, w, &sz->ws_floats, &sz->pack_floats);
}

/* Banded mode at the planned size, and what is stored: the taps, except
 * recomputed convs (the first always; in banded mode also a fused 3x3 conv
 * whose input is smaller than its output, VGG-19's relu2_1 from pool1,
 * whose input is then kept instead). */
static void
plan_storage (NsNetwork *net, const Sizes *sz)
{
  net->band_rows = net->band_request < 0 ? 0 : net->band_request > 0 ? net->band_request
    : sz->max_act > BAND_MIN_FLOATS ? AUTO_BAND_ROWS : 0;
  for (int i = net->first_recompute ? 1 : 0; i < net->n_nodes; i++)
    {
      Node *nd = &net->nodes[i];
      nd->keep = nd->tapped;
      nd->recompute = 0;
    }
  for (int i = 1; i < net->n_nodes && net->band_rows > 0; i++)
    {
      Node *nd = &net->nodes[i], *prev = &net->nodes[i - 1];
      if (nd->tapped && nd->desc->kind == NS_LAYER_CONV && nd->wino[0].fused
          && !prev->keep && !prev->recompute && ns_net_node_floats (net, i - 1) < ns_net_node_floats (net, i))
        {
          nd->keep = 0;
          nd->recompute = 1;
          prev->keep = 1;
        }
    }
}

/* The in-place convs and the sizes the two transient buffers need: a dry
 * run of the buffer choices that ns_network_forward and
 * ns_network_backward make. */
static void
plan_bands (NsNetwork *net, int H, int W, Sizes *sz)
{
  /* in place: the convs of the two largest activation sizes (VGG-19:
   * conv1_2 both ways, conv2_2's input gradient) */
  for (int i = 0; i < net->n_nodes; i++)
    {
      Node *nd = &net->nodes[i];
      for (int flip = 0; flip < 2; flip++)
        {
          nd->in_place[flip] = net->band_rows > 0 && in_place_candidate (net, i, flip)
            && 2 * ns_net_node_floats (net, i) >= sz->max_act;
          if (nd->in_place[flip])
            plan_band_conv (net, &nd->conv, &nd->wino[0], nd->h, nd->w, sz);
        }
    }
  /* (conv_rows: 3x3/s1/p1 only; SqueezeNet's strided conv1 is recomputed whole) */
  net->band_first = net->band_rows > 0 && net->nodes[0].recompute
    && net->nodes[0].wino[0].fused;
  if (net->band_first)
    plan_band_conv (net, &net->nodes[0].conv, &net->nodes[0].wino[0], H, W, sz);
  for (int i = 1; i < net->n_nodes; i++)
    if (net->nodes[i].recompute)
      plan_band_conv (net, &net->nodes[i].conv, &net->nodes[i].wino[0], net->nodes[i].h,
                      net->nodes[i].w, sz);

  guint64 *need = sz->grad_floats;
  int cur = -1;                         /* buffer of the current input (-1: neither) */
  for (int i = 0; i < net->n_nodes; i++)
    {
      if (net->nodes[i].keep)
        cur = -1;
      else
        {
          cur = net->nodes[i].in_place[0] ? cur : cur == 0 ? 1 : 0;
          need[cur] = MAX (need[cur], ns_net_node_floats (net, i));
        }
      if (net->nodes[i].recompute)    /* ns_network_tap recomputes into grad_a */
        need[0] = MAX (need[0], ns_net_node_floats (net, i));
    }
  /* backward: starting in either buffer; the one that needs less wins
   * (the in-place conv's gradient should land where its forward was) */
  guint64 best[2] = { 0, 0 };
  for (int start = 1; start >= 0; start--)
    {
      guint64 nd[2] = { need[0], need[1] };
      int d = start;
      nd[d] = MAX (nd[d], ns_net_node_floats (net, net->n_nodes - 1));
      for (int i = net->n_nodes - 1; i >= 0; i--)
        {
          const guint64 n_in = i > 0 ? ns_net_node_floats (net, i - 1) : (guint64) 3 * H * W;
          if (net->nodes[i].recompute && i == 0 && !net->band_first)
            nd[1 - d] = MAX (nd[1 - d], ns_net_node_floats (net, i));
          if (net->nodes[i].in_place[1])
            nd[d] = MAX (nd[d], n_in);
          else
            {
              nd[1 - d] = MAX (nd[1 - d], n_in);
              d = 1 - d;
            }
        }
      if (start == 1 || nd[0] + nd[1] <= best[0] + best[1])
        {
          best[0] = nd[0];
          best[1] = nd[1];
          net->backward_start = start;
        }
    }
  need[0] = best[0];
  need[1] = best[1];
}

gboolean
ns_net_plan_shapes (NsNetwork *net, int H, int W, Sizes *sz, const char **empty_layer)
{
  int c = 3, h = H, w = W;
  memset (sz, 0, sizeof *sz);
  sz->max_act = (guint64) 3 * H * W;
  for (int i = 0; i < net->n_nodes; i++)
    {
      Node *nd = &net->nodes[i];
      int oh = h, ow = w;
      switch (nd->desc->kind)
        {
        case NS_LAYER_CONV:
          ns_conv_out_size (&nd->conv, h, w, &oh, &ow);
          if (oh > 0 && ow > 0)
            ns_wino_plan_scratch (&nd->conv, &nd->wino[0], h, w, &sz->ws_floats, &sz->pack_floats);
          c = nd->conv.cout;
          break;
        case NS_LAYER_POOL:
          ns_pool_out_size (&nd->pool, h, w, &oh, &ow);
          break;
        case NS_LAYER_FIRE:
          nd->sq_h = h;
          nd->sq_w = w;
          sz->act_floats += (guint64) nd->conv.cout * h * w;
          sz->max_sq = MAX (sz->max_sq, (guint64) nd->conv.cout * h * w);
          sz->ws_floats = MAX (sz->ws_floats, ns_conv_workspace_floats (&nd->conv, h, w));
          sz->ws_floats = MAX (sz->ws_floats, ns_conv_workspace_floats (&nd->e1, h, w));
          ns_wino_plan_scratch (&nd->e3, &nd->wino[1], h, w, &sz->ws_floats, &sz->pack_floats);
          c = nd->e1.cout + nd->e3.cout;
          break;
        case NS_LAYER_RELU:
          break;
        default:            /* graph-only kinds (net/graph.c) */
          break;
        }
      if (oh <= 0 || ow <= 0)
        {
          *empty_layer = nd->name;
          return FALSE;
        }
      nd->c = c;
      nd->h = h = oh;
      nd->w = w = ow;
      sz->max_act = MAX (sz->max_act, (guint64) c * h * w);
    }
  plan_storage (net, sz);
  for (int i = 0; i < net->n_nodes; i++)
    {
      const Node *nd = &net->nodes[i];
      const guint64 n = ns_net_node_floats (net, i);
      if (nd->keep)
        sz->act_floats += n;
      else if (ns_net_has_relu (nd) && !nd->recompute)
        sz->aux_bytes += (n + 7) / 8;
      if (ns_net_is_max_pool (nd))
        sz->aux_bytes += n;
    }
  plan_bands (net, H, W, sz);
  return TRUE;
}

guint64
ns_network_memory_bytes (NsNetwork *net, int H, int W)
{
  if (net->graph)
    return ns_graph_memory_bytes (net->graph, H, W);
  Sizes sz;
  const char *empty;
  guint64 bytes = 0;
  if (ns_net_plan_shapes (net, H, W, &sz, &empty))
    bytes = sizeof (float) * ((guint64) 3 * H * W + sz.act_floats + sz.grad_floats[0]
                              + sz.grad_floats[1] + sz.max_sq + sz.ws_floats + sz.pack_floats
                              + sz.band_in + sz.band_out + sz.band_carry)
      + sz.aux_bytes;
  if (net->H > 0)   /* planning overwrote the node shapes of the prepared size */
    ns_net_plan_shapes (net, net->H, net->W, &sz, &empty);
  return bytes;
}

static double
conv_flops (const NsConvSpec *c, int oh, int ow)
{
  return 2.0 * c->cout * c->cin * c->kh * c->kw * (double) oh * ow;
}

double
ns_net_node_flops (const Node *nd)
{
  double f = 0;
  if (nd->desc->kind == NS_LAYER_CONV)
    f = conv_flops (&nd->conv, nd->h, nd->w);
  else if (nd->desc->kind == NS_LAYER_FIRE)
    f = conv_flops (&nd->conv, nd->h, nd->w) + conv_flops (&nd->e1, nd->h, nd->w)
      + conv_flops (&nd->e3, nd->h, nd->w);
  return f;
}

double
ns_network_forward_flops (NsNetwork *net, int H, int W)
{
  if (net->graph)
    return ns_graph_forward_flops (net->graph, H, W);
  Sizes sz;
  const char *empty;
  double flops = 0;
  if (ns_net_plan_shapes (net, H, W, &sz, &empty))
    for (int i = 0; i < net->n_nodes; i++)
      flops += ns_net_node_flops (&net->nodes[i]);
  if (net->H > 0)
    ns_net_plan_shapes (net, net->H, net->W, &sz, &empty);
  return flops;
}

guint64
ns_network_weight_bytes (const NsNetwork *net)
{
  if (net->graph)
    return ns_graph_weight_bytes (net->graph);
  guint64 floats = 0;
  for (int i = 0; i < net->n_nodes; i++)
    {
      const Node *nd = &net->nodes[i];
      const NsConvSpec *convs[3] = { &nd->conv, &nd->e1, &nd->e3 };
      for (int k = 0; k < 3; k++)
        if (convs[k]->cout > 0)
          floats += (guint64) convs[k]->cout * (convs[k]->cin * convs[k]->kh * convs[k]->kw + 1);
      for (int k = 0; k < 2; k++)   /* kept packed Winograd filters */
        if (nd->wino[k].cached)
          floats += ns_wino_pack_floats (convs[2 * k], 0) + ns_wino_pack_floats (convs[2 * k], 1);
    }
  return floats * sizeof (float);
}

int
ns_network_min_side (NsNetwork *net)
{
  int s = 1;
  while (s < 4096 && ns_network_memory_bytes (net, s, s) == 0)
    s++;
  return s;
}
