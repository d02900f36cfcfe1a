/* network.c — the feature extractor: a chain of nodes built from an
 * architecture's layer table, cut after the deepest tapped layer.
 *
 * Node kinds:
 *   CONV  out [cout][oh][ow]  (ReLU fused in when the pre-activation is not
 *                              tapped: backward masks by out > 0 first)
 *   RELU  out                 (separate only when the conv output is tapped)
 *   POOL  out                 (max backward routes by the recorded argmax)
 *   FIRE  sq [s][h][w], out [e1+e3][h][w]: squeeze 1x1 -> ReLU ->
 *         expand1x1 | expand3x3 -> ReLU, concatenated along channels, which
 *         in CHW layout is just two adjacent blocks of `out`.
 *
 * Only input gradients are computed, so the backward pass needs no layer
 * inputs: a conv needs its ReLU mask, a max pool its argmax.  Outputs are
 * kept in full only for tapped nodes (the losses need F); every other
 * output is written to one of two transient buffers (the same two that
 * later hold the gradients), and keeps a 1-bit ReLU mask / 1-byte argmax.
 * The losses are evaluated in the forward pass, as soon as a tap is
 * complete.  A tapped first conv (VGG's relu1_1: the largest activation)
 * is not kept either but recomputed from the stored input when its tap is
 * read and in the backward pass (a 3-channel conv: ~1% of an evaluation).
 *
 * Backward walks the chain from the deepest node with two ping-pong
 * gradient buffers; at each tapped node the caller's loss adds its dL/dF.
 * The first conv's input gradient is pulled back through the linear
 * preprocessing to the sRGB image.
 *
 * Banded mode (large images: the largest activation over 256 MiB, where
 * the full-resolution maps dominate memory), band of rows by band of rows:
 *  - a 3x3 conv whose output is at least half the largest activation runs
 *    in place (conv_in_place): VGG-19's conv1_2 both ways, conv2_2's input
 *    gradient;
 *  - a tapped 3x3 conv whose input is smaller than its output (relu2_1,
 *    relu3_1, relu4_1 after their pools) is recomputed like the first conv,
 *    its input kept instead of its output;
 *  - recomputed convs are recomputed band by band in the backward pass, the
 *    loss gradient applied per band (NsTapLoss.grad takes pixel blocks).
 * At 2048x2048 on VGG-19 that is 1.2 GiB less (the second transient buffer
 * 256 MiB instead of 1 GiB) for ~2.5% more time per evaluation.
 */
#include "network_private.h"
#include "conv.h"
#include "relu.h"

#include <string.h>

gboolean
ns_arch_has_layer (NsArch arch, const char *name)
{
  int n;
  const NsLayerDesc *l = ns_arch_layers (arch, &n);
  for (int i = 0; i < n; i++)
    if (g_strcmp0 (l[i].name, name) == 0)
      return TRUE;
  return FALSE;
}

gboolean
ns_model_has_layer (const NsModel *model, const char *name)
{
  return ns_arch_has_layer (model->arch, name);
}

static int
find_layer (const NsLayerDesc *l, int n, const char *name)
{
  for (int i = 0; i < n; i++)
    if (g_strcmp0 (l[i].name, name) == 0)
      return i;
  return -1;
}

/* A conv's spec; its weights (viewed in place, or copies in the slots)
 * unless the network is plan-only. */
static gboolean
load_conv (const NsModel *m, const NsConvDesc *d, gboolean plan_only, NsConvSpec *spec,
           float **w_slot, float **b_slot, GError **error)
{
  const float *w = NULL, *b = NULL;
  if (!plan_only && !ns_model_view_weights (m, d, &w, &b, w_slot, b_slot, error))
    return FALSE;
  *spec = (NsConvSpec) { d->cin, d->cout, d->k, d->k, d->stride, d->pad, w, b };
  return TRUE;
}

