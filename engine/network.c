/* network.c — the feature extractor: a chain of nodes built from an
 * architecture's layer table, cut after the deepest tapped layer.
 *
 * Node kinds and what each stores for its backward pass:
 *   CONV  out [cout][oh][ow]  (ReLU fused in when the pre-activation is not
 *                              tapped: backward masks by out > 0 first)
 *   RELU  out                 (separate only when the conv output is tapped)
 *   POOL  out                 (max backward also reads the node's input)
 *   FIRE  sq [s][h][w], out [e1+e3][h][w]: squeeze 1x1 -> ReLU ->
 *         expand1x1 | expand3x3 -> ReLU, concatenated along channels, which
 *         in CHW layout is just two adjacent blocks of `out`.
 *
 * Backward walks the chain from the deepest node with two ping-pong
 * gradient buffers; at each tapped node the caller's loss adds its dL/dF.
 * The first conv's input gradient is pulled back through the linear
 * preprocessing to the sRGB image.
 */
#include "network.h"
#include "conv.h"
#include "conv_wino_fused.h"
#include "pool.h"

#include <omp.h>

#include <string.h>

typedef struct
{
  const NsLayerDesc *desc;
  const char *name;        /* user-visible name of this node's output */
  int fused_relu;          /* CONV: ReLU applied in place */
  NsConvSpec conv;         /* CONV; FIRE: squeeze */
  NsConvSpec e1, e3;       /* FIRE expands */
  NsPoolSpec pool;
  float *weights[6];       /* owned weight/bias copies */
  float *wino[2][2];       /* CONV / FIRE e3 (3x3, s1, p1): packed Winograd
                            * filters [0] conv, [1] e3; [.][0] forward,
                            * [.][1] input gradient (conv_wino_fused.h) */
  int c, h, w;             /* output shape (after prepare) */
  int sq_h, sq_w;
  float *out;
  float *sq;               /* FIRE squeeze activation */
} Node;

struct NsNetwork
{
  NsPreprocess pre;
  Node  *nodes;
  int    n_nodes;
  int   *tap_node;         /* tap index -> node index */
  int    n_taps;
  int    H, W;             /* prepared input size (0 = none) */
  float *input;            /* preprocessed input [3][H][W] */
  float *grad_a, *grad_b;  /* ping-pong gradients, max activation size */
  float *grad_sq;          /* FIRE squeeze gradient */
  NsWorkspace ws;
};

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

static gboolean
load_conv (const NsModel *m, const char *prefix, int cout, int cin, int k,
           int stride, int pad, NsConvSpec *spec, float **w_slot, float **b_slot,
           GError **error)
{
  if (!ns_model_get_conv (m, prefix, cout, cin, k, k, w_slot, b_slot, error))
    return FALSE;
  *spec = (NsConvSpec) { cin, cout, k, k, stride, pad, *w_slot, *b_slot };
  return TRUE;
}

/* Packed Winograd filters for a 3x3/s1/p1 conv (both directions); left
 * NULL for other shapes or when memory is short (the plain path serves). */
static void
pack_wino (const NsConvSpec *c, float *pk[2])
{
  if (c->kh != 3 || c->kw != 3 || c->stride != 1 || c->pad != 1)
    return;
  for (int flip = 0; flip < 2; flip++)
    {
      pk[flip] = g_try_new (float, ns_wino_packed_floats (flip ? c->cin : c->cout,
                                                          flip ? c->cout : c->cin));
      if (pk[flip])
        ns_wino_pack (c, flip, pk[flip]);
    }
}

static size_t
wino_scratch (const NsConvSpec *c)
{
  return ns_wino_scratch_floats (MAX (c->cin, c->cout), omp_get_max_threads ());
}

/* out = conv(in) (+ReLU): the fused Winograd path when packed, else conv.c */
static void
conv_forward (NsNetwork *net, const NsConvSpec *c, float *const pk[2], const float *in,
              int h, int w, float *out, int relu)
{
  if (!pk[0] || !ns_wino_fused_conv (NS_WINO_ISA_AUTO, pk[0], c->cin, c->cout, in, h, w,
                                     c->bias, relu, 0, out, net->ws.data, net->ws.floats))
    ns_conv_forward (c, in, h, w, out, relu, &net->ws);
}

static void
conv_backward (NsNetwork *net, const NsConvSpec *c, float *const pk[2], const float *dout,
               int h, int w, float *din, int accumulate)
{
  if (!pk[1] || !ns_wino_fused_conv (NS_WINO_ISA_AUTO, pk[1], c->cout, c->cin, dout, h, w,
                                     NULL, 0, accumulate, din, net->ws.data, net->ws.floats))
    ns_conv_backward_input (c, dout, h, w, din, accumulate, &net->ws);
}

