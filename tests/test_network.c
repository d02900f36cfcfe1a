/* test_network.c — the whole network and objective against finite differences.
 *
 * A seeded random VGG-19 (He-initialised, the real shapes) and a random
 * SqueezeNet 1.1 are written to temporary safetensors files; then
 *  - tap shapes follow the architecture (pool sizes, channel counts),
 *  - the gradient of the full objective (content + two styles of other sizes
 *    + TV), max and avg pooling, matches central differences along random
 *    directions,
 *  - a tapped conv (pre-ReLU) and a separate ReLU node give the same
 *    gradient as the fused path's finite differences,
 *  - an image too small for the deepest tap is refused with a message,
 *  - banded mode (large images) gives the plain path's loss and gradient.
 */
#include "test_util.h"
#include "objective.h"
#include "safetensors.h"
#include "conv.h"

#include <glib/gstdio.h>

typedef struct
{
  GArray    *tensors;   /* NsTensorOut */
  GPtrArray *owned;
  GRand     *rand;
} RandomModel;

/* He-style uniform weights (variance 2/fan_in), small biases. */
static void
add_conv (RandomModel *rm, const char *prefix, const char *suffix, int co, int ci, int k)
{
  size_t nw = (size_t) co * ci * k * k;
  float *w = g_new (float, nw), *b = g_new (float, co);
  double a = sqrt (6.0 / (ci * k * k));
  for (size_t j = 0; j < nw; j++)
    w[j] = (float) (a * (g_rand_double (rm->rand) * 2 - 1));
  for (int j = 0; j < co; j++)
    b[j] = (float) (0.05 * (g_rand_double (rm->rand) * 2 - 1));
  NsTensorOut tw = { g_strconcat (prefix, suffix, ".weight", NULL), 4, { co, ci, k, k }, w };
  NsTensorOut tb = { g_strconcat (prefix, suffix, ".bias", NULL), 1, { co }, b };
  g_ptr_array_add (rm->owned, w);
  g_ptr_array_add (rm->owned, b);
  g_ptr_array_add (rm->owned, (char *) tw.name);
  g_ptr_array_add (rm->owned, (char *) tb.name);
  g_array_append_val (rm->tensors, tw);
  g_array_append_val (rm->tensors, tb);
}

/* Write random weights for every conv of `arch`. */
static char *
write_random_model (const char *dir, NsArch arch, guint32 seed)
{
  int n;
  const NsLayerDesc *l = ns_arch_layers (arch, &n);
  RandomModel rm = { g_array_new (FALSE, TRUE, sizeof (NsTensorOut)),
                     g_ptr_array_new_with_free_func (g_free), g_rand_new_with_seed (seed) };
  for (int i = 0; i < n; i++)
    {
      NsConvDesc c[3];
      const int nc = ns_layer_convs (&l[i], c);
      for (int k = 0; k < nc; k++)
        add_conv (&rm, c[k].prefix, "", c[k].cout, c[k].cin, c[k].k);
    }
  char *path = g_build_filename (dir, ns_arch_name (arch), NULL);
  const char *meta[] = { "architecture", ns_arch_name (arch), NULL };
  GError *err = NULL;
  gboolean ok = ns_st_write (path, (NsTensorOut *) rm.tensors->data, (int) rm.tensors->len,
                             meta, &err);
  CHECK (ok, "writing random %s: %s", ns_arch_name (arch), err ? err->message : "");
  g_clear_error (&err);
  g_array_free (rm.tensors, TRUE);
  g_ptr_array_free (rm.owned, TRUE);
  g_rand_free (rm.rand);
  return path;
}

static float *
random_image (int w, int h, guint32 seed)
{
  float *x = g_new (float, (size_t) 3 * w * h);
  test_fill_random (x, (size_t) 3 * w * h, seed, 0.05f, 0.95f);
  return x;
}