static NsNetwork *
network_new (const NsModel *model, NsPoolingType pooling, const char *const *taps, int n_taps,
             gboolean plan_only, GError **error)
{
  if (ns_arch_info (model->arch)->graph)
    {
      NsGraph *graph = ns_graph_new (model, pooling, taps, n_taps, plan_only, error);
      if (!graph)
        return NULL;
      NsNetwork *net = g_new0 (NsNetwork, 1);
      net->graph = graph;
      return net;
    }
  int n_layers;
  const NsLayerDesc *layers = ns_arch_layers (model->arch, &n_layers);
  int deepest = -1;
  int *tap_layer = g_new (int, MAX (n_taps, 1));

  for (int t = 0; t < n_taps; t++)
    {
      tap_layer[t] = find_layer (layers, n_layers, taps[t]);
      if (tap_layer[t] < 0)
        {
          g_set_error (error, NS_ERROR, NS_ERROR_INVALID_ARG,
                       "unknown layer \"%s\" for %s", taps[t],
                       ns_arch_name (model->arch));
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

  NsNetwork *net = g_new0 (NsNetwork, 1);
  net->pre = model->pre;
  net->nodes = g_new0 (Node, deepest + 1);
  int *layer_node = g_new (int, deepest + 1);

  for (int i = 0; i <= deepest; i++)
    {
      const NsLayerDesc *d = &layers[i];
      gboolean ok = TRUE;
      /* A ReLU directly after an untapped conv is fused into it. */
      if (d->kind == NS_LAYER_RELU && net->n_nodes > 0)
        {
          Node *prev = &net->nodes[net->n_nodes - 1];
          gboolean prev_tapped = FALSE;
          for (int t = 0; t < n_taps; t++)
            prev_tapped |= tap_layer[t] == i - 1;
          if (prev->desc->kind == NS_LAYER_CONV && !prev_tapped && !prev->fused_relu)
            {
              prev->fused_relu = 1;
              prev->name = d->name;
              layer_node[i] = net->n_nodes - 1;
              continue;
            }
        }
      Node *nd = &net->nodes[net->n_nodes];
      nd->desc = d;
      nd->name = d->name;
      switch (d->kind)
        {
        case NS_LAYER_CONV:
        case NS_LAYER_FIRE:
          {
            NsConvDesc c[3];
            NsConvSpec *spec[3] = { &nd->conv, &nd->e1, &nd->e3 };
            const int nc = ns_layer_convs (d, c);
            for (int k = 0; k < nc && ok; k++)
              ok = load_conv (model, &c[k], plan_only, spec[k], &nd->weights[2 * k],
                              &nd->weights[2 * k + 1], error);
          }
          break;
        case NS_LAYER_POOL:
          nd->pool = (NsPoolSpec) { d->k, d->stride, d->pad, d->ceil_mode, pooling };
          break;
        case NS_LAYER_RELU:
          break;
        default:            /* graph-only kinds (net/graph.c) */
          break;
        }
      layer_node[i] = net->n_nodes++;
      if (!ok)
        {
          ns_network_free (net);
          g_free (layer_node);
          g_free (tap_layer);
          return NULL;
        }
    }

  net->n_taps = n_taps;
  net->tap_node = g_new (int, MAX (n_taps, 1));
  for (int t = 0; t < n_taps; t++)
    {
      net->tap_node[t] = layer_node[tap_layer[t]];
      net->nodes[net->tap_node[t]].tapped = 1;
      net->nodes[net->tap_node[t]].keep = 1;
    }
  net->first_recompute = net->nodes[0].tapped && net->nodes[0].desc->kind == NS_LAYER_CONV;
  if (net->first_recompute)
    {
      net->nodes[0].keep = 0;
      net->nodes[0].recompute = 1;
    }
  net->valid = -1;
  g_free (layer_node);
  g_free (tap_layer);
  net->plan_only = plan_only;
  const NsConvSpec **convs = g_new (const NsConvSpec *, 2 * (gsize) net->n_nodes + 1);
  NsWino **winos = g_new (NsWino *, 2 * (gsize) net->n_nodes + 1);
  for (int i = 0; i < net->n_nodes; i++)
    for (int k = 0; k < 2; k++)
      {
        convs[2 * i + k] = k ? &net->nodes[i].e3 : &net->nodes[i].conv;
        winos[2 * i + k] = &net->nodes[i].wino[k];
      }
  ns_wino_plan_cache (convs, winos, 2 * net->n_nodes, !plan_only);
  g_free (convs);
  g_free (winos);
  return net;
}

NsNetwork *
ns_network_new (const NsModel *model, NsPoolingType pooling, const char *const *taps,
                int n_taps, GError **error)
{
  return network_new (model, pooling, taps, n_taps, FALSE, error);
}

NsNetwork *
ns_network_new_plan (const NsModel *model, NsPoolingType pooling, const char *const *taps,
                     int n_taps, GError **error)
{
  return network_new (model, pooling, taps, n_taps, TRUE, error);
}

void
ns_net_free_buffers (NsNetwork *net)
{
  for (int i = 0; i < net->n_nodes; i++)
    {
      Node *nd = &net->nodes[i];
      if (nd->owns_out)
        g_free (nd->out);
      nd->owns_out = 0;
      nd->out = NULL;
      g_clear_pointer (&nd->sq, g_free);
      g_clear_pointer (&nd->mask, g_free);
      g_clear_pointer (&nd->arg, g_free);
    }
  g_clear_pointer (&net->input, g_free);
  g_clear_pointer (&net->grad_a, g_free);
  g_clear_pointer (&net->grad_b, g_free);
  g_clear_pointer (&net->grad_sq, g_free);
  g_clear_pointer (&net->ws.data, g_free);
  g_clear_pointer (&net->pack_tmp, g_free);
  g_clear_pointer (&net->band_in, g_free);
  g_clear_pointer (&net->band_out, g_free);
  g_clear_pointer (&net->band_carry, g_free);
  net->ws.floats = 0;
  net->H = net->W = 0;
}

void
ns_network_free (NsNetwork *net)
{
  if (!net)
    return;
  ns_graph_free (net->graph);
  ns_net_free_buffers (net);
  for (int i = 0; i < net->n_nodes; i++)
    {
      for (int k = 0; k < 6; k++)
        g_free (net->nodes[i].weights[k]);
      ns_wino_clear (&net->nodes[i].wino[0]);
      ns_wino_clear (&net->nodes[i].wino[1]);
    }
  g_free (net->nodes);
  g_free (net->tap_node);
  g_free (net->prof);
  g_free (net);
}

int
ns_network_n_taps (const NsNetwork *net)
{
  if (net->graph)
    return ns_graph_n_taps (net->graph);
  return net->n_taps;
}

gboolean
ns_network_set_banding (NsNetwork *net, int rows, GError **error)
{
  if (net->graph)     /* (no banded mode: every output is kept) */
    return TRUE;
  net->band_request = rows < 0 ? -1 : rows;
  const int H = net->H, W = net->W;
  if (H == 0)
    return TRUE;
  ns_net_free_buffers (net);
  return ns_network_prepare (net, H, W, error);
}

gboolean
ns_network_banded (const NsNetwork *net)
{
  if (net->graph)
    return FALSE;
  return net->H > 0 && net->band_rows > 0;
}

gboolean
ns_network_prepare (NsNetwork *net, int H, int W, GError **error)
{
  if (net->graph)
    return ns_graph_prepare (net->graph, H, W, error);
  g_return_val_if_fail (!net->plan_only, FALSE);
  if (net->H == H && net->W == W)
    return TRUE;
  ns_net_free_buffers (net);
  Sizes sz;
  const char *empty = NULL;
  if (!ns_net_plan_shapes (net, H, W, &sz, &empty))
    {
      g_set_error (error, NS_ERROR, NS_ERROR_INVALID_ARG,
                   "image of %dx%d is too small: layer %s would be empty", W, H, empty);
      return FALSE;
    }
  gboolean ok = TRUE;
#define ALLOC(ptr, n) do { (ptr) = g_try_new (float, MAX ((n), 1)); ok = ok && (ptr); } while (0)
#define ALLOC_BYTES(ptr, n) do { (ptr) = g_try_malloc (MAX ((n), 1)); ok = ok && (ptr); } while (0)
  ALLOC (net->input, (gsize) 3 * H * W);
  for (int i = 0; i < net->n_nodes && ok; i++)
    {
      Node *nd = &net->nodes[i];
      const gsize n = (gsize) nd->c * nd->h * nd->w;
      if (nd->keep)
        {
          ALLOC (nd->out, n);
          nd->owns_out = nd->out != NULL;
        }
      else if (ns_net_has_relu (nd) && !nd->recompute)
        ALLOC_BYTES (nd->mask, (n + 7) / 8);
      if (ns_net_is_max_pool (nd))
        ALLOC_BYTES (nd->arg, n);
      if (nd->desc->kind == NS_LAYER_FIRE)
        ALLOC (nd->sq, (gsize) nd->conv.cout * nd->sq_h * nd->sq_w);
    }
  if (ok)
    ALLOC (net->grad_a, sz.grad_floats[0]);
  if (ok)
    ALLOC (net->grad_b, sz.grad_floats[1]);
  if (ok && net->band_rows > 0)
    {
      ALLOC (net->band_in, sz.band_in);
      if (ok)
        ALLOC (net->band_out, sz.band_out);
      if (ok)
        ALLOC (net->band_carry, sz.band_carry);
    }
  if (ok)
    ALLOC (net->grad_sq, sz.max_sq);
  if (ok)
    ALLOC (net->ws.data, sz.ws_floats);
  net->pack_tmp_floats = sz.pack_floats;
  if (ok && net->pack_tmp_floats)
    ALLOC (net->pack_tmp, net->pack_tmp_floats);
#undef ALLOC
#undef ALLOC_BYTES
  if (!ok)
    {
      ns_net_free_buffers (net);
      g_set_error (error, NS_ERROR, NS_ERROR_NO_MEMORY,
                   "out of memory allocating network buffers for %dx%d", W, H);
      return FALSE;
    }
  net->ws.floats = MAX (sz.ws_floats, 1);
  net->H = H;
  net->W = W;
  return TRUE;
}

/* Σ of the tap losses of node i (its output complete). */
static double
node_losses (NsNetwork *net, int i, const NsTapLoss *losses, void *ctx)
{
  double loss = 0.0;
  const Node *nd = &net->nodes[i];
  if (losses)
    for (int t = 0; t < net->n_taps; t++)
      if (net->tap_node[t] == i)
        loss += losses->loss (t, nd->out, nd->c, nd->h * nd->w, ctx);
  return loss;
}

double
ns_network_forward_losses (NsNetwork *net, const float *image, const NsTapLoss *losses,
                           void *ctx)
{
  if (net->graph)
    return ns_graph_forward_losses (net->graph, image, losses, ctx);
  const float *in = net->input;
  int h = net->H, w = net->W;
  double loss = 0.0;
  ns_preprocess_apply (&net->pre, image, (size_t) h * w, net->input);
  for (int i = 0; i < net->n_nodes; i++)
    {
      Node *nd = &net->nodes[i];
      const size_t n = (size_t) nd->c * nd->h * nd->w;
      double tp = ns_net_prof_clock (net);
      if (!nd->keep)     /* in place, or the transient buffer the input is not in */
        nd->out = nd->in_place[0] ? (float *) in : in == net->grad_a ? net->grad_b : net->grad_a;
      switch (nd->desc->kind)
        {
        case NS_LAYER_CONV:
          if (nd->in_place[0])
            ns_net_conv_in_place (net, &nd->conv, &nd->wino[0], 0, nd->out, h, w, nd->fused_relu);
          else
            ns_net_conv_forward (net, &nd->conv, &nd->wino[0], in, h, w, nd->out, nd->fused_relu);
          break;
        case NS_LAYER_RELU:
          memcpy (nd->out, in, sizeof (float) * n);
          ns_relu_forward (nd->out, n);
          break;
        case NS_LAYER_POOL:
          ns_pool_forward_arg (&nd->pool, in, nd->c, h, w, nd->out, nd->arg);
          break;
        case NS_LAYER_FIRE:
          {
            size_t hw = (size_t) h * w;
            ns_conv_forward (&nd->conv, in, h, w, nd->sq, 1, &net->ws);
            ns_conv_forward (&nd->e1, nd->sq, h, w, nd->out, 1, &net->ws);
            ns_net_conv_forward (net, &nd->e3, &nd->wino[1], nd->sq, h, w, nd->out + nd->e1.cout * hw, 1);
          }
          break;
        default:            /* graph-only kinds (net/graph.c) */
          break;
        }
      if (nd->mask)
        ns_relu_mask_bits (nd->out, n, nd->mask);
      net->valid = nd->recompute ? i : -1;
      ns_net_prof_add (net, i, 0, &tp);
      loss += node_losses (net, i, losses, ctx);
      ns_net_prof_add (net, i, 2, &tp);
      in = nd->out;
      h = nd->h;
      w = nd->w;
    }
  return loss;
}

void
ns_network_forward (NsNetwork *net, const float *image)
{
  ns_network_forward_losses (net, image, NULL, NULL);
}

/* The input of node i: the stored input image or the node before's output. */
const float *
ns_net_node_input (const NsNetwork *net, int i)
{
  return i > 0 ? net->nodes[i - 1].out : net->input;
}

/* A recomputed conv's output, into buf. */
static void
recompute_node (NsNetwork *net, int i, float *buf)
{
  Node *nd = &net->nodes[i];
  if (net->valid == i && nd->out == buf)
    return;
  nd->out = buf;
  ns_net_conv_forward (net, &nd->conv, &nd->wino[0], ns_net_node_input (net, i),
                i > 0 ? net->nodes[i - 1].h : net->H, i > 0 ? net->nodes[i - 1].w : net->W,
                buf, nd->fused_relu);
  net->valid = i;
}

/* d *= (out > 0), from the kept output or the mask bits */
static void
relu_backward (const Node *nd, float *d, size_t n)
{
  if (nd->keep || nd->recompute)
    ns_relu_backward (nd->out, d, n);
  else
    ns_relu_backward_bits (nd->mask, d, n);
}

void
ns_network_tap_shape (const NsNetwork *net, int i, int *C, int *H, int *W)
{
  if (net->graph)
    {
      ns_graph_tap_shape (net->graph, i, C, H, W);
      return;
    }
  const Node *nd = &net->nodes[net->tap_node[i]];
  if (C) *C = nd->c;
  if (H) *H = nd->h;
  if (W) *W = nd->w;
}

const float *
ns_network_tap (NsNetwork *net, int i, int *C, int *H, int *W)
{
  if (net->graph)
    return ns_graph_tap (net->graph, i, C, H, W);
  Node *nd = &net->nodes[net->tap_node[i]];
  if (nd->recompute && net->H > 0)   /* after a forward pass both transients are free */
    recompute_node (net, net->tap_node[i], net->grad_a);
  ns_network_tap_shape (net, i, C, H, W);
  return nd->out;
}


void
ns_network_backward (NsNetwork *net, const NsTapLoss *losses, void *ctx, float *dimage)
{
  if (net->graph)
    {
      ns_graph_backward (net->graph, losses, ctx, dimage);
      return;
    }
  float *d = net->backward_start ? net->grad_b : net->grad_a;
  float *dprev = net->backward_start ? net->grad_a : net->grad_b;
  int last = net->n_nodes - 1;
  net->valid = -1;           /* d overwrites it */
  memset (d, 0, sizeof (float) * net->nodes[last].c * net->nodes[last].h * net->nodes[last].w);

  for (int i = last; i >= 0; i--)
    {
      Node *nd = &net->nodes[i];
      size_t n = (size_t) nd->c * nd->h * nd->w;
      const gboolean bands = nd->recompute && (i > 0 || net->band_first);
      double tp = ns_net_prof_clock (net);
      if (bands)                     /* (timed as the backward op) */
        ns_net_recompute_bands (net, i, losses, ctx, d);
      else
        {
          if (nd->recompute)         /* dprev is free until this node's backward */
            recompute_node (net, i, dprev);
          ns_net_prof_add (net, i, 1, &tp);
          for (int t = 0; t < net->n_taps && losses; t++)
            if (net->tap_node[t] == i)
              losses->grad (t, nd->out, n / nd->c, nd->c, (int) (n / nd->c), 0, d, n / nd->c,
                            ctx);
          ns_net_prof_add (net, i, 2, &tp);
        }

      int ih = i > 0 ? net->nodes[i - 1].h : net->H;
      int iw = i > 0 ? net->nodes[i - 1].w : net->W;
      switch (nd->desc->kind)
        {
        case NS_LAYER_CONV:
          if (nd->fused_relu && !bands)
            relu_backward (nd, d, n);
          if (nd->in_place[1])
            {
              ns_net_conv_in_place (net, &nd->conv, &nd->wino[0], 1, d, ih, iw, 0);
              ns_net_prof_add (net, i, 1, &tp);
              continue;      /* the gradient stays in d */
            }
          ns_net_conv_backward (net, &nd->conv, &nd->wino[0], d, ih, iw, dprev, 0);
          break;
        case NS_LAYER_RELU:
          relu_backward (nd, d, n);
          memcpy (dprev, d, sizeof (float) * n);
          break;
        case NS_LAYER_POOL:
          ns_pool_backward_arg (&nd->pool, nd->arg, d, nd->c, ih, iw, dprev);
          break;
        case NS_LAYER_FIRE:
          {
            size_t hw = (size_t) ih * iw;
            relu_backward (nd, d, n);
            ns_conv_backward_input (&nd->e1, d, ih, iw, net->grad_sq, 0, &net->ws);
            ns_net_conv_backward (net, &nd->e3, &nd->wino[1], d + nd->e1.cout * hw, ih, iw,
                           net->grad_sq, 1);
            ns_relu_backward (nd->sq, net->grad_sq, (size_t) nd->conv.cout * hw);
            ns_conv_backward_input (&nd->conv, net->grad_sq, ih, iw, dprev, 0, &net->ws);
          }
          break;
        default:            /* graph-only kinds (net/graph.c) */
          break;
        }
      ns_net_prof_add (net, i, 1, &tp);
      float *tmp = d;
      d = dprev;
      dprev = tmp;
    }

  ns_preprocess_backward (&net->pre, d, (size_t) net->H * net->W, dimage);
}

