/* graph.h — (private to net/) the executor for graph architectures: layers
 * that name their inputs, any number of them (concatenation along
 * channels), run in topological order (the table's), backward in reverse.
 * network.c hands every NsNetwork call for such an architecture (GoogLeNet)
 * to these; the semantics are those of network.h.
 *
 * Memory: every node computed for the taps keeps its output and its
 * gradient (an Inception branch writes straight into its slice of the
 * concatenation, forward and backward, so concatenation copies nothing);
 * plus a ReLU-free argmax byte per max-pool output and LRN's scale.
 */
#ifndef NS_GRAPH_H
#define NS_GRAPH_H

#include "network.h"

typedef struct NsGraph NsGraph;

/* plan_only: no weights read, no filters packed (ns_network_new_plan). */
NsGraph     *ns_graph_new          (const NsModel *model, NsPoolingType pooling,
                                    const char *const *taps, int n_taps, gboolean plan_only,
                                    GError **error);
void         ns_graph_free         (NsGraph *g);
gboolean     ns_graph_prepare      (NsGraph *g, int H, int W, GError **error);
guint64      ns_graph_memory_bytes (NsGraph *g, int H, int W);
double       ns_graph_forward_flops (NsGraph *g, int H, int W);
guint64      ns_graph_weight_bytes (const NsGraph *g);
double       ns_graph_forward_losses (NsGraph *g, const float *image, const NsTapLoss *losses,
                                      void *ctx);
void         ns_graph_backward     (NsGraph *g, const NsTapLoss *losses, void *ctx,
                                    float *dimage);
const float *ns_graph_tap          (NsGraph *g, int i, int *C, int *H, int *W);
void         ns_graph_tap_shape    (const NsGraph *g, int i, int *C, int *H, int *W);
int          ns_graph_n_taps       (const NsGraph *g);
void         ns_graph_set_profile  (NsGraph *g, gboolean on);
int          ns_graph_n_nodes      (const NsGraph *g);
void         ns_graph_node_profile (const NsGraph *g, int i, const char **name, int *C, int *H,
                                    int *W, double *gflop, double *fwd_s, double *bwd_s,
                                    double *loss_s);

#endif
