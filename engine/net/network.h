/* network.h — a feature extractor built from a model: the layers of its
 * architecture up to the deepest tapped layer (a chain for VGG and
 * SqueezeNet: network.c; a graph with branches and concatenations for
 * GoogLeNet: graph.c), forward pass from the optimised image and backward
 * pass to it.
 *
 * Image in: planar sRGB [3][H][W], 0..1 (preprocessing is part of the net).
 */
#ifndef NS_NETWORK_H
#define NS_NETWORK_H

#include "model.h"
#include "workspace.h"

typedef struct NsNetwork NsNetwork;

/* taps: layer names (e.g. "relu4_2", "fire5"); duplicates allowed (same index).
 * The network may read weights in place from the model's mapping: the
 * model must stay open while the network exists. */
NsNetwork *ns_network_new      (const NsModel *model, NsPoolingType pooling,
                                const char *const *taps, int n_taps, GError **error);
/* The same for planning only (memory, FLOPs, shapes at any size: plan.c):
 * reads no weights and packs no filters; cannot be prepared or run. */
NsNetwork *ns_network_new_plan (const NsModel *model, NsPoolingType pooling,
                                const char *const *taps, int n_taps, GError **error);
void       ns_network_free     (NsNetwork *net);
/* Allocate activations for an H x W input (reallocates on size change).
 * Fails with NS_ERROR_INVALID_ARG if a tapped layer would be empty. */
gboolean   ns_network_prepare  (NsNetwork *net, int H, int W, GError **error);
/* Bytes ns_network_prepare(H,W) would allocate (activations, gradients, workspace). */
guint64    ns_network_memory_bytes (NsNetwork *net, int H, int W);
/* Multiply-add FLOPs (2 per MAC) of one forward pass at H x W; the input
 * gradient costs about the same again.  Also reports weight bytes held. */
double     ns_network_forward_flops (NsNetwork *net, int H, int W);
guint64    ns_network_weight_bytes  (const NsNetwork *net);
/* Smallest side s such that an s x s input leaves every node non-empty. */
int        ns_network_min_side      (NsNetwork *net);
/* The losses on the taps, in two parts (objective.c implements them):
 *  loss: during the forward pass, once per tap as soon as its map F
 *        [C][HW] is complete (shallowest first): return the tap's loss and
 *        keep what its gradient needs;
 *  grad: during the backward pass (deepest first): dF += dL/dF for the n
 *        pixels off .. off+n-1 of the tap; F and dF hold those pixels, their
 *        rows (channels) ldf and ldd floats apart.  Called once with the
 *        whole map (off 0, n = HW), or band by band for a recomputed first
 *        layer in banded mode. */
typedef struct
{
  double (*loss) (int tap, const float *F, int C, int HW, void *ctx);
  void   (*grad) (int tap, const float *F, size_t ldf, int C, int n, size_t off,
                  float *dF, size_t ldd, void *ctx);
} NsTapLoss;

void       ns_network_forward  (NsNetwork *net, const float *image);
/* The same, calling losses->loss (losses may be NULL); returns Σ of them. */
double     ns_network_forward_losses (NsNetwork *net, const float *image,
                                      const NsTapLoss *losses, void *ctx);
/* Tapped feature map i (after ns_network_forward): [C][H*W]. */
const float *ns_network_tap    (NsNetwork *net, int i, int *C, int *H, int *W);
/* Shape only (of the last planned or prepared size); computes nothing. */
void       ns_network_tap_shape (const NsNetwork *net, int i, int *C, int *H, int *W);
int        ns_network_n_taps   (const NsNetwork *net);

/* After ns_network_forward_losses with the same losses: dimage (planar
 * [3][H][W], overwritten) = dL/dimage, L = Σ of the tap losses. */
void       ns_network_backward (NsNetwork *net, const NsTapLoss *losses, void *ctx,
                                float *dimage);

/* Banded mode (network.c): rows = -1 off, 0 automatic (on for large
 * images), > 0 on with that many rows per band (tests).  A prepared
 * network is prepared again at its size (FALSE: out of memory). */
gboolean   ns_network_set_banding (NsNetwork *net, int rows, GError **error);
/* Whether the prepared size runs banded. */
gboolean   ns_network_banded   (const NsNetwork *net);

/* Profiling (bench-engine profile): while on, every pass adds each node's
 * seconds (forward op; backward op, incl. band-wise recomputation; the tap
 * losses of both passes).  Turning it on resets the sums. */
void       ns_network_set_profile  (NsNetwork *net, gboolean on);
int        ns_network_n_nodes      (const NsNetwork *net);
/* Node i at the prepared size: name (of its output), shape, forward GFLOP
 * and the accumulated seconds. */
void       ns_network_node_profile (const NsNetwork *net, int i, const char **name, int *C,
                                    int *H, int *W, double *gflop, double *fwd_s,
                                    double *bwd_s, double *loss_s);

/* Layer name helpers (also behind ns_model_has_layer etc.). */
gboolean   ns_arch_has_layer   (NsArch arch, const char *name);

#endif
