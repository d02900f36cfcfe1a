/* relu.h — ReLU forward / backward (relu.c). */
#ifndef NS_RELU_H
#define NS_RELU_H

#include <stddef.h>

/* ReLU: y = max(0,x) in place;  backward: d *= (y > 0). */
void ns_relu_forward  (float *x, size_t n);
void ns_relu_backward (const float *y, float *d, size_t n);
/* The same mask as bits (bit i%8 of bits[i/8] = y[i] > 0, ceil(n/8) bytes),
 * for activations that are not kept for the backward pass. */
void ns_relu_mask_bits     (const float *y, size_t n, unsigned char *bits);
void ns_relu_backward_bits (const unsigned char *bits, float *d, size_t n);

#endif
