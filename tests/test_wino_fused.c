/* test_wino_fused.c — the tile-blocked Winograd path (conv_wino_fused.c)
 * against the plain loops, for every instruction set this CPU runs:
 *
 *  - forward with bias, with fused ReLU, and += (accumulate);
 *  - input gradient as the flipped conv (pack flip = 1) vs the naive
 *    backward, = and +=;
 *  - sizes that are not multiples of 4 or of the 32-tile block, 1x1 and 2x3
 *    images, channel counts that are not multiples of the 8-row group;
 *  - VGG-like layers: max relative error printed and asserted < 1e-4;
 *  - bitwise the same with 1 thread and with all, and across ISAs within
 *    rounding; too little scratch is refused with the output untouched.
 */
#include "test_util.h"

#include <omp.h>

#include "conv_wino_fused.h"

#define rnd test_random_array
#define rel_err test_rel_err

typedef struct { int cin, cout, h, w; } Shape;

static double worst = 0.0;

static void
run_case (const Shape *sh, NsWinoIsa isa, guint32 seed, gboolean print)
{
  const int h = sh->h, w = sh->w, cin = sh->cin, cout = sh->cout;
  NsConvSpec c = { cin, cout, 3, 3, 1, 1, NULL, NULL };
  const size_t nin = (size_t) cin * h * w, nout = (size_t) cout * h * w;
  float *wt = rnd ((size_t) cout * cin * 9, seed), *bias = rnd (cout, seed + 1);
  for (size_t i = 0; i < (size_t) cout * cin * 9; i++)
    wt[i] *= (float) sqrt (6.0 / (9.0 * cin));        /* He-like scale, as a trained layer */
  float *in = rnd (nin, seed + 2), *g = rnd (nout, seed + 3), *base = rnd (nout, seed + 4);
  float *gbase = rnd (nin, seed + 5);
  c.weight = wt;
  c.bias = bias;
  float *ref = g_new (float, nout), *out = g_new (float, nout), *dref = g_new (float, nin);
  float *din = g_new (float, nin), *tmp = g_new (float, MAX (nin, nout));
  ns_conv_forward_naive (&c, in, h, w, ref);
  ns_conv_backward_input_naive (&c, g, h, w, dref);

  float *pf = g_new (float, ns_wino_packed_floats (cout, cin));
  float *pb = g_new (float, ns_wino_packed_floats (cin, cout));
  ns_wino_pack (&c, 0, pf);
  ns_wino_pack (&c, 1, pb);
  const int nth = omp_get_max_threads ();
  const size_t sf = ns_wino_scratch_floats (MAX (cin, cout), nth);
  float *scratch = g_new (float, sf);
  const char *isn = ns_wino_isa_name (isa);
  char what[120];
  g_snprintf (what, sizeof what, "%s %d->%d %dx%d", isn, cin, cout, h, w);

  /* forward + bias */
  for (size_t i = 0; i < nout; i++)
    out[i] = NAN;
  CHECK (ns_wino_fused_conv (isa, pf, cin, cout, in, h, w, bias, 0, 0, out, scratch, sf),
         "%s: forward ran", what);
  double ef = rel_err (out, ref, nout);
  CHECK (ef < 1e-4, "%s: forward rel err %.3g", what, ef);

  /* fused ReLU */
  ns_wino_fused_conv (isa, pf, cin, cout, in, h, w, bias, 1, 0, out, scratch, sf);
  for (size_t i = 0; i < nout; i++)
    tmp[i] = fmaxf (ref[i], 0.0f);
  double er = rel_err (out, tmp, nout);
  CHECK (er < 1e-4, "%s: forward+relu rel err %.3g", what, er);
  gboolean relu_ok = TRUE;
  for (size_t i = 0; i < nout; i++)
    relu_ok &= out[i] >= 0.0f;
  CHECK (relu_ok, "%s: relu output non-negative", what);

  /* accumulate: out = base + conv + bias */
  memcpy (out, base, nout * sizeof (float));
  ns_wino_fused_conv (isa, pf, cin, cout, in, h, w, bias, 0, 1, out, scratch, sf);
  for (size_t i = 0; i < nout; i++)
    tmp[i] = base[i] + ref[i];
  double ea = rel_err (out, tmp, nout);
  CHECK (ea < 1e-4, "%s: forward accumulate rel err %.3g", what, ea);

  /* input gradient = flipped conv of g */
  for (size_t i = 0; i < nin; i++)
    din[i] = NAN;
  CHECK (ns_wino_fused_conv (isa, pb, cout, cin, g, h, w, NULL, 0, 0, din, scratch, sf),
         "%s: backward ran", what);
  double eb = rel_err (din, dref, nin);
  CHECK (eb < 1e-4, "%s: backward rel err %.3g", what, eb);
  memcpy (din, gbase, nin * sizeof (float));
  ns_wino_fused_conv (isa, pb, cout, cin, g, h, w, NULL, 0, 1, din, scratch, sf);
  for (size_t i = 0; i < nin; i++)
    tmp[i] = gbase[i] + dref[i];
  double eba = rel_err (din, tmp, nin);
  CHECK (eba < 1e-4, "%s: backward accumulate rel err %.3g", what, eba);
  worst = fmax (worst, fmax (fmax (ef, er), fmax (ea, fmax (eb, eba))));
  if (print)
    printf ("  %-7s %3d->%3d %dx%d: max rel err vs naive: forward %.2e, input grad %.2e\n",
            isn, cin, cout, h, w, ef, eb);

  /* packing on the fly (small images): same results as the packed bank */
  const size_t ff = MAX (ns_wino_fly_scratch_floats (cin, h, w, nth),
                         ns_wino_fly_scratch_floats (cout, h, w, nth));
  if (ns_wino_fly_scratch_floats (cin, h, w, nth) > 0 && ns_wino_fly_scratch_floats (cout, h, w, nth) > 0)
    {
      float *fs = g_new (float, ff), *o2 = g_new (float, MAX (nin, nout));
      CHECK (ns_wino_fly_conv (isa, &c, 0, in, h, w, bias, 1, 0, o2, fs, ff), "%s: fly ran", what);
      ns_wino_fused_conv (isa, pf, cin, cout, in, h, w, bias, 1, 0, out, scratch, sf);
      CHECK (memcmp (o2, out, nout * sizeof (float)) == 0, "%s: fly forward = packed", what);
      memcpy (o2, gbase, nin * sizeof (float));
      ns_wino_fly_conv (isa, &c, 1, g, h, w, NULL, 0, 1, o2, fs, ff);
      memcpy (din, gbase, nin * sizeof (float));
      ns_wino_fused_conv (isa, pb, cout, cin, g, h, w, NULL, 0, 1, din, scratch, sf);
      CHECK (memcmp (o2, din, nin * sizeof (float)) == 0, "%s: fly backward += = packed", what);
      omp_set_num_threads (1);
      ns_wino_fly_conv (isa, &c, 0, in, h, w, bias, 1, 0, o2, fs, ns_wino_fly_scratch_floats (cin, h, w, 1));
      omp_set_num_threads (nth);
      CHECK (memcmp (o2, out, nout * sizeof (float)) == 0, "%s: fly independent of threads", what);
      CHECK (!ns_wino_fly_conv (isa, &c, 0, in, h, w, bias, 1, 0, o2, fs,
                                ns_wino_fly_scratch_floats (cin, h, w, 1) - 1),
             "%s: fly refuses small scratch", what);
      g_free (fs); g_free (o2);
    }
  else
    CHECK (h * w > 16384, "%s: fly offered for small images", what);

  /* one thread: bitwise the same */
  ns_wino_fused_conv (isa, pf, cin, cout, in, h, w, bias, 0, 0, out, scratch, sf);
  omp_set_num_threads (1);
  ns_wino_fused_conv (isa, pf, cin, cout, in, h, w, bias, 0, 0, tmp, scratch, sf);
  omp_set_num_threads (nth);
  CHECK (memcmp (tmp, out, nout * sizeof (float)) == 0, "%s: independent of threads", what);
  /* scratch for exactly one thread still works (bitwise the same) */
  ns_wino_fused_conv (isa, pf, cin, cout, in, h, w, bias, 0, 0, tmp, scratch,
                      ns_wino_scratch_floats (cin, 1));
  CHECK (memcmp (tmp, out, nout * sizeof (float)) == 0, "%s: one thread's scratch", what);

  /* too little scratch: refused, output untouched */
  for (size_t i = 0; i < nout; i++)
    tmp[i] = 7.0f;
  CHECK (!ns_wino_fused_conv (isa, pf, cin, cout, in, h, w, bias, 0, 0, tmp, scratch,
                              ns_wino_scratch_floats (cin, 1) - 1),
         "%s: small scratch refused", what);
  CHECK (tmp[0] == 7.0f && tmp[nout - 1] == 7.0f, "%s: refused call left out alone", what);

  g_free (wt); g_free (bias); g_free (in); g_free (g); g_free (base); g_free (gbase);
  g_free (ref); g_free (out); g_free (dref); g_free (din); g_free (tmp);
  g_free (pf); g_free (pb); g_free (scratch);
}

