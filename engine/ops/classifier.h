/* classifier.h — the classifier head: inner product (fully connected) and
 * softmax, forward and input gradient.
 *
 * Inner product: x [n_in] (a CHW map flattened), W [n_out][n_in], b [n_out]:
 *   y = W x + b;                 dx += Wᵀ dy.
 * Softmax over n values (Caffe's "Softmax" over channels of a 1x1 map):
 *   y_i = exp(x_i − max x) / Σ_j exp(x_j − max x);
 *   dx_i += y_i (dy_i − Σ_j dy_j y_j).
 */
#ifndef NS_CLASSIFIER_H
#define NS_CLASSIFIER_H

void ns_inner_product_forward  (const float *W, const float *b, int n_out, int n_in,
                                const float *x, float *y);
void ns_inner_product_backward (const float *W, int n_out, int n_in, const float *dy,
                                float *dx);
void ns_softmax_forward  (const float *x, int n, float *y);
void ns_softmax_backward (const float *y, const float *dy, int n, float *dx);

#endif
