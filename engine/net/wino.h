/* wino.h — (private to net/) the one Winograd dispatcher: which convs run
 * on the fused Winograd path (ops/conv_wino_fused.h), the cache of packed
 * filters, and the choice of kernel per call; every other conv goes to
 * ops/conv.c (im2col + GEMM).  Both executors (network.c, graph.c) run
 * their convs through ns_wino_conv.
 *
 * A 3x3/s1/p1 conv runs on the fused path with packed filters: kept (pk[0]
 * forward, pk[1] input gradient) for the smallest layers up to
 * NS_WINO_CACHE_FLOATS in all.  The rest pack per call: group by group
 * inside the conv when the image is small there (ns_wino_fly_conv), else the
 * whole bank into the caller's pack_tmp (~6 ms for a 512x512 conv).
 */
#ifndef NS_NET_WINO_H
#define NS_NET_WINO_H

#include "conv.h"

#include <glib.h>

#define NS_WINO_CACHE_FLOATS ((size_t) 24 * 1024 * 1024)   /* 96 MiB */

typedef struct
{
  int fused;         /* runs on the fused path */
  int cached;        /* its packed filters are kept (planned) */
  float *pk[2];      /* the kept packs (NULL in a plan-only network) */
} NsWino;

/* Mark the fused convs among convs[0..n-1] (absent ones: cout 0) and plan
 * the cache: the smallest first while they fit NS_WINO_CACHE_FLOATS.  pack:
 * also allocate and pack them (a failed allocation just means packing per
 * call); FALSE plans only (estimates: no weights read). */
void   ns_wino_plan_cache (const NsConvSpec *const *convs, NsWino *const *winos, int n,
                           gboolean pack);
void   ns_wino_clear      (NsWino *wn);
/* Floats of c's packed filters (flip 0 forward, 1 input gradient). */
size_t ns_wino_pack_floats (const NsConvSpec *c, int flip);
/* Scratch of c at input h x w into *ws_floats, and of a bank packed per
 * call into *pack_floats (both raised to at least what is needed). */
void   ns_wino_plan_scratch (const NsConvSpec *c, const NsWino *wn, int h, int w,
                             guint64 *ws_floats, guint64 *pack_floats);
/* flip 0: out = conv(in) + bias (+ReLU); flip 1: out (=, += if accumulate)
 * = input gradient of dout = in.  h, w: the input's size (flip 1: the
 * conv's input size too).  Fused when it applies, else ops/conv.c. */
void   ns_wino_conv (const NsConvSpec *c, const NsWino *wn, int flip, const float *in, int h,
                     int w, int relu, int accumulate, float *out, NsWorkspace *ws,
                     float *pack_tmp);

#endif