NsNetwork *
ns_network_new (const NsModel *model, NsPoolingType pooling,
                const char *const *taps, int n_taps, GError **error)
{
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
          ok = load_conv (model, d->prefix, d->cout, d->cin, d->k, d->stride, d->pad,
                          &nd->conv, &nd->weights[0], &nd->weights[1], error);
          if (ok)
            pack_wino (&nd->conv, nd->wino[0]);
          break;
        case NS_LAYER_FIRE:
          {
            char *p1 = g_strconcat (d->prefix, ".squeeze", NULL);
            char *p2 = g_strconcat (d->prefix, ".expand1x1", NULL);
            char *p3 = g_strconcat (d->prefix, ".expand3x3", NULL);
            ok = load_conv (model, p1, d->squeeze, d->cin, 1, 1, 0, &nd->conv,
                            &nd->weights[0], &nd->weights[1], error)
              && load_conv (model, p2, d->e1, d->squeeze, 1, 1, 0, &nd->e1,
                            &nd->weights[2], &nd->weights[3], error)
              && load_conv (model, p3, d->e3, d->squeeze, 3, 1, 1, &nd->e3,
                            &nd->weights[4], &nd->weights[5], error);
            g_free (p1); g_free (p2); g_free (p3);
            if (ok)
              pack_wino (&nd->e3, nd->wino[1]);
          }
          break;
        case NS_LAYER_POOL:
          nd->pool = (NsPoolSpec) { d->k, d->stride, d->pad, d->ceil_mode, pooling };
          break;
        case NS_LAYER_RELU:
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
    net->tap_node[t] = layer_node[tap_layer[t]];
  g_free (layer_node);
  g_free (tap_layer);
  return net;
}

static void
free_buffers (NsNetwork *net)
{
  for (int i = 0; i < net->n_nodes; i++)
    {
      g_clear_pointer (&net->nodes[i].out, g_free);
      g_clear_pointer (&net->nodes[i].sq, g_free);
    }
  g_clear_pointer (&net->input, g_free);
  g_clear_pointer (&net->grad_a, g_free);
  g_clear_pointer (&net->grad_b, g_free);
  g_clear_pointer (&net->grad_sq, g_free);
  g_clear_pointer (&net->ws.data, g_free);
  net->ws.floats = 0;
  net->H = net->W = 0;
}

void
ns_network_free (NsNetwork *net)
{
  if (!net)
    return;
  free_buffers (net);
  for (int i = 0; i < net->n_nodes; i++)
    {
      for (int k = 0; k < 6; k++)
        g_free (net->nodes[i].weights[k]);
      for (int k = 0; k < 4; k++)
        g_free (net->nodes[i].wino[k / 2][k % 2]);
    }
  g_free (net->nodes);
  g_free (net->tap_node);
  g_free (net);
}

int
ns_network_n_taps (const NsNetwork *net)
{
  return net->n_taps;
}

/* Shapes of every node for an H x W input; returns FALSE if a node would be
 * empty.  Fills the byte counts the buffers would need. */
typedef struct
{
  guint64 act_floats;     /* all node outputs + squeeze activations */
  guint64 max_act;        /* largest single activation (incl. the input) */
  guint64 max_sq;
  guint64 ws_floats;
} Sizes;

static gboolean
plan_shapes (NsNetwork *net, int H, int W, Sizes *sz, const char **empty_layer)
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
            sz->ws_floats = MAX (sz->ws_floats, nd->wino[0][0] ? wino_scratch (&nd->conv)
                                 : ns_conv_workspace_floats (&nd->conv, h, w));
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
          sz->ws_floats = MAX (sz->ws_floats, nd->wino[1][0] ? wino_scratch (&nd->e3)
                               : ns_conv_workspace_floats (&nd->e3, h, w));
          c = nd->e1.cout + nd->e3.cout;
          break;
        case NS_LAYER_RELU:
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
      guint64 n = (guint64) c * h * w;
      sz->act_floats += n;
      sz->max_act = MAX (sz->max_act, n);
    }
  return TRUE;
}