/* Central differences of f along the gradient direction v = g/max|g|
 * against g·v.  (Along random directions the many ReLU/max-pool kinks of a
 * random deep net and the cancellation in g·v make FD too noisy to be a
 * sharp test; along g there is no cancellation.)  The best of two step
 * sizes must agree within 1%. */
static void
check_directional (NsObjective *obj, const float *x0, int w, int h, const char *what)
{
  size_t n = (size_t) 3 * w * h;
  float *x = g_new (float, n), *g = g_new (float, n), *gtmp = g_new (float, n);
  double f0 = ns_objective_eval (x0, g, obj);
  CHECK (isfinite (f0) && f0 > 0, "%s: f0 = %g", what, f0);
  double gmax = 0, gv = 0, best = G_MAXDOUBLE, best_fd = 0;
  for (size_t i = 0; i < n; i++)
    gmax = MAX (gmax, fabs (g[i]));
  for (size_t i = 0; i < n; i++)
    gv += (double) g[i] * g[i] / gmax;
  for (double eps = 1e-3; eps > 5e-5; eps /= 10)
    {
      for (size_t i = 0; i < n; i++)
        x[i] = x0[i] + (float) (eps * g[i] / gmax);
      double fp = ns_objective_eval (x, gtmp, obj);
      for (size_t i = 0; i < n; i++)
        x[i] = x0[i] - (float) (eps * g[i] / gmax);
      double fm = ns_objective_eval (x, gtmp, obj);
      double fd = (fp - fm) / (2 * eps);
      if (fabs (fd - gv) < best)
        best = fabs (fd - gv), best_fd = fd;
    }
  CHECK_CLOSE (best_fd, gv, 0.01, 0.0, what);
  g_free (x); g_free (g); g_free (gtmp);
}

static NsObjective *
make_objective (NsModel *m, NsParams *p, int w, int h)
{
  GError *err = NULL;
  NsObjective *obj = ns_objective_new (m, p, &err);
  CHECK (obj != NULL, "objective: %s", err ? err->message : "");
  if (!obj)
    return NULL;
  float *c = random_image (w, h, 1);
  float *s1 = random_image (w + 7, h - 5, 2);     /* styles of other sizes */
  float *s2 = random_image (w - 6, h + 9, 3);
  gboolean ok = ns_objective_set_content (obj, c, w, h, &err)
    && ns_objective_add_style (obj, s1, w + 7, h - 5, 0.7, &err)
    && ns_objective_add_style (obj, s2, w - 6, h + 9, 0.3, &err)
    && ns_objective_ready (obj, &err);
  CHECK (ok, "targets: %s", err ? err->message : "");
  g_clear_error (&err);
  g_free (c); g_free (s1); g_free (s2);
  return obj;
}

/* obj's loss and gradient at x with banded mode forced on (5- and 16-row
 * bands, which do not divide the height) equal the plain path's up to
 * Winograd rounding (the bands tile differently); banding is off after. */
static void
check_banded_same (NsObjective *obj, const float *x, int w, int h, const char *what)
{
  GError *err = NULL;
  const size_t n = (size_t) 3 * w * h;
  float *g0 = g_new (float, n), *g1 = g_new (float, n);
  NsNetwork *net = ns_objective_network (obj);
  CHECK (!ns_network_banded (net), "%s: small image not banded automatically", what);
  double f0 = ns_objective_eval (x, g0, obj);
  for (int rows = 5; rows <= 16; rows += 11)
    {
      CHECK (ns_network_set_banding (net, rows, &err) && ns_network_banded (net),
             "%s: banding on: %s", what, err ? err->message : "");
      g_clear_error (&err);
      double f1 = ns_objective_eval (x, g1, obj);
      double e = 0, sc = 0;
      for (size_t i = 0; i < n; i++)
        e = fmax (e, fabs (g1[i] - g0[i])), sc = fmax (sc, fabs (g0[i]));
      CHECK (fabs (f1 - f0) <= 1e-5 * fabs (f0) && e <= 1e-4 * sc,
             "%s, %d-row bands: loss %.9g vs %.9g, gradient max err %.3g of %.3g",
             what, rows, f1, f0, e, sc);
    }
  CHECK (ns_network_set_banding (net, -1, &err) && !ns_network_banded (net), "banding off");
  g_free (g0); g_free (g1);
}

