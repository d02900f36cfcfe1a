/* graph.c — the executor for graph architectures (graph.h): BVLC GoogLeNet.
 *
 * Nodes are the table's layers up to the deepest tap, in the table's
 * (topological) order; only the ancestors of the taps are computed.  Each
 * node reads its bottoms' outputs (-1: the preprocessed image):
 *   CONV     out = conv(in) (+ ReLU in place)      ops/conv.h
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
#include "graph.h"
#include "classifier.h"
#include "conv.h"
#include "lrn.h"
#include "pool.h"
#include "relu.h"

#include <string.h>

typedef struct
{
  const NsLayerDesc *desc;
  int needed;                /* an ancestor of a tap (or a tap) */
  int n_in, in[NS_LAYER_MAX_BOTTOMS];   /* bottoms: node index, -1 = the image */
  int consumers;             /* needed nodes reading this output */
  int concat, offset;        /* output is channels offset.. of node `concat` (-1: own) */
  NsConvSpec conv;           /* CONV, FC (cin/cout) */
  float *owned[2];           /* weight/bias copies where not read in place */
  NsPoolSpec pool;
  NsLrnSpec lrn;
  int c, h, w;               /* output shape at the planned size */
  int tapped;
  float *out, *grad;         /* own buffers, or slices of the concatenation's */
  unsigned char *arg;        /* max pool */
  float *scale;              /* LRN */
} GraphNode;

struct NsGraph
{
  NsPreprocess pre;
  GraphNode *nodes;
  int    n_nodes;
  int   *tap_node;
  int    n_taps;
  int    H, W;
  int    input_size;         /* the classifier's input side */
  float *input, *dinput;     /* preprocessed image [3][H][W] and its gradient */
  float *tmp;                /* pool backward before adding (largest pool input) */
  NsWorkspace ws;
  double *prof;              /* [n_nodes][3] seconds; NULL: not profiling */
};

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

static gboolean
load_node (const NsModel *model, NsPoolingType pooling, GraphNode *nd, GError **error)
{
  const NsLayerDesc *d = nd->desc;
  NsConvDesc cd[3];
  const float *w = NULL, *b = NULL;
  if (ns_layer_convs (d, cd) == 1)
    {
      if (!ns_model_view_weights (model, &cd[0], &w, &b, &nd->owned[0], &nd->owned[1], error))
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
              GError **error)
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
      ok = load_node (model, pooling, &g->nodes[i], error);
  if (!ok)
    {
      ns_graph_free (g);
      return NULL;
    }
  return g;
}

static void
free_buffers (NsGraph *g)
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
  g->ws.floats = 0;
  g->H = g->W = 0;
}

void
ns_graph_free (NsGraph *g)
{
  if (!g)
    return;
  free_buffers (g);
  for (int i = 0; i < g->n_nodes; i++)
    {
      g_free (g->nodes[i].owned[0]);
      g_free (g->nodes[i].owned[1]);
    }
  g_free (g->nodes);
  g_free (g->tap_node);
  g_free (g->prof);
  g_free (g);
}

/* ----------------------------------------------------------------- plan */

typedef struct
{
  guint64 floats;        /* outputs + gradients (own buffers), LRN scales, image x2 */
  guint64 bytes;         /* argmax */
  guint64 ws, tmp;
} Sizes;

static void
in_shape (const NsGraph *g, int j, int *c, int *h, int *w)
{
  if (j < 0)
    *c = 3, *h = g->H, *w = g->W;
  else
    *c = g->nodes[j].c, *h = g->nodes[j].h, *w = g->nodes[j].w;
}

static gboolean
is_max_pool (const GraphNode *nd)
{
  return nd->desc->kind == NS_LAYER_POOL && nd->pool.type == NS_POOLING_MAX;
}

/* Shapes of the needed nodes at H x W (g->H/W set by the caller); FALSE
 * with *why set when a node would be empty or the classifier does not fit. */
