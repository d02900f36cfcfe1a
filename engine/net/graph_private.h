/* graph_private.h — (private to net/) the graph executor's nodes and
 * state, shared by graph.c (build, buffers), graph_plan.c (shapes, memory,
 * FLOPs) and graph_passes.c (forward / backward, taps, profiling). */
#ifndef NS_GRAPH_PRIVATE_H
#define NS_GRAPH_PRIVATE_H

#include "graph.h"
#include "lrn.h"
#include "pool.h"
#include "wino.h"

typedef struct
{
  const NsLayerDesc *desc;
  int needed;                /* an ancestor of a tap (or a tap) */
  int n_in, in[NS_LAYER_MAX_BOTTOMS];   /* bottoms: node index, -1 = the image */
  int consumers;             /* needed nodes reading this output */
  int concat, offset;        /* output is channels offset.. of node `concat` (-1: own) */
  NsConvSpec conv;           /* CONV, FC (cin/cout) */
  NsWino wino;
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
  int    input_size;
  int    plan_only;          /* built for estimates: no weights, no packs, no buffers */         /* the classifier's input side */
  float *input, *dinput;     /* preprocessed image [3][H][W] and its gradient */
  float *tmp;                /* pool backward before adding (largest pool input) */
  NsWorkspace ws;
  float *pack_tmp;           /* a Winograd bank packed per call */
  double *prof;              /* [n_nodes][3] seconds; NULL: not profiling */
};

typedef struct
{
  guint64 floats;        /* outputs + gradients (own buffers), LRN scales, image x2 */
  guint64 bytes;         /* argmax */
  guint64 ws, tmp, pack;
} Sizes;

void     ns_graph_in_shape     (const NsGraph *g, int j, int *c, int *h, int *w);
gboolean ns_graph_is_max_pool  (const GraphNode *nd);
/* Shapes of the needed nodes at g->H x g->W; FALSE with *why (g_free) set
 * when a node would be empty or the classifier does not fit. */
gboolean ns_graph_plan_shapes  (NsGraph *g, Sizes *sz, char **why);
double   ns_graph_node_flops   (const GraphNode *nd);
void     ns_graph_free_buffers (NsGraph *g);

#endif