/* Banded mode (in-place conv1_2 and conv2_2 input gradient, band-wise
 * recomputed relu1_1, relu2_1, relu3_1) against the plain path: the same loss and gradient
 * (up to Winograd rounding: the bands tile differently) for several tap
 * sets, bands that do not divide the height; then finite differences with
 * bands on; and the memory it saves at 2048 px. */
/* The estimates' plan-only objective (no weights read, no filters packed)
 * plans exactly as obj's network. */
static void
check_plan_only (NsModel *m, NsObjective *obj)
{
  NsParams p;
  ns_params_init (&p);
  NsObjective *plan = ns_objective_new_plan (m, &p, NULL);
  NsNetwork *net = obj ? ns_objective_network (obj) : NULL;
  NsNetwork *pnet = plan ? ns_objective_network (plan) : NULL;
  const int sides[] = { 256, 1000, 2048 };
  CHECK (net && pnet, "plan-only objective");
  for (int k = 0; net && pnet && k < 3; k++)
    CHECK (ns_network_memory_bytes (pnet, sides[k], sides[k])
           == ns_network_memory_bytes (net, sides[k], sides[k])
           && ns_network_forward_flops (pnet, sides[k], sides[k])
           == ns_network_forward_flops (net, sides[k], sides[k]), "%s plan-only at %d px",
           ns_model_architecture (m), sides[k]);
  CHECK (pnet && net && ns_network_weight_bytes (pnet) == ns_network_weight_bytes (net),
         "%s plan-only weight bytes (incl. the kept Winograd packs)", ns_model_architecture (m));
  ns_objective_free (plan);
}

static void
test_banded (NsModel *m)
{
  GError *err = NULL;
  char *sets[][2] = {
    { NULL, NULL },                                   /* defaults: relu1_1 styled */
    { "relu1_1,relu4_2", "relu1_1,relu2_1" },         /* relu1_1 content and style */
    { "relu2_2", "conv1_1,relu1_2,relu3_1" },         /* tapped pre-activation conv1_1 */
  };
  const int w = 40, h = 38;   /* conv2_2 half as large as conv1_2: both in place */
  float *x = random_image (w, h, 11);
  for (size_t k = 0; k < G_N_ELEMENTS (sets); k++)
    {
      NsParams p;
      ns_params_init (&p);
      p.content_layers = sets[k][0];
      p.style_layers = sets[k][1];
      NsObjective *obj = make_objective (m, &p, w, h);
      if (!obj)
        continue;
      check_banded_same (obj, x, w, h, k == 0 ? "vgg19 defaults" : k == 1
                         ? "vgg19 relu1_1 content" : "vgg19 conv1_1 tap");
      if (k == 0)
        {
          ns_network_set_banding (ns_objective_network (obj), 5, NULL);
          check_directional (obj, x, w, h, "vgg19 banded");
        }
      ns_objective_free (obj);
    }
  g_free (x);

  /* 2048 x 2048: banded automatically; the second transient buffer holds a
   * 64-channel 1024x1024 map (256 MiB) instead of a 64-channel 2048x2048
   * (1 GiB), relu2_1, relu3_1 and relu4_1 are recomputed from the pooled
   * maps before them (512 -> 256, 256 -> 128, 128 -> 64 MiB); less the band
   * buffers (2 x 16 MiB) */
  NsParams p;
  ns_params_init (&p);
  NsObjective *obj = ns_objective_new (m, &p, &err);
  NsNetwork *net = obj ? ns_objective_network (obj) : NULL;
  check_plan_only (m, obj);
  if (net)
    {
      guint64 banded = ns_network_memory_bytes (net, 2048, 2048);
      ns_network_set_banding (net, -1, NULL);
      guint64 plain = ns_network_memory_bytes (net, 2048, 2048);
      CHECK (plain - banded >= (guint64) 1152 << 20 && plain - banded <= (guint64) 1216 << 20,
             "2048 px: banded %.0f MiB, plain %.0f MiB", banded / 1048576.0, plain / 1048576.0);
    }
  ns_objective_free (obj);
}