guint64
ns_network_memory_bytes (NsNetwork *net, int H, int W)
{
  Sizes sz;
  const char *empty;
  guint64 bytes = 0;
  if (plan_shapes (net, H, W, &sz, &empty))
    bytes = sizeof (float) * ((guint64) 3 * H * W + sz.act_floats + 2 * sz.max_act
                              + sz.max_sq + sz.ws_floats);
  if (net->H > 0)   /* planning overwrote the node shapes of the prepared size */
    plan_shapes (net, net->H, net->W, &sz, &empty);
  return bytes;
}

static double
conv_flops (const NsConvSpec *c, int oh, int ow)
{
  return 2.0 * c->cout * c->cin * c->kh * c->kw * (double) oh * ow;
}

double
ns_network_forward_flops (NsNetwork *net, int H, int W)
{
  Sizes sz;
  const char *empty;
  double flops = 0;
  if (plan_shapes (net, H, W, &sz, &empty))
    for (int i = 0; i < net->n_nodes; i++)
      {
        const Node *nd = &net->nodes[i];
        if (nd->desc->kind == NS_LAYER_CONV)
          flops += conv_flops (&nd->conv, nd->h, nd->w);
        else if (nd->desc->kind == NS_LAYER_FIRE)
          flops += conv_flops (&nd->conv, nd->h, nd->w) + conv_flops (&nd->e1, nd->h, nd->w)
            + conv_flops (&nd->e3, nd->h, nd->w);
      }
  if (net->H > 0)
    plan_shapes (net, net->H, net->W, &sz, &empty);
  return flops;
}

