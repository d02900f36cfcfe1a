/* bands.c — banded mode at run time (network.c explains when): a 3x3/s1/p1
 * conv over a band of rows with its halo, in place band by band, and the
 * tap gradients of a recomputed conv band by band.
 */
#include "network_private.h"

#include <string.h>

/* Output rows y0 .. y1-1 of the 3x3/s1/p1 conv c (flip 1: its input
 * gradient) of src [C][h][w]: the input rows y0-1 .. y1 (zeros outside the
 * image; `top`, if given, replaces row y0-1: [C][w]) are copied into
 * band_in and convolved as an image of y1-y0+2 rows, whose rows 1 .. y1-y0
 * are exact.  Returns band_out [cout][y1-y0+2][w]. */
const float *
ns_net_conv_rows (NsNetwork *net, const NsConvSpec *c, const NsWino *wn, int flip, const float *src,
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
    ns_net_conv_backward (net, c, wn, in, bh, w, net->band_out, 0);
  else
    ns_net_conv_forward (net, c, wn, in, bh, w, net->band_out, relu);
  return net->band_out;
}

/* buf [C][h][w] = conv(buf) (flip 0, + ReLU if relu) or its input gradient
 * (flip 1), in place, band by band from the top: before a band's output
 * overwrites rows y0 .. y1-1, the original row y1-1 (the next band's top
 * halo) is saved in band_carry. */
void
ns_net_conv_in_place (NsNetwork *net, const NsConvSpec *c, const NsWino *wn, int flip, float *buf,
               int h, int w, int relu)
{
  const int C = c->cin, R = net->band_rows;
  const size_t hw = (size_t) h * w, row = (size_t) w * sizeof (float);
  for (int y0 = 0; y0 < h; y0 += R)
    {
      const int y1 = MIN (y0 + R, h), bh = y1 - y0 + 2;
      const float *out = ns_net_conv_rows (net, c, wn, flip, buf, h, w, y0, y1,
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

/* The tap gradients of recomputed node i (a 3x3/s1/p1 conv) in banded
 * mode, band by band: its output rows recomputed from its stored input, the
 * losses' dL/dF added to those rows of d, then d masked by the ReLU. */
void
ns_net_recompute_bands (NsNetwork *net, int i, const NsTapLoss *losses, void *ctx, float *d)
{
  Node *nd = &net->nodes[i];
  const int H = nd->h, W = nd->w, R = net->band_rows;
  const size_t hw = (size_t) H * W;
  for (int y0 = 0; y0 < H; y0 += R)
    {
      const int y1 = MIN (y0 + R, H);
      const size_t ldf = (size_t) (y1 - y0 + 2) * W, off = (size_t) y0 * W;
      const float *F = ns_net_conv_rows (net, &nd->conv, &nd->wino[0], 0, ns_net_node_input (net, i), H, W,
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