/* The ISAs agree with each other to rounding. */
static void
test_isas_agree (const NsWinoIsa *isas, int n)
{
  const int cin = 64, cout = 40, h = 37, w = 150;
  NsConvSpec c = { cin, cout, 3, 3, 1, 1, NULL, NULL };
  float *wt = rnd ((size_t) cout * cin * 9, 5), *in = rnd ((size_t) cin * h * w, 6);
  c.weight = wt;
  float *pf = g_new (float, ns_wino_packed_floats (cout, cin));
  ns_wino_pack (&c, 0, pf);
  const size_t sf = ns_wino_scratch_floats (cin, omp_get_max_threads ()), nout = (size_t) cout * h * w;
  float *scratch = g_new (float, sf), *o0 = g_new (float, nout), *o1 = g_new (float, nout);
  ns_wino_fused_conv (isas[0], pf, cin, cout, in, h, w, NULL, 0, 0, o0, scratch, sf);
  for (int i = 1; i < n; i++)
    {
      ns_wino_fused_conv (isas[i], pf, cin, cout, in, h, w, NULL, 0, 0, o1, scratch, sf);
      double e = rel_err (o1, o0, nout);
      CHECK (e < 1e-5, "%s vs %s: rel err %.3g", ns_wino_isa_name (isas[i]),
             ns_wino_isa_name (isas[0]), e);
    }
  g_free (wt); g_free (in); g_free (pf); g_free (scratch); g_free (o0); g_free (o1);
}

