/* network.h — a feature extractor built from a model: the sequence of
 * conv(+ReLU) / ReLU / pool / fire nodes up to the deepest tapped layer,
 * forward pass from the optimised image and backward pass to it.
 *
 * Image in: planar sRGB [3][H][W], 0..1 (preprocessing is part of the net).
 */
#ifndef NS_NETWORK_H
#define NS_NETWORK_H

#include "model.h"
#include "workspace.h"

typedef struct NsNetwork NsNetwork;

/* taps: layer names (e.g. "relu4_2", "fire5"); duplicates allowed (same index). */
NsNetwork *ns_network_new      (const NsModel *model, NsPoolingType pooling,
                                const char *const *taps, int n_taps, GError **error);
void       ns_network_free     (NsNetwork *net);
/* Allocate activations for an H x W input (reallocates on size change).
 * Fails with NS_ERROR_INVALID_ARG if a tapped layer would be empty. */
gboolean   ns_network_prepare  (NsNetwork *net, int H, int W, GError **error);
/* Bytes ns_network_prepare(H,W) would allocate (activations, gradients, workspace). */
guint64    ns_network_memory_bytes (const NsNetwork *net, int H, int W);
void       ns_network_forward  (NsNetwork *net, const float *image);
/* Tapped feature map i: [C][H*W]. */
const float *ns_network_tap    (const NsNetwork *net, int i, int *C, int *H, int *W);
/* Gradient buffer of tap i (zeroed by ns_network_zero_grads); losses add into it. */
float     *ns_network_tap_grad (NsNetwork *net, int i);
void       ns_network_zero_grads (NsNetwork *net);
/* dimage (planar [3][H][W]) = dL/dimage, from the tap gradients. */
void       ns_network_backward (NsNetwork *net, float *dimage);

/* Layer name helpers (also behind ns_model_has_layer etc.). */
gboolean   ns_arch_has_layer   (NsArch arch, const char *name);

#endif