static void
test_vgg (const char *path)
{
  GError *err = NULL;
  NsModel *m = ns_model_load (path, &err);
  CHECK (m != NULL, "load random vgg19: %s", err ? err->message : "");
  if (!m)
    return;
  CHECK (g_strcmp0 (ns_model_architecture (m), "vgg19") == 0, "arch");

  /* tap shapes */
  const char *taps[] = { "relu1_1", "pool2", "relu5_1", "conv3_4" };
  NsNetwork *net = ns_network_new (m, NS_POOLING_MAX, taps, 4, &err);
  CHECK (net != NULL, "network");
  CHECK (ns_network_prepare (net, 48, 64, &err), "prepare 64x48");
  float *img = random_image (64, 48, 9);
  ns_network_forward (net, img);
  int C, H, W;
  const float *f1 = ns_network_tap (net, 0, &C, &H, &W);
  CHECK (C == 64 && H == 48 && W == 64, "relu1_1 shape %dx%dx%d", C, H, W);
  /* relu1_1 is not kept but recomputed on request: it must equal the plain
   * loops on the preprocessed image (and stay so when asked twice) */
  {
    const size_t hw = (size_t) 48 * 64;
    float *pre = g_new (float, 3 * hw), *ref = g_new (float, 64 * hw);
    for (int k = 0; k < 3; k++)
      for (size_t j = 0; j < hw; j++)
        pre[k * hw + j] = (img[m->pre.perm[k] * hw + j] * m->pre.scale - m->pre.mean[k])
                          / m->pre.std[k];
    const float *w0 = NULL, *b0 = NULL;
    float *ow = NULL, *ob = NULL;
    ns_model_view_conv (m, "features.0", 64, 3, 3, 3, &w0, &b0, &ow, &ob, NULL);
    NsConvSpec c0 = { 3, 64, 3, 3, 1, 1, w0, b0 };
    ns_conv_forward_naive (&c0, pre, 48, 64, ref);
    double e = 0;
    for (size_t j = 0; j < 64 * hw; j++)
      e = fmax (e, fabs (fmaxf (ref[j], 0.0f) - f1[j]));
    CHECK (e < 1e-4, "recomputed relu1_1 vs plain loops: max err %.3g", e);
    const float *f2 = ns_network_tap (net, 0, NULL, NULL, NULL);
    CHECK (f2 == f1, "asked twice: the same buffer, not recomputed");
    g_free (pre); g_free (ref); g_free (ow); g_free (ob);
  }
  ns_network_tap (net, 1, &C, &H, &W);
  CHECK (C == 128 && H == 12 && W == 16, "pool2 shape %dx%dx%d", C, H, W);
  ns_network_tap (net, 2, &C, &H, &W);
  CHECK (C == 512 && H == 3 && W == 4, "relu5_1 shape %dx%dx%d", C, H, W);
  const float *conv = ns_network_tap (net, 3, &C, &H, &W);
  gboolean negative = FALSE;
  for (int i = 0; i < C * H * W; i++)
    negative |= conv[i] < 0;
  CHECK (negative, "conv3_4 (pre-ReLU) tap has negative values");
  CHECK (!ns_network_prepare (net, 8, 8, &err) && err && strstr (err->message, "too small"),
         "8x8 refused: %s", err ? err->message : "(no error)");
  g_clear_error (&err);
  CHECK (ns_network_min_side (net) == 16, "min side %d", ns_network_min_side (net));
  ns_network_free (net);
  g_free (img);

  /* whole objective, default layers, both poolings */
  for (int pool = 0; pool < 2; pool++)
    {
      NsParams p;
      ns_params_init (&p);
      p.pooling = pool;
      p.content_weight_blend = 0.6;     /* relu4_2 and relu5_2 */
      p.style_layer_weight_exp = 1.7;
      NsObjective *obj = make_objective (m, &p, 40, 36);
      if (obj)
        {
          float *x = random_image (40, 36, 5);
          check_directional (obj, x, 40, 36, pool ? "vgg19 avg" : "vgg19 max");
          g_free (x);
          ns_objective_free (obj);
        }
    }
  /* tapped pre-activation conv + separate ReLU node */
  NsParams p;
  ns_params_init (&p);
  p.content_layers = "conv2_2,relu2_2";
  p.style_layers = "conv1_1,relu1_2,relu3_1";
  NsObjective *obj = make_objective (m, &p, 33, 29);
  if (obj)
    {
      float *x = random_image (33, 29, 6);
      check_directional (obj, x, 33, 29, "vgg19 conv taps");
      g_free (x);
      ns_objective_free (obj);
    }
  p.style_layers = "relu1_1,nonsense";
  obj = ns_objective_new (m, &p, &err);
  CHECK (!obj && err && strstr (err->message, "nonsense"), "unknown layer refused: %s",
         err ? err->message : "(no error)");
  g_clear_error (&err);
  test_banded (m);
  ns_model_free (m);
}

