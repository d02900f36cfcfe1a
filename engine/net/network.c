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
#include "network.h"
#include "graph.h"
#include "conv.h"
#include "conv_wino_fused.h"
#include "pool.h"
#include "relu.h"

#include <omp.h>

#include <string.h>

/* A 3x3/s1/p1 conv runs on the fused Winograd path (conv_wino_fused.h)
 * with packed filters: kept (pk[0] forward, pk[1] input gradient) for the
 * smallest layers up to WINO_CACHE_FLOATS in all.  The rest pack per call:
 * group by group inside the conv when the image is small there
 * (ns_wino_fly_conv), else the whole bank into the network's pack_tmp
 * (~6 ms for a 512x512 conv). */
typedef struct
{
  int fused;
  float *pk[2];
} Wino;

#define WINO_CACHE_FLOATS ((size_t) 24 * 1024 * 1024)   /* 96 MiB */

/* Banded mode (automatic): on when the largest activation exceeds
 * BAND_MIN_FLOATS (256 MiB: larger than 1024x1024 on VGG-19), with
 * AUTO_BAND_ROWS output rows per band (+2 halo rows: 8 Winograd tile rows). */
#define BAND_MIN_FLOATS ((guint64) 64 * 1024 * 1024)
#define AUTO_BAND_ROWS  30

typedef struct
{
  const NsLayerDesc *desc;
  const char *name;        /* user-visible name of this node's output */
  int fused_relu;          /* CONV: ReLU applied in place */
  NsConvSpec conv;         /* CONV; FIRE: squeeze */
  NsConvSpec e1, e3;       /* FIRE expands */
  NsPoolSpec pool;
  float *weights[6];       /* weight/bias copies, where not read in place
                            * from the model's mapping (ns_model_view_conv) */
  Wino wino[2];            /* [0] conv, [1] FIRE e3 */
  int c, h, w;             /* output shape (after prepare) */
  int sq_h, sq_w;
  int tapped;              /* a loss reads this output */
  int keep;                /* output kept in full (tapped, or a recompute's
                            * input in banded mode); planned per size */
  int recompute;           /* tapped conv recomputed from its input when
                            * needed, not kept: the first conv always, in
                            * banded mode also one whose input is smaller */
  int owns_out;            /* out is this node's own allocation */
  int in_place[2];         /* banded mode: conv in place, band by band,
                            * [0] forward, [1] input gradient */
  float *out;              /* kept: own buffer; else a transient, after forward */
  unsigned char *mask;     /* not kept, with a ReLU: bits of out > 0 */
  unsigned char *arg;      /* max pool: argmax per output */
  float *sq;               /* FIRE squeeze activation */
} Node;

