/* edge_pad.h — which rows and columns of the image reach the losses, and
 * the reflection padding that makes every one of them reach.
 *
 * A window layer reads its input (length n) only up to position
 * (o-1)·s - p + k - 1 (o outputs, kernel k, stride s, padding p).  For
 * SqueezeNet's conv1 (3x3, stride 2, no padding) on an even side that is
 * n - 2: the last row/column feeds no output, so no content or style term
 * has a gradient there and the start noise stays (issue 17).  The objective
 * therefore runs the network on the image extended at the bottom and right
 * by the fewest rows/columns that make every pixel reach a tapped layer,
 * filled by reflection about the last pixel (x[n-1+j] = x[n-1-j], the rule
 * of PyTorch's ReflectionPad2d), and folds the gradient of the added pixels
 * back onto the pixels they copy (the padding's adjoint), so the objective
 * L(pad(x)) and its gradient stay exact.  When the network already sees the
 * whole image the padding is 0 and nothing changes.
 *
 * The geometry is derived from the layer table: a new architecture only
 * states its windows (k, stride, pad, ceil mode); size-keeping layers
 * (ReLU, Fire, 3x3 pad 1 convs) need nothing special.
 */
#ifndef NS_EDGE_PAD_H
#define NS_EDGE_PAD_H

#include "model.h"

/* One layer along one image axis (every shipped layer is square). */
typedef struct
{
  int k, stride, pad, ceil_mode;  /* window; k = stride = 1, pad 0: keeps the size */
  int tapped;                     /* a loss reads this layer's output */
} NsAxisWindow;

/* The axis windows of `arch`'s layers up to its deepest tap (taps: layer
 * names; *n = 0 when none is found).  g_free the result. */
NsAxisWindow *ns_edge_axis_windows (NsArch arch, const char *const *taps, int n_taps, int *n);
/* Whether each of the first `side` positions of an axis of length len
 * (>= side) reaches some tapped output (FALSE if a tapped layer is empty). */
gboolean      ns_edge_all_reach    (const NsAxisWindow *win, int n, int len, int side);
/* The fewest positions P >= 0 to append to an axis of length `side` so that
 * every one of its positions reaches a tap.  0 when `side` leaves a layer
 * empty (too small: the network refuses it) or when no P up to twice the
 * product of the strides helps (windows with gaps, stride > k, which
 * padding at the end cannot mend). */
int           ns_edge_pad_for      (const NsAxisWindow *win, int n, int side);

/* Source of padded position i >= 0 on an axis of length n (i itself below n). */
int  ns_edge_reflect    (int i, int n);
/* Planar x [c][h][w] -> xp [c][h+ph][w+pw]: x, continued at the bottom and
 * right by reflection (repeated for pads >= the side). */
void ns_edge_pad        (const float *x, int c, int w, int h, int pw, int ph, float *xp);
/* The adjoint: g [c][h][w] = Σ of gp [c][h+ph][w+pw] over the padded
 * positions that copy each pixel (g overwritten). */
void ns_edge_pad_adjoint (const float *gp, int c, int w, int h, int pw, int ph, float *g);

#endif