static void
test_squeezenet (const char *path)
{
  GError *err = NULL;
  NsModel *m = ns_model_load (path, &err);
  CHECK (m != NULL, "load squeezenet: %s", err ? err->message : "");
  if (!m)
    return;
  const char *taps[] = { "relu1", "pool1", "fire3", "pool5", "fire9" };
  NsNetwork *net = ns_network_new (m, NS_POOLING_MAX, taps, 5, &err);
  CHECK (net && ns_network_prepare (net, 227, 227, &err), "prepare 227");
  float *img = random_image (227, 227, 4);
  ns_network_forward (net, img);
  int C, H, W;
  int expect[5][3] = { { 64, 113, 113 }, { 64, 56, 56 }, { 128, 56, 56 },
                       { 256, 14, 14 }, { 512, 14, 14 } };
  for (int t = 0; t < 5; t++)
    {
      ns_network_tap (net, t, &C, &H, &W);
      CHECK (C == expect[t][0] && H == expect[t][1] && W == expect[t][2],
             "%s shape %dx%dx%d", taps[t], C, H, W);
    }
  ns_network_free (net);
  g_free (img);
  {
    NsParams p;
    ns_params_init (&p);
    NsObjective *obj = ns_objective_new (m, &p, &err);
    check_plan_only (m, obj);     /* (1x1 and strided convs: conv.c's workspace) */
    ns_objective_free (obj);
  }
  for (int pool = 0; pool < 2; pool++)
    {
      NsParams p;
      ns_params_init (&p);
      p.pooling = pool;
      p.content_weight_blend = 0.5;
      NsObjective *obj = make_objective (m, &p, 61, 47);
      if (obj)
        {
          float *x = random_image (61, 47, 7);
          check_directional (obj, x, 61, 47, pool ? "squeezenet avg" : "squeezenet max");
          check_banded_same (obj, x, 61, 47, "squeezenet (strided conv1: recomputed whole)");
          g_free (x);
          ns_objective_free (obj);
        }
    }
  ns_model_free (m);
}

int
main (void)
{
  test_begin ("network");
  char *dir = g_dir_make_tmp ("ns-net-XXXXXX", NULL);
  char *vgg = write_random_model (dir, NS_ARCH_VGG19, 42);
  char *sq = write_random_model (dir, NS_ARCH_SQUEEZENET1_1, 43);
  test_vgg (vgg);
  test_squeezenet (sq);
  g_unlink (vgg);
  g_unlink (sq);
  g_rmdir (dir);
  g_free (vgg); g_free (sq); g_free (dir);
  return test_finish ();
}