static gboolean
plan_shapes (NsGraph *g, Sizes *sz, char **why)
{
  memset (sz, 0, sizeof *sz);
  sz->floats = (guint64) 6 * g->H * g->W;
  for (int i = 0; i < g->n_nodes; i++)
    {
      GraphNode *nd = &g->nodes[i];
      if (!nd->needed)
        continue;
      int c, h, w, oh, ow;
      in_shape (g, nd->in[0], &c, &h, &w);
      oh = h, ow = w;
      switch (nd->desc->kind)
        {
        case NS_LAYER_CONV:
          ns_conv_out_size (&nd->conv, h, w, &oh, &ow);
          c = nd->conv.cout;
          if (oh > 0 && ow > 0)
            sz->ws = MAX (sz->ws, ns_conv_workspace_floats (&nd->conv, h, w));
          break;
        case NS_LAYER_POOL:
          ns_pool_out_size (&nd->pool, h, w, &oh, &ow);
          sz->tmp = MAX (sz->tmp, (guint64) c * h * w);
          break;
        case NS_LAYER_CONCAT:
          for (int k = 1; k < nd->n_in; k++)
            {
              int ck, hk, wk;
              in_shape (g, nd->in[k], &ck, &hk, &wk);
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
      if (is_max_pool (nd))
        sz->bytes += n;
      if (nd->desc->kind == NS_LAYER_LRN)
        sz->floats += n;
    }
  sz->floats += sz->ws + sz->tmp;
  return TRUE;
}

/* Plan at H x W, then restore the prepared size's shapes. */
static gboolean
plan_at (NsGraph *g, int H, int W, Sizes *sz)
{
  const int h0 = g->H, w0 = g->W;
  char *why = NULL;
  g->H = H, g->W = W;
  gboolean ok = plan_shapes (g, sz, &why);
  g_free (why);
  g->H = h0, g->W = w0;
  if (h0 > 0)
    {
      Sizes s0;
      plan_shapes (g, &s0, &why);
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

static double
node_flops (const GraphNode *nd)
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
  if (plan_shapes (g, &sz, &why))
    for (int i = 0; i < g->n_nodes; i++)
      if (g->nodes[i].needed)
        f += node_flops (&g->nodes[i]);
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
    if (g->nodes[i].conv.weight)
      {
        const NsConvSpec *c = &g->nodes[i].conv;
        floats += (guint64) c->cout * ((guint64) c->cin * c->kh * c->kw + 1);
      }
  return floats * sizeof (float);
}

gboolean
ns_graph_prepare (NsGraph *g, int H, int W, GError **error)
{
  if (g->H == H && g->W == W)
    return TRUE;
  free_buffers (g);
  Sizes sz;
  char *why = NULL;
  g->H = H, g->W = W;
  if (!plan_shapes (g, &sz, &why))
    {
      g_set_error (error, NS_ERROR, NS_ERROR_INVALID_ARG, "image of %dx%d is too small: %s",
                   W, H, why);
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
      if (is_max_pool (nd))
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
      free_buffers (g);
      g_set_error (error, NS_ERROR, NS_ERROR_NO_MEMORY,
                   "out of memory allocating network buffers for %dx%d", W, H);
      return FALSE;
    }
  g->ws.floats = MAX (sz.ws, 1);
  return TRUE;
}

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
  in_shape (g, nd->in[0], &c, &h, &w);
  const float *x = in_data (g, nd->in[0]);
  const size_t n = (size_t) nd->c * nd->h * nd->w;
  switch (nd->desc->kind)
    {
    case NS_LAYER_CONV:
      ns_conv_forward (&nd->conv, x, h, w, nd->out, nd->desc->relu, &g->ws);
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
            in_shape (g, nd->in[k], &ck, &hk, &wk);
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
  in_shape (g, nd->in[0], &c, &h, &w);
  const float *x = in_data (g, nd->in[0]);
  float *dx = in_grad (g, nd->in[0]), *dy = nd->grad;
  const size_t n = (size_t) nd->c * nd->h * nd->w, nin = (size_t) c * h * w;
  switch (nd->desc->kind)
    {
    case NS_LAYER_CONV:
      if (nd->desc->relu)
        ns_relu_backward (nd->out, dy, n);
      ns_conv_backward_input (&nd->conv, dy, h, w, dx, 1, &g->ws);
      break;
    case NS_LAYER_RELU:
      ns_relu_backward (nd->out, dy, n);
      for (size_t i = 0; i < n; i++)
        dx[i] += dy[i];
      break;
    case NS_LAYER_POOL:
      if (is_max_pool (nd))
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
            in_shape (g, nd->in[k], &ck, &hk, &wk);
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
  *gflop = nd->needed ? node_flops (nd) / 1e9 : 0.0;
  *fwd_s = g->prof ? g->prof[3 * i] : 0;
  *bwd_s = g->prof ? g->prof[3 * i + 1] : 0;
  *loss_s = g->prof ? g->prof[3 * i + 2] : 0;
}