int
main (void)
{
  test_begin ("wino_fused");
  const Shape shapes[] = {
    { 1, 1, 1, 1 },    { 3, 5, 2, 3 },     { 16, 16, 7, 5 },    { 17, 9, 4, 4 },
    { 24, 40, 33, 29 }, { 8, 13, 9, 130 }, { 64, 64, 20, 131 }, { 5, 7, 131, 6 },
    { 16, 24, 13, 300 }, { 8, 8, 9, 520 },   /* interior blocks: read / written in place */
  };
  const Shape vgg[] = { { 64, 64, 45, 132 }, { 128, 96, 30, 27 }, { 256, 256, 25, 21 } };
  NsWinoIsa isas[3];
  int n_isa = 0;
  const NsWinoIsa all[] = { NS_WINO_ISA_GENERIC, NS_WINO_ISA_AVX2, NS_WINO_ISA_AVX512 };
  for (size_t i = 0; i < G_N_ELEMENTS (all); i++)
    if (ns_wino_isa_supported (all[i]))
      isas[n_isa++] = all[i];
    else
      printf ("  %s: not supported by this CPU/build, not tested\n", ns_wino_isa_name (all[i]));
  CHECK (n_isa >= 1 && ns_wino_isa_supported (NS_WINO_ISA_AUTO), "some ISA runs");
  for (int k = 0; k < n_isa; k++)
    {
      for (size_t i = 0; i < G_N_ELEMENTS (shapes); i++)
        run_case (&shapes[i], isas[k], 100 + 10 * (guint32) i, FALSE);
      for (size_t i = 0; i < G_N_ELEMENTS (vgg); i++)
        run_case (&vgg[i], isas[k], 300 + 10 * (guint32) i, TRUE);
    }
  run_case (&vgg[0], NS_WINO_ISA_AUTO, 400, FALSE);
  test_isas_agree (isas, n_isa);
  printf ("  worst rel err vs naive over all cases: %.2e\n", worst);

  /* bad arguments are refused */
  float x[4] = { 0 };
  CHECK (!ns_wino_fused_conv (NS_WINO_ISA_AUTO, NULL, 1, 1, x, 1, 1, NULL, 0, 0, x, x, 4),
         "NULL filters refused");
  CHECK (!ns_wino_fused_conv (NS_WINO_ISA_AUTO, x, 1, 1, x, 0, 1, NULL, 0, 0, x, x, 4),
         "empty image refused");
  CHECK (ns_wino_packed_floats (0, 3) == 0 && ns_wino_packed_floats (9, 2) == 16 * 36 * 2,
         "packed sizes");
  return test_finish ();
}
