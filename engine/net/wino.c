/* wino.c — the Winograd dispatcher and filter cache (wino.h). */
#include "wino.h"
#include "conv_wino_fused.h"

#include <omp.h>

static int
is_3x3_same (const NsConvSpec *c)
{
  return c->kh == 3 && c->kw == 3 && c->stride == 1 && c->pad == 1;
}

size_t
ns_wino_pack_floats (const NsConvSpec *c, int flip)
{
  return ns_wino_packed_floats (flip ? c->cin : c->cout, flip ? c->cout : c->cin);
}

void
ns_wino_plan_cache (const NsConvSpec *const *convs, NsWino *const *winos, int n_convs,
                    gboolean pack)
{
  int n = 0;
  int *cand = g_new (int, MAX (n_convs, 1));
  for (int i = 0; i < n_convs; i++)
    if (convs[i]->cout > 0 && is_3x3_same (convs[i]))
      {
        winos[i]->fused = 1;
        cand[n++] = i;
      }
  /* smallest first (insertion sort: a few dozen layers at most) */
  for (int a = 1; a < n; a++)
    for (int b = a; b > 0; b--)
      {
        if (ns_wino_pack_floats (convs[cand[b - 1]], 0) <= ns_wino_pack_floats (convs[cand[b]], 0))
          break;
        const int t = cand[b];
        cand[b] = cand[b - 1];
        cand[b - 1] = t;
      }
  size_t cached = 0;
  for (int j = 0; j < n; j++)
    {
      NsWino *wn = winos[cand[j]];
      const NsConvSpec *c = convs[cand[j]];
      const size_t both = ns_wino_pack_floats (c, 0) + ns_wino_pack_floats (c, 1);
      if (cached + both > NS_WINO_CACHE_FLOATS)
        continue;
      wn->cached = 1;
      for (int flip = 0; flip < 2 && pack; flip++)
        {
          wn->pk[flip] = g_try_new (float, ns_wino_pack_floats (c, flip));
          if (wn->pk[flip])
            ns_wino_pack (c, flip, wn->pk[flip]);
        }
      if (pack && (!wn->pk[0] || !wn->pk[1]))
        ns_wino_clear (wn);
      cached += wn->cached ? both : 0;
    }
  g_free (cand);
}

void
ns_wino_clear (NsWino *wn)
{
  for (int flip = 0; flip < 2; flip++)
    g_clear_pointer (&wn->pk[flip], g_free);
  wn->cached = 0;
}

/* Scratch of one conv at h x w: fused (kept bank, on the fly, or a bank
 * packed per call) or conv.c's. */
void
ns_wino_plan_scratch (const NsConvSpec *c, const NsWino *wn, int h, int w, guint64 *ws_floats,
                      guint64 *pack_floats)
{
  size_t need;
  if (!wn->fused)
    need = ns_conv_workspace_floats (c, h, w);
  else
    {
      const int nt = omp_get_max_threads ();
      need = ns_wino_scratch_floats (MAX (c->cin, c->cout), nt);
      if (!wn->cached)
        {
          const size_t fly = ns_wino_fly_scratch_floats (MAX (c->cin, c->cout), h, w, nt);
          need = MAX (need, fly);
          if (fly == 0)
            *pack_floats = MAX (*pack_floats, MAX (ns_wino_pack_floats (c, 0),
                                                   ns_wino_pack_floats (c, 1)));
        }
    }
  *ws_floats = MAX (*ws_floats, need);
}

/* The fused path: on the fly, kept, or packed into pack_tmp.  FALSE: it
 * does not apply. */
static gboolean
fused_run (const NsConvSpec *c, const NsWino *wn, int flip, const float *in, int h, int w,
           int relu, int accumulate, float *out, NsWorkspace *ws, float *pack_tmp)
{
  if (!wn || !wn->fused)
    return FALSE;
  const float *bias = flip ? NULL : c->bias;
  if (!wn->pk[flip]
      && ns_wino_fly_conv (NS_WINO_ISA_AUTO, c, flip, in, h, w, bias, relu, accumulate, out,
                           ws->data, ws->floats))
    return TRUE;
  const float *pk = wn->pk[flip];
  if (!pk && pack_tmp)
    {
      ns_wino_pack (c, flip, pack_tmp);
      pk = pack_tmp;
    }
  return pk && ns_wino_fused_conv (NS_WINO_ISA_AUTO, pk, flip ? c->cout : c->cin,
                                   flip ? c->cin : c->cout, in, h, w, bias, relu, accumulate,
                                   out, ws->data, ws->floats);
}

void
ns_wino_conv (const NsConvSpec *c, const NsWino *wn, int flip, const float *in, int h, int w,
              int relu, int accumulate, float *out, NsWorkspace *ws, float *pack_tmp)
{
  if (fused_run (c, wn, flip, in, h, w, relu, accumulate, out, ws, pack_tmp))
    return;
  if (flip)
    ns_conv_backward_input (c, in, h, w, out, accumulate, ws);
  else
    ns_conv_forward (c, in, h, w, out, relu, ws);
}