struct NsNetwork
{
  NsGraph *graph;          /* graph architectures: everything runs there */
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
  size_t pack_tmp_floats;  /* largest bank packed per call at the prepared size */
  float *pack_tmp;
  int    valid;            /* recompute node whose out is current (-1: none) */
  int    band_request;     /* ns_network_set_banding: -1 off, 0 auto, > 0 rows */
  int    band_rows;        /* banded mode at the planned size (0: off) */
  float *band_in, *band_out, *band_carry;
  int    backward_start;   /* the gradient buffer the backward pass starts in */
  int    band_first;       /* banded: the recomputed first conv band by band */
  int    first_recompute;  /* the first conv is tapped (recomputed at any size) */
  double *prof;            /* [n_nodes][3] seconds: forward op, backward op,
                            * losses; NULL: not profiling */
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
load_conv (const NsModel *m, const NsConvDesc *d, NsConvSpec *spec, float **w_slot,
           float **b_slot, GError **error)
{
  const float *w, *b;
  if (!ns_model_view_weights (m, d, &w, &b, w_slot, b_slot, error))
    return FALSE;
  *spec = (NsConvSpec) { d->cin, d->cout, d->k, d->k, d->stride, d->pad, w, b };
  return TRUE;
}

static int
is_3x3_same (const NsConvSpec *c)
{
  return c->kh == 3 && c->kw == 3 && c->stride == 1 && c->pad == 1;
}

static size_t
pack_floats (const NsConvSpec *c, int flip)
{
  return ns_wino_packed_floats (flip ? c->cin : c->cout, flip ? c->cout : c->cin);
}

static const NsConvSpec *
wino_conv (const Node *nd, int k)
{
  return k ? &nd->e3 : &nd->conv;
}

/* Mark the fused convs; keep the packed filters of the smallest while they
 * fit WINO_CACHE_FLOATS (a failed allocation just means packing per call). */
static void
plan_wino (NsNetwork *net)
{
  int n = 0;
  typedef int Cand[2];   /* node index, conv (0) or e3 (1) */
  Cand *cand = g_new (Cand, 2 * (gsize) net->n_nodes + 1);
  for (int i = 0; i < net->n_nodes; i++)
    for (int k = 0; k < 2; k++)
      {
        const NsConvSpec *c = wino_conv (&net->nodes[i], k);
        if (c->weight && is_3x3_same (c))
          {
            net->nodes[i].wino[k].fused = 1;
            cand[n][0] = i;
            cand[n++][1] = k;
          }
      }
  /* smallest first (insertion sort: a few dozen layers at most) */
  for (int a = 1; a < n; a++)
    for (int b = a; b > 0; b--)
      {
        const NsConvSpec *x = wino_conv (&net->nodes[cand[b - 1][0]], cand[b - 1][1]);
        const NsConvSpec *y = wino_conv (&net->nodes[cand[b][0]], cand[b][1]);
        if (pack_floats (x, 0) <= pack_floats (y, 0))
          break;
        int t0 = cand[b][0], t1 = cand[b][1];
        cand[b][0] = cand[b - 1][0]; cand[b][1] = cand[b - 1][1];
        cand[b - 1][0] = t0; cand[b - 1][1] = t1;
      }
  size_t cached = 0;
  for (int j = 0; j < n; j++)
    {
      Wino *wn = &net->nodes[cand[j][0]].wino[cand[j][1]];
      const NsConvSpec *c = wino_conv (&net->nodes[cand[j][0]], cand[j][1]);
      const size_t both = pack_floats (c, 0) + pack_floats (c, 1);
      if (cached + both <= WINO_CACHE_FLOATS)
        for (int flip = 0; flip < 2; flip++)
          {
            wn->pk[flip] = g_try_new (float, pack_floats (c, flip));
            if (wn->pk[flip])
              ns_wino_pack (c, flip, wn->pk[flip]);
          }
      if (wn->pk[0] && wn->pk[1])
        cached += both;
      else
        for (int flip = 0; flip < 2; flip++)
          g_clear_pointer (&wn->pk[flip], g_free);
    }
  g_free (cand);
}

static size_t
wino_scratch (const NsConvSpec *c)
{
  return ns_wino_scratch_floats (MAX (c->cin, c->cout), omp_get_max_threads ());
}

/* Scratch of the on-the-fly path for c at h x w, both directions (0: not
 * offered there). */
static size_t
fly_scratch (const NsConvSpec *c, int h, int w)
{
  return ns_wino_fly_scratch_floats (MAX (c->cin, c->cout), h, w, omp_get_max_threads ());
}

/* Packed filters for one direction: kept, or packed now into pack_tmp. */
static const float *
wino_filters (NsNetwork *net, const NsConvSpec *c, const Wino *wn, int flip)
{
  if (!wn->fused)
    return NULL;
  if (wn->pk[flip])
    return wn->pk[flip];
  if (!net->pack_tmp)
    return NULL;
  ns_wino_pack (c, flip, net->pack_tmp);
  return net->pack_tmp;
}

/* The fused Winograd path for c (flip 0: forward, in -> out with bias and
 * ReLU; flip 1: input gradient, dout -> din, += when accumulate): packed
 * on the fly, kept, or packed into pack_tmp.  FALSE: it does not apply. */
static gboolean
wino_run (NsNetwork *net, const NsConvSpec *c, const Wino *wn, int flip, const float *in,
          int h, int w, int relu, int accumulate, float *out)
{
  if (!wn->fused)
    return FALSE;
  const float *bias = flip ? NULL : c->bias;
  if (!wn->pk[flip]
      && ns_wino_fly_conv (NS_WINO_ISA_AUTO, c, flip, in, h, w, bias, relu, accumulate, out,
                           net->ws.data, net->ws.floats))
    return TRUE;
  const float *pk = wino_filters (net, c, wn, flip);
  return pk && ns_wino_fused_conv (NS_WINO_ISA_AUTO, pk, flip ? c->cout : c->cin,
                                   flip ? c->cin : c->cout, in, h, w, bias, relu, accumulate,
                                   out, net->ws.data, net->ws.floats);
}

/* out = conv(in) (+ReLU): the fused Winograd path when it applies, else conv.c */
static void
conv_forward (NsNetwork *net, const NsConvSpec *c, const Wino *wn, const float *in,
              int h, int w, float *out, int relu)
{
  if (!wino_run (net, c, wn, 0, in, h, w, relu, 0, out))
    ns_conv_forward (c, in, h, w, out, relu, &net->ws);
}

static void
conv_backward (NsNetwork *net, const NsConvSpec *c, const Wino *wn, const float *dout,
               int h, int w, float *din, int accumulate)
{
  if (!wino_run (net, c, wn, 1, dout, h, w, 0, accumulate, din))
    ns_conv_backward_input (c, dout, h, w, din, accumulate, &net->ws);
}

/* Output rows y0 .. y1-1 of the 3x3/s1/p1 conv c (flip 1: its input
 * gradient) of src [C][h][w]: the input rows y0-1 .. y1 (zeros outside the
 * image; `top`, if given, replaces row y0-1: [C][w]) are copied into
 * band_in and convolved as an image of y1-y0+2 rows, whose rows 1 .. y1-y0
 * are exact.  Returns band_out [cout][y1-y0+2][w]. */
static const float *
conv_rows (NsNetwork *net, const NsConvSpec *c, const Wino *wn, int flip, const float *src,
           int h, int w, int y0, int y1, const float *top, int relu)
{
  const int C = flip ? c->cout : c->cin, bh = y1 - y0 + 2;
  const size_t hw = (size_t) h * w, row = (size_t) w * sizeof (float);
  float *in = net->band_in;
#pragma omp parallel for schedule(static)
  for (int ch = 0; ch < C; ch++)
    {
      float *dst = in + (size_t) ch * bh * w;
      const float *plane = src + ch * hw;
      if (y0 == 0)
        memset (dst, 0, row);
      else
        memcpy (dst, top ? top + (size_t) ch * w : plane + (size_t) (y0 - 1) * w, row);
      const int last = MIN (y1 + 1, h);     /* rows y0 .. last-1 from src */
      memcpy (dst + w, plane + (size_t) y0 * w, (size_t) (last - y0) * row);
      if (last == y1)
        memset (dst + (size_t) (bh - 1) * w, 0, row);
    }
  if (flip)
    conv_backward (net, c, wn, in, bh, w, net->band_out, 0);
  else
    conv_forward (net, c, wn, in, bh, w, net->band_out, relu);
  return net->band_out;
}

/* buf [C][h][w] = conv(buf) (flip 0, + ReLU if relu) or its input gradient
 * (flip 1), in place, band by band from the top: before a band's output
 * overwrites rows y0 .. y1-1, the original row y1-1 (the next band's top
 * halo) is saved in band_carry. */
static void
conv_in_place (NsNetwork *net, const NsConvSpec *c, const Wino *wn, int flip, float *buf,
               int h, int w, int relu)
{
  const int C = c->cin, R = net->band_rows;
  const size_t hw = (size_t) h * w, row = (size_t) w * sizeof (float);
  for (int y0 = 0; y0 < h; y0 += R)
    {
      const int y1 = MIN (y0 + R, h), bh = y1 - y0 + 2;
      const float *out = conv_rows (net, c, wn, flip, buf, h, w, y0, y1,
                                    y0 > 0 ? net->band_carry : NULL, relu);
#pragma omp parallel for schedule(static)
      for (int ch = 0; ch < C; ch++)
        {
          /* band_in row y1-y0 holds the original row y1-1 */
          memcpy (net->band_carry + (size_t) ch * w,
                  net->band_in + ((size_t) ch * bh + (y1 - y0)) * w, row);
          memcpy (buf + ch * hw + (size_t) y0 * w, out + ((size_t) ch * bh + 1) * w,
                  (size_t) (y1 - y0) * row);
        }
    }
}

NsNetwork *
ns_network_new (const NsModel *model, NsPoolingType pooling,
                const char *const *taps, int n_taps, GError **error)
{
  if (ns_arch_info (model->arch)->graph)
    {
      NsGraph *graph = ns_graph_new (model, pooling, taps, n_taps, error);
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
              ok = load_conv (model, &c[k], spec[k], &nd->weights[2 * k],
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
  plan_wino (net);
  return net;
}

static void
free_buffers (NsNetwork *net)
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
  free_buffers (net);
  for (int i = 0; i < net->n_nodes; i++)
    {
      for (int k = 0; k < 6; k++)
        g_free (net->nodes[i].weights[k]);
      for (int k = 0; k < 4; k++)
        g_free (net->nodes[i].wino[k / 2].pk[k % 2]);
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

/* Shapes of every node for an H x W input; returns FALSE if a node would be
 * empty.  Fills the byte counts the buffers would need. */
typedef struct
{
  guint64 act_floats;     /* kept node outputs + squeeze activations */
  guint64 aux_bytes;      /* ReLU mask bits and argmax bytes */
  guint64 max_act;        /* largest single activation (incl. the input) */
  guint64 max_sq;
  guint64 ws_floats;
  guint64 pack_floats;    /* per-call bank (pack_tmp) */
  guint64 grad_floats[2]; /* what each transient buffer must hold */
  guint64 band_in, band_out, band_carry;
} Sizes;

/* Scratch of one conv at h x w: fused (kept bank, on the fly, or a bank
 * packed per call) or conv.c's. */
static void
plan_conv_ws (const NsConvSpec *c, const Wino *wn, int h, int w, Sizes *sz)
{
  size_t need;
  if (!wn->fused)
    need = ns_conv_workspace_floats (c, h, w);
  else
    {
      need = wino_scratch (c);
      if (!wn->pk[0] || !wn->pk[1])
        {
          const size_t fly = fly_scratch (c, h, w);
          need = MAX (need, fly);
          if (fly == 0)
            sz->pack_floats = MAX (sz->pack_floats, MAX (pack_floats (c, 0), pack_floats (c, 1)));
        }
    }
  sz->ws_floats = MAX (sz->ws_floats, need);
}

static gboolean
has_relu (const Node *nd)
{
  return (nd->desc->kind == NS_LAYER_CONV && nd->fused_relu) || nd->desc->kind == NS_LAYER_RELU
         || nd->desc->kind == NS_LAYER_FIRE;
}

static gboolean
is_max_pool (const Node *nd)
{
  return nd->desc->kind == NS_LAYER_POOL && nd->pool.type == NS_POOLING_MAX;
}

static guint64
node_floats (const NsNetwork *net, int i)
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
plan_band_conv (const NsNetwork *net, const NsConvSpec *c, const Wino *wn, int h, int w,
                Sizes *sz)
{
  const int bh = MIN (net->band_rows, h) + 2;
  sz->band_in = MAX (sz->band_in, (guint64) c->cin * bh * w);
  sz->band_out = MAX (sz->band_out, (guint64) c->cout * bh * w);
  sz->band_carry = MAX (sz->band_carry, (guint64) c->cin * w);
  plan_conv_ws (c, wn, bh, w, sz);
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
          && !prev->keep && !prev->recompute && node_floats (net, i - 1) < node_floats (net, i))
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
            && 2 * node_floats (net, i) >= sz->max_act;
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
          need[cur] = MAX (need[cur], node_floats (net, i));
        }
      if (net->nodes[i].recompute)    /* ns_network_tap recomputes into grad_a */
        need[0] = MAX (need[0], node_floats (net, i));
    }
  /* backward: starting in either buffer; the one that needs less wins
   * (the in-place conv's gradient should land where its forward was) */
  guint64 best[2] = { 0, 0 };
  for (int start = 1; start >= 0; start--)
    {
      guint64 nd[2] = { need[0], need[1] };
      int d = start;
      nd[d] = MAX (nd[d], node_floats (net, net->n_nodes - 1));
      for (int i = net->n_nodes - 1; i >= 0; i--)
        {
          const guint64 n_in = i > 0 ? node_floats (net, i - 1) : (guint64) 3 * H * W;
          if (net->nodes[i].recompute && i == 0 && !net->band_first)
            nd[1 - d] = MAX (nd[1 - d], node_floats (net, i));
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
            plan_conv_ws (&nd->conv, &nd->wino[0], h, w, sz);
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
          plan_conv_ws (&nd->e3, &nd->wino[1], h, w, sz);
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
      const guint64 n = node_floats (net, i);
      if (nd->keep)
        sz->act_floats += n;
      else if (has_relu (nd) && !nd->recompute)
        sz->aux_bytes += (n + 7) / 8;
      if (is_max_pool (nd))
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
  if (plan_shapes (net, H, W, &sz, &empty))
    bytes = sizeof (float) * ((guint64) 3 * H * W + sz.act_floats + sz.grad_floats[0]
                              + sz.grad_floats[1] + sz.max_sq + sz.ws_floats + sz.pack_floats
                              + sz.band_in + sz.band_out + sz.band_carry)
      + sz.aux_bytes;
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
  if (net->graph)
    return ns_graph_forward_flops (net->graph, H, W);
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
  if (net->graph)
    return ns_graph_weight_bytes (net->graph);
  guint64 floats = 0;
  for (int i = 0; i < net->n_nodes; i++)
    {
      const Node *nd = &net->nodes[i];
      const NsConvSpec *convs[3] = { &nd->conv, &nd->e1, &nd->e3 };
      for (int k = 0; k < 3; k++)
        if (convs[k]->weight)
          floats += (guint64) convs[k]->cout * (convs[k]->cin * convs[k]->kh * convs[k]->kw + 1);
      for (int k = 0; k < 2; k++)   /* kept packed Winograd filters */
        for (int flip = 0; flip < 2; flip++)
          if (nd->wino[k].pk[flip])
            floats += pack_floats (wino_conv (nd, k), flip);
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
ns_network_set_banding (NsNetwork *net, int rows, GError **error)
{
  if (net->graph)     /* (no banded mode: every output is kept) */
    return TRUE;
  net->band_request = rows < 0 ? -1 : rows;
  const int H = net->H, W = net->W;
  if (H == 0)
    return TRUE;
  free_buffers (net);
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
      else if (has_relu (nd) && !nd->recompute)
        ALLOC_BYTES (nd->mask, (n + 7) / 8);
      if (is_max_pool (nd))
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

/* Profiling: seconds since *t added to node i's column k, *t = now. */
static double
prof_clock (const NsNetwork *net)
{
  return net->prof ? g_get_monotonic_time () / 1e6 : 0.0;
}

static void
prof_add (NsNetwork *net, int i, int k, double *t)
{
  if (!net->prof)
    return;
  const double now = prof_clock (net);
  net->prof[3 * i + k] += now - *t;
  *t = now;
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
      double tp = prof_clock (net);
      if (!nd->keep)     /* in place, or the transient buffer the input is not in */
        nd->out = nd->in_place[0] ? (float *) in : in == net->grad_a ? net->grad_b : net->grad_a;
      switch (nd->desc->kind)
        {
        case NS_LAYER_CONV:
          if (nd->in_place[0])
            conv_in_place (net, &nd->conv, &nd->wino[0], 0, nd->out, h, w, nd->fused_relu);
          else
            conv_forward (net, &nd->conv, &nd->wino[0], in, h, w, nd->out, nd->fused_relu);
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
            conv_forward (net, &nd->e3, &nd->wino[1], nd->sq, h, w, nd->out + nd->e1.cout * hw, 1);
          }
          break;
        default:            /* graph-only kinds (net/graph.c) */
          break;
        }
      if (nd->mask)
        ns_relu_mask_bits (nd->out, n, nd->mask);
      net->valid = nd->recompute ? i : -1;
      prof_add (net, i, 0, &tp);
      loss += node_losses (net, i, losses, ctx);
      prof_add (net, i, 2, &tp);
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
static const float *
node_input (const NsNetwork *net, int i)
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
  conv_forward (net, &nd->conv, &nd->wino[0], node_input (net, i),
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

/* The tap gradients of recomputed node i (a 3x3/s1/p1 conv) in banded
 * mode, band by band: its output rows recomputed from its stored input, the
 * losses' dL/dF added to those rows of d, then d masked by the ReLU. */
static void
recompute_bands (NsNetwork *net, int i, const NsTapLoss *losses, void *ctx, float *d)
{
  Node *nd = &net->nodes[i];
  const int H = nd->h, W = nd->w, R = net->band_rows;
  const size_t hw = (size_t) H * W;
  for (int y0 = 0; y0 < H; y0 += R)
    {
      const int y1 = MIN (y0 + R, H);
      const size_t ldf = (size_t) (y1 - y0 + 2) * W, off = (size_t) y0 * W;
      const float *F = conv_rows (net, &nd->conv, &nd->wino[0], 0, node_input (net, i), H, W,
                                  y0, y1, NULL, nd->fused_relu) + W;
      const int n = (y1 - y0) * W;
      for (int t = 0; t < net->n_taps; t++)
        if (net->tap_node[t] == i)
          losses->grad (t, F, ldf, nd->c, n, off, d + off, hw, ctx);
      if (nd->fused_relu)
#pragma omp parallel for schedule(static)
        for (int ch = 0; ch < nd->c; ch++)
          {
            const float *f = F + ch * ldf;
            float *g = d + ch * hw + off;
            for (int j = 0; j < n; j++)
              g[j] = f[j] > 0.0f ? g[j] : 0.0f;
          }
    }
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
      double tp = prof_clock (net);
      if (bands)                     /* (timed as the backward op) */
        recompute_bands (net, i, losses, ctx, d);
      else
        {
          if (nd->recompute)         /* dprev is free until this node's backward */
            recompute_node (net, i, dprev);
          prof_add (net, i, 1, &tp);
          for (int t = 0; t < net->n_taps && losses; t++)
            if (net->tap_node[t] == i)
              losses->grad (t, nd->out, n / nd->c, nd->c, (int) (n / nd->c), 0, d, n / nd->c,
                            ctx);
          prof_add (net, i, 2, &tp);
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
              conv_in_place (net, &nd->conv, &nd->wino[0], 1, d, ih, iw, 0);
              prof_add (net, i, 1, &tp);
              continue;      /* the gradient stays in d */
            }
          conv_backward (net, &nd->conv, &nd->wino[0], d, ih, iw, dprev, 0);
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
            conv_backward (net, &nd->e3, &nd->wino[1], d + nd->e1.cout * hw, ih, iw,
                           net->grad_sq, 1);
            ns_relu_backward (nd->sq, net->grad_sq, (size_t) nd->conv.cout * hw);
            ns_conv_backward_input (&nd->conv, net->grad_sq, ih, iw, dprev, 0, &net->ws);
          }
          break;
        default:            /* graph-only kinds (net/graph.c) */
          break;
        }
      prof_add (net, i, 1, &tp);
      float *tmp = d;
      d = dprev;
      dprev = tmp;
    }

  ns_preprocess_backward (&net->pre, d, (size_t) net->H * net->W, dimage);
}

void
ns_network_set_profile (NsNetwork *net, gboolean on)
{
  if (net->graph)
    {
      ns_graph_set_profile (net->graph, on);
      return;
    }
  g_clear_pointer (&net->prof, g_free);
  if (on)
    net->prof = g_new0 (double, 3 * (gsize) net->n_nodes);
}

int
ns_network_n_nodes (const NsNetwork *net)
{
  if (net->graph)
    return ns_graph_n_nodes (net->graph);
  return net->n_nodes;
}

void
ns_network_node_profile (const NsNetwork *net, int i, const char **name, int *C, int *H, int *W,
                         double *gflop, double *fwd_s, double *bwd_s, double *loss_s)
{
  if (net->graph)
    {
      ns_graph_node_profile (net->graph, i, name, C, H, W, gflop, fwd_s, bwd_s, loss_s);
      return;
    }
  const Node *nd = &net->nodes[i];
  double f = 0;
  if (nd->desc->kind == NS_LAYER_CONV)
    f = conv_flops (&nd->conv, nd->h, nd->w);
  else if (nd->desc->kind == NS_LAYER_FIRE)
    f = conv_flops (&nd->conv, nd->h, nd->w) + conv_flops (&nd->e1, nd->h, nd->w)
      + conv_flops (&nd->e3, nd->h, nd->w);
  *name = nd->name;
  *C = nd->c;
  *H = nd->h;
  *W = nd->w;
  *gflop = f / 1e9;
  *fwd_s = net->prof ? net->prof[3 * i] : 0;
  *bwd_s = net->prof ? net->prof[3 * i + 1] : 0;
  *loss_s = net->prof ? net->prof[3 * i + 2] : 0;
}
