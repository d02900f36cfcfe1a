/* network_private.h — (private to net/) the chain executor's nodes and
 * network, shared by its files:
 *   network.c  build, buffers, forward / backward passes, taps
 *   plan.c     shapes, memory, banded-mode plan, FLOPs (reads no weights)
 *   bands.c    banded mode at run time (convs band by band, in place)
 *   profile.c  per-node timers
 *   wino.c     the Winograd dispatcher and filter cache (wino.h)
 * See network.c for how the chain keeps its memory small.
 */
#ifndef NS_NETWORK_PRIVATE_H
#define NS_NETWORK_PRIVATE_H

#include "network.h"
#include "graph.h"
#include "pool.h"
#include "wino.h"

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
  NsWino wino[2];          /* [0] conv, [1] FIRE e3 */
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
  int    plan_only;        /* built for estimates: no weights, no packs, no buffers */
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

/* plan.c */
gboolean ns_net_plan_shapes (NsNetwork *net, int H, int W, Sizes *sz, const char **empty_layer);
gboolean ns_net_has_relu    (const Node *nd);
gboolean ns_net_is_max_pool (const Node *nd);
guint64  ns_net_node_floats (const NsNetwork *net, int i);
double   ns_net_node_flops  (const Node *nd);
/* bands.c */
const float *ns_net_conv_rows (NsNetwork *net, const NsConvSpec *c, const NsWino *wn, int flip,
                               const float *src, int h, int w, int y0, int y1,
                               const float *top, int relu);
void     ns_net_conv_in_place (NsNetwork *net, const NsConvSpec *c, const NsWino *wn, int flip,
                               float *buf, int h, int w, int relu);
void     ns_net_recompute_bands (NsNetwork *net, int i, const NsTapLoss *losses, void *ctx,
                                 float *d);
/* network.c */
const float *ns_net_node_input (const NsNetwork *net, int i);
/* profile.c: seconds since *t added to node i's column k, *t = now */
double   ns_net_prof_clock (const NsNetwork *net);
void     ns_net_prof_add   (NsNetwork *net, int i, int k, double *t);

/* out = conv(in) (+ReLU) / din (+)= its input gradient, through the dispatcher */
static inline void
ns_net_conv_forward (NsNetwork *net, const NsConvSpec *c, const NsWino *wn, const float *in,
                     int h, int w, float *out, int relu)
{
  ns_wino_conv (c, wn, 0, in, h, w, relu, 0, out, &net->ws, net->pack_tmp);
}

static inline void
ns_net_conv_backward (NsNetwork *net, const NsConvSpec *c, const NsWino *wn, const float *dout,
                      int h, int w, float *din, int accumulate)
{
  ns_wino_conv (c, wn, 1, dout, h, w, 0, accumulate, din, &net->ws, net->pack_tmp);
}

#endif
