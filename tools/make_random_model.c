/* make_random_model.c — write a random, correctly shaped model file.
 *
 *   ns-make-random-model --arch vgg19|vgg16|squeezenet1_1 --seed N --out FILE
 *                        [--no-metadata]
 *
 * Every features.* convolution of the architecture's layer table gets
 * He-initialised weights, w ~ N(0, 2/fan_in) with fan_in = in_c*kh*kw
 * (He et al. 2015, eq. 10), and small uniform biases in [-0.01, 0.01].
 * The output depends only on (arch, seed).  Used to exercise VGG code paths
 * (VGG-19 cannot be downloaded here) and by the benchmarks.  Unless
 * --no-metadata is given, __metadata__ {"architecture": arch} is written.
 */
#include "model.h"

#include <math.h>
#include <stdio.h>

typedef struct
{
  GPtrArray *names;      /* owned strings */
  GArray    *tensors;    /* NsTensorOut (data owned) */
} Builder;

/* Standard normal via Box–Muller (one value per call; deterministic). */
static double
gauss (GRand *r)
{
  double u1 = g_rand_double (r), u2 = g_rand_double (r);
  if (u1 < 1e-300)
    u1 = 1e-300;
  return sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
}

static void
add_conv (Builder *b, GRand *r, const char *prefix, int out_c, int in_c, int k, int dense)
{
  size_t nw = (size_t) out_c * in_c * k * k;
  float *w = g_new (float, nw), *bias = g_new (float, out_c);
  double sd = sqrt (2.0 / (double) (in_c * k * k));
  for (size_t i = 0; i < nw; i++)
    w[i] = (float) (sd * gauss (r));
  for (int i = 0; i < out_c; i++)
    bias[i] = (float) g_rand_double_range (r, -0.01, 0.01);

  char *wn = g_strconcat (prefix, ".weight", NULL), *bn = g_strconcat (prefix, ".bias", NULL);
  g_ptr_array_add (b->names, wn);
  g_ptr_array_add (b->names, bn);
  NsTensorOut tw = { wn, dense ? 2 : 4, { out_c, in_c, k, k }, w };   /* dense: [out][in] */
  NsTensorOut tb = { bn, 1, { out_c }, bias };
  g_array_append_val (b->tensors, tw);
  g_array_append_val (b->tensors, tb);
}

int
main (int argc, char **argv)
{
  char *arch_name = NULL, *out = NULL;
  gint64 seed = 0;
  gboolean no_metadata = FALSE;
  GOptionEntry entries[] = {
    { "arch", 0, 0, G_OPTION_ARG_STRING, &arch_name, "vgg19, vgg16 or squeezenet1_1", "ARCH" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "random seed (default 0)", "N" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, "output .safetensors file", "FILE" },
    { "no-metadata", 0, 0, G_OPTION_ARG_NONE, &no_metadata,
      "omit __metadata__ (to test architecture detection)", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  GError *err = NULL;
  GOptionContext *ctx = g_option_context_new ("- write a random model with the right shapes");
  g_option_context_add_main_entries (ctx, entries, NULL);
  gboolean parsed = g_option_context_parse (ctx, &argc, &argv, &err);
  g_option_context_free (ctx);
  if (!parsed)
    {
      fprintf (stderr, "ns-make-random-model: %s\n", err->message);
      g_error_free (err);
      return 2;
    }
  NsArch arch;
  if (!arch_name || !out || !ns_arch_from_name (arch_name, &arch))
    {
      fprintf (stderr, "usage: ns-make-random-model --arch vgg19|vgg16|squeezenet1_1 "
                       "--seed N --out FILE [--no-metadata]\n");
      g_free (arch_name);
      g_free (out);
      return 2;
    }

  guint32 seed_words[2] = { (guint32) ((guint64) seed & 0xffffffffu),
                            (guint32) ((guint64) seed >> 32) };
  GRand *r = g_rand_new_with_seed_array (seed_words, 2);
  Builder b = { g_ptr_array_new_with_free_func (g_free),
                g_array_new (FALSE, FALSE, sizeof (NsTensorOut)) };
  int n;
  const NsLayerDesc *L = ns_arch_layers (arch, &n);
  for (int i = 0; i < n; i++)
    {
      NsConvDesc c[3];
      const int nc = ns_layer_convs (&L[i], c);
      for (int k = 0; k < nc; k++)
        add_conv (&b, r, c[k].prefix, c[k].cout, c[k].cin, c[k].k, c[k].dense);
    }
  g_rand_free (r);

  const char *meta[] = { "architecture", ns_arch_name (arch), "origin",
                         "ns-make-random-model (He-initialised random weights)", NULL };
  gboolean ok = ns_st_write (out, (const NsTensorOut *) (void *) b.tensors->data,
                             (int) b.tensors->len, no_metadata ? NULL : meta, &err);
  for (guint i = 0; i < b.tensors->len; i++)
    g_free ((float *) g_array_index (b.tensors, NsTensorOut, i).data);
  g_array_free (b.tensors, TRUE);
  g_ptr_array_free (b.names, TRUE);
  if (!ok)
    {
      fprintf (stderr, "ns-make-random-model: %s\n", err->message);
      g_error_free (err);
    }
  g_free (arch_name);
  g_free (out);
  return ok ? 0 : 1;
}