guint64
ns_network_weight_bytes (const NsNetwork *net)
{
  guint64 floats = 0;
  for (int i = 0; i < net->n_nodes; i++)
    {
      const Node *nd = &net->nodes[i];
      const NsConvSpec *convs[3] = { &nd->conv, &nd->e1, &nd->e3 };
      for (int k = 0; k < 3; k++)
        if (convs[k]->weight)
          floats += (guint64) convs[k]->cout * (convs[k]->cin * convs[k]->kh * convs[k]->kw + 1);
      for (int k = 0; k < 2; k++)   /* packed Winograd filters, both directions */
        if (nd->wino[k][0])
          {
            const NsConvSpec *c = k ? &nd->e3 : &nd->conv;
            floats += ns_wino_packed_floats (c->cout, c->cin) + ns_wino_packed_floats (c->cin, c->cout);
          }
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

gboolean
ns_network_prepare (NsNetwork *net, int H, int W, GError **error)
{
  if (net->H == H && net->W == W)
    return TRUE;
  free_buffers (net);
  Sizes sz;
  const char *empty = NULL;
  if (!plan_shapes (net, H, W, &sz, &empty))
    {
      g_set_error (error, NS_ERROR, NS_ERROR_INVALID_ARG,
                   "image of %dx%d is too small: layer %s would be empty", W, H, empty);
      return FALSE;
    }
  gboolean ok = TRUE;
#define ALLOC(ptr, n) do { (ptr) = g_try_new (float, MAX ((n), 1)); ok = ok && (ptr); } while (0)
  ALLOC (net->input, (gsize) 3 * H * W);
  for (int i = 0; i < net->n_nodes && ok; i++)
    {
      Node *nd = &net->nodes[i];
      ALLOC (nd->out, (gsize) nd->c * nd->h * nd->w);
      if (nd->desc->kind == NS_LAYER_FIRE)
        ALLOC (nd->sq, (gsize) nd->conv.cout * nd->sq_h * nd->sq_w);
    }
  if (ok)
    ALLOC (net->grad_a, sz.max_act);
  if (ok)
    ALLOC (net->grad_b, sz.max_act);
  if (ok)
    ALLOC (net->grad_sq, sz.max_sq);
  if (ok)
    ALLOC (net->ws.data, sz.ws_floats);
#undef ALLOC
  if (!ok)
    {
      free_buffers (net);
      g_set_error (error, NS_ERROR, NS_ERROR_NO_MEMORY,
                   "out of memory allocating network buffers for %dx%d", W, H);
      return FALSE;
    }
  net->ws.floats = MAX (sz.ws_floats, 1);
  net->H = H;
  net->W = W;
  return TRUE;
}

/* in[k] = (x[perm[k]] * scale - mean[k]) / std[k]   (model.h) */
static void
preprocess (const NsPreprocess *p, const float *x, size_t hw, float *in)
{
  for (int k = 0; k < 3; k++)
    {
      const float *src = x + (size_t) p->perm[k] * hw;
      float *dst = in + (size_t) k * hw;
      const float a = p->scale / p->std[k], b = p->mean[k] / p->std[k];
      for (size_t i = 0; i < hw; i++)
        dst[i] = src[i] * a - b;
    }
}

void
ns_network_forward (NsNetwork *net, const float *image)
{
  const float *in = net->input;
  int h = net->H, w = net->W;
  preprocess (&net->pre, image, (size_t) h * w, net->input);
  for (int i = 0; i < net->n_nodes; i++)
    {
      Node *nd = &net->nodes[i];
      switch (nd->desc->kind)
        {
        case NS_LAYER_CONV:
          conv_forward (net, &nd->conv, nd->wino[0], in, h, w, nd->out, nd->fused_relu);
          break;
        case NS_LAYER_RELU:
          memcpy (nd->out, in, sizeof (float) * nd->c * nd->h * nd->w);
          ns_relu_forward (nd->out, (size_t) nd->c * nd->h * nd->w);
          break;
        case NS_LAYER_POOL:
          ns_pool_forward (&nd->pool, in, nd->c, h, w, nd->out);
          break;
        case NS_LAYER_FIRE:
          {
            size_t hw = (size_t) h * w;
            ns_conv_forward (&nd->conv, in, h, w, nd->sq, 1, &net->ws);
            ns_conv_forward (&nd->e1, nd->sq, h, w, nd->out, 1, &net->ws);
            conv_forward (net, &nd->e3, nd->wino[1], nd->sq, h, w, nd->out + nd->e1.cout * hw, 1);
          }
          break;
        }
      in = nd->out;
      h = nd->h;
      w = nd->w;
    }
}

const float *
ns_network_tap (const NsNetwork *net, int i, int *C, int *H, int *W)
{
  const Node *nd = &net->nodes[net->tap_node[i]];
  if (C) *C = nd->c;
  if (H) *H = nd->h;
  if (W) *W = nd->w;
  return nd->out;
}

double
ns_network_backward (NsNetwork *net, NsTapGradFunc fn, void *ctx, float *dimage)
{
  double loss = 0.0;
  float *d = net->grad_a, *dprev = net->grad_b;
  int last = net->n_nodes - 1;
  memset (d, 0, sizeof (float) * net->nodes[last].c * net->nodes[last].h * net->nodes[last].w);

  for (int i = last; i >= 0; i--)
    {
      Node *nd = &net->nodes[i];
      size_t n = (size_t) nd->c * nd->h * nd->w;
      for (int t = 0; t < net->n_taps; t++)
        if (net->tap_node[t] == i)
          loss += fn (t, nd->out, nd->c, nd->h * nd->w, d, ctx);

      const float *in = i > 0 ? net->nodes[i - 1].out : net->input;
      int ih = i > 0 ? net->nodes[i - 1].h : net->H;
      int iw = i > 0 ? net->nodes[i - 1].w : net->W;
      switch (nd->desc->kind)
        {
        case NS_LAYER_CONV:
          if (nd->fused_relu)
            ns_relu_backward (nd->out, d, n);
          conv_backward (net, &nd->conv, nd->wino[0], d, ih, iw, dprev, 0);
          break;
        case NS_LAYER_RELU:
          ns_relu_backward (nd->out, d, n);
          memcpy (dprev, d, sizeof (float) * n);
          break;
        case NS_LAYER_POOL:
          ns_pool_backward (&nd->pool, in, nd->out, d, nd->c, ih, iw, dprev);
          break;
        case NS_LAYER_FIRE:
          {
            size_t hw = (size_t) ih * iw;
            ns_relu_backward (nd->out, d, n);
            ns_conv_backward_input (&nd->e1, d, ih, iw, net->grad_sq, 0, &net->ws);
            conv_backward (net, &nd->e3, nd->wino[1], d + nd->e1.cout * hw, ih, iw,
                           net->grad_sq, 1);
            ns_relu_backward (nd->sq, net->grad_sq, (size_t) nd->conv.cout * hw);
            ns_conv_backward_input (&nd->conv, net->grad_sq, ih, iw, dprev, 0, &net->ws);
          }
          break;
        }
      float *tmp = d;
      d = dprev;
      dprev = tmp;
    }

  /* d = dL/d(input); chain through in[k] = (x[perm[k]]*scale - mean[k])/std[k]. */
  size_t hw = (size_t) net->H * net->W;
  for (int k = 0; k < 3; k++)
    {
      const float a = net->pre.scale / net->pre.std[k];
      float *dst = dimage + (size_t) net->pre.perm[k] * hw;
      const float *src = d + (size_t) k * hw;
      for (size_t j = 0; j < hw; j++)
        dst[j] = src[j] * a;
    }
  return loss;
}
