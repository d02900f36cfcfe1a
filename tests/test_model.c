/* test_model.c — model loading: architectures, validation, preprocessing.
 *
 * The real SqueezeNet 1.1 (Caffe convention) from ../shared, random VGG-19 /
 * VGG-16 / SqueezeNet files written here with ns_st_write (with and without
 * metadata, with a tensor missing or misshaped, with bad Caffe metadata),
 * and files from the ns-make-random-model tool (determinism, He scale).
 */
#include "test_util.h"
#include "model.h"

#include <glib/gstdio.h>

static char *tmpdir;
static float *pool;                      /* shared random data for all tensors */
#define POOL_SIZE (512 * 512 * 9)

/* Write every conv tensor of `arch`.  `drop`: tensor left out; `reshape`:
 * tensor whose last dimension becomes 1; `extra_meta`: appended metadata
 * (key, value, …, NULL).  Returns a g_malloc'd path. */
static char *
write_arch (NsArch arch, gboolean with_arch_meta, const char *const *extra_meta,
            const char *drop, const char *reshape)
{
  static int counter;
  GArray *ts = g_array_new (FALSE, FALSE, sizeof (NsTensorOut));
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  int n;
  const NsLayerDesc *L = ns_arch_layers (arch, &n);
  for (int i = 0; i < n; i++)
    {
      NsConvDesc convs[3];
      const int nc = ns_layer_convs (&L[i], convs);
      for (int c = 0; c < nc; c++)
        {
          char *wn = g_strconcat (convs[c].prefix, ".weight", NULL);
          char *bn = g_strconcat (convs[c].prefix, ".bias", NULL);
          NsTensorOut w = { wn, convs[c].dense ? 2 : 4,
                            { convs[c].cout, convs[c].cin, convs[c].k, convs[c].k }, pool };
          NsTensorOut b = { bn, 1, { convs[c].cout }, pool };
          if (g_strcmp0 (wn, reshape) == 0)
            w.shape[3] = 1;
          if (g_strcmp0 (bn, reshape) == 0)
            b.shape[0] -= 1;
          if (g_strcmp0 (wn, drop) != 0)
            g_array_append_val (ts, w);
          if (g_strcmp0 (bn, drop) != 0)
            g_array_append_val (ts, b);
          g_ptr_array_add (names, wn);
          g_ptr_array_add (names, bn);
        }
    }
  /* an extra, unrelated tensor is allowed */
  NsTensorOut cls = { "classifier.1.weight", 2, { 10, 4 }, pool };
  g_array_append_val (ts, cls);

  GPtrArray *meta = g_ptr_array_new ();
  if (with_arch_meta)
    {
      g_ptr_array_add (meta, (gpointer) "architecture");
      g_ptr_array_add (meta, (gpointer) ns_arch_name (arch));
    }
  for (int k = 0; extra_meta && extra_meta[k]; k++)
    g_ptr_array_add (meta, (gpointer) extra_meta[k]);
  g_ptr_array_add (meta, NULL);

  char *path = g_strdup_printf ("%s/m%02d.safetensors", tmpdir, counter++);
  GError *err = NULL;
  if (!ns_st_write (path, (const NsTensorOut *) (void *) ts->data, (int) ts->len,
                    (const char *const *) meta->pdata, &err))
    {
      fprintf (stderr, "cannot write %s: %s\n", path, err->message);
      exit (1);
    }
  g_ptr_array_free (meta, TRUE);
  g_ptr_array_free (names, TRUE);
  g_array_free (ts, TRUE);
  return path;
}

static NsModel *
load_ok (const char *what, const char *path, const char *arch)
{
  GError *err = NULL;
  NsModel *m = ns_model_load (path, &err);
  CHECK (m != NULL, "%s: load failed: %s", what, err ? err->message : "?");
  g_clear_error (&err);
  if (m)
    CHECK (g_strcmp0 (ns_model_architecture (m), arch) == 0, "%s: arch %s, want %s", what,
           ns_model_architecture (m), arch);
  return m;
}

/* Must fail with `code`, and the message must contain every word. */
static void
load_fail (const char *what, char *path, int code, const char *w1, const char *w2)
{
  GError *err = NULL;
  NsModel *m = ns_model_load (path, &err);
  CHECK (m == NULL, "%s: loaded", what);
  ns_model_free (m);
  CHECK (err && err->domain == NS_ERROR && err->code == code, "%s: code %d want %d (%s)", what,
         err ? err->code : -1, code, err ? err->message : "");
  if (err)
    {
      if (g_getenv ("NS_TEST_VERBOSE"))
        printf ("%-24s %s\n", what, err->message);
      CHECK (strstr (err->message, w1) != NULL, "%s: \"%s\" lacks \"%s\"", what, err->message, w1);
      CHECK (!w2 || strstr (err->message, w2) != NULL, "%s: \"%s\" lacks \"%s\"", what,
             err->message, w2);
    }
  g_clear_error (&err);
  g_unlink (path);
  g_free (path);
}

static void
check_torchvision_pre (const char *what, const NsModel *m)
{
  const NsPreprocess *p = &m->pre;
  CHECK (p->perm[0] == 0 && p->perm[1] == 1 && p->perm[2] == 2, "%s: perm", what);
  CHECK (p->scale == 1.0f, "%s: scale", what);
  CHECK_CLOSE (p->mean[0], 0.485, 0, 1e-6, "torchvision mean R");
  CHECK_CLOSE (p->mean[1], 0.456, 0, 1e-6, "torchvision mean G");
  CHECK_CLOSE (p->mean[2], 0.406, 0, 1e-6, "torchvision mean B");
  CHECK_CLOSE (p->std[0], 0.229, 0, 1e-6, "torchvision std R");
  CHECK_CLOSE (p->std[1], 0.224, 0, 1e-6, "torchvision std G");
  CHECK_CLOSE (p->std[2], 0.225, 0, 1e-6, "torchvision std B");
}

static void
test_real_squeezenet (void)
{
  char *path = g_build_filename (test_shared_dir (), "models", "squeezenet1_1.safetensors", NULL);
  NsModel *m = load_ok ("squeezenet", path, "squeezenet1_1");
  if (m)
    {
      const NsPreprocess *p = &m->pre;
      CHECK (p->perm[0] == 2 && p->perm[1] == 1 && p->perm[2] == 0, "BGR perm %d %d %d",
             p->perm[0], p->perm[1], p->perm[2]);
      CHECK (p->scale == 255.0f, "scale %g", p->scale);
      CHECK (p->mean[0] == 104.0f && p->mean[1] == 117.0f && p->mean[2] == 123.0f, "mean");
      CHECK (p->std[0] == 1.0f && p->std[1] == 1.0f && p->std[2] == 1.0f, "std");
      CHECK (g_strcmp0 (m->path, path) == 0, "path kept");
      CHECK (g_strcmp0 (ns_model_default_style_layers (m), "relu1,fire2,fire3,fire4,fire5") == 0,
             "style layers");
      CHECK (g_strcmp0 (ns_model_default_content_layers (m), "fire5,fire7") == 0,
             "content layers");

      /* features.0 weight/bias against the raw file bytes: header length
       * 5280, weight at data offset 0 (6912 bytes), bias at 6912 (256). */
      float *w = NULL, *b = NULL;
      GError *err = NULL;
      CHECK (ns_model_get_conv (m, "features.0", 64, 3, 3, 3, &w, &b, &err), "get_conv: %s",
             err ? err->message : "");
      g_clear_error (&err);
      gchar *bytes = NULL;
      gsize len = 0;
      if (w && b && g_file_get_contents (path, &bytes, &len, NULL) && len > 8 + 5280 + 7168)
        {
          guint64 hl;
          memcpy (&hl, bytes, 8);
          CHECK (GUINT64_FROM_LE (hl) == 5280, "header length");
          CHECK (memcmp (w, bytes + 8 + 5280, 6912) == 0, "conv1 weight bytes");
          CHECK (memcmp (b, bytes + 8 + 5280 + 6912, 256) == 0, "conv1 bias bytes");
          /* the same tensors read in place (header 5280 + 8 keeps them
           * 4-byte aligned): no copies, same bytes */
          const float *vw = NULL, *vb = NULL;
          float *ow = (float *) 1, *ob = (float *) 1;
          CHECK (ns_model_view_conv (m, "features.0", 64, 3, 3, 3, &vw, &vb, &ow, &ob, &err),
                 "view_conv");
          CHECK (ow == NULL && ob == NULL, "viewed in place, nothing copied");
          CHECK (vw && vb && memcmp (vw, w, 6912) == 0 && memcmp (vb, b, 256) == 0,
                 "viewed values");
          CHECK (!ns_model_view_conv (m, "features.0", 64, 3, 5, 5, &vw, &vb, &ow, &ob, &err)
                 && err && ow == NULL && ob == NULL, "view_conv checks the shape");
          g_clear_error (&err);
        }
      g_free (bytes);
      g_free (w);
      g_free (b);

      w = b = NULL;
      CHECK (ns_model_get_conv (m, "features.12.expand3x3", 256, 64, 3, 3, &w, &b, &err),
             "fire9 expand3x3: %s", err ? err->message : "");
      g_clear_error (&err);
      g_free (w);
      g_free (b);
      w = b = NULL;
      CHECK (!ns_model_get_conv (m, "features.0", 64, 3, 5, 5, &w, &b, &err) && err &&
             err->code == NS_ERROR_FORMAT && strstr (err->message, "[64,3,5,5]") &&
             strstr (err->message, "[64,3,3,3]"), "get_conv wrong shape: %s",
             err ? err->message : "accepted");
      g_clear_error (&err);
      CHECK (!ns_model_get_conv (m, "features.99", 1, 1, 1, 1, &w, &b, &err) && err &&
             strstr (err->message, "features.99.weight"), "get_conv missing");
      g_clear_error (&err);
      ns_model_free (m);
    }
  g_free (path);
}

static void
test_generated (void)
{
  char *p;
  NsModel *m;

  /* With metadata */
  p = write_arch (NS_ARCH_VGG19, TRUE, NULL, NULL, NULL);
  m = load_ok ("vgg19", p, "vgg19");
  if (m)
    {
      check_torchvision_pre ("vgg19", m);
      CHECK (g_strcmp0 (ns_model_default_style_layers (m),
                        "relu1_1,relu2_1,relu3_1,relu4_1,relu5_1") == 0, "vgg19 style");
      CHECK (g_strcmp0 (ns_model_default_content_layers (m), "relu4_2,relu5_2") == 0,
             "vgg19 content");
      float *w = NULL, *b = NULL;
      CHECK (ns_model_get_conv (m, "features.34", 512, 512, 3, 3, &w, &b, NULL) &&
             memcmp (w, pool, 512 * 512 * 9 * sizeof (float)) == 0 &&
             memcmp (b, pool, 512 * sizeof (float)) == 0, "vgg19 conv5_4 values");
      g_free (w);
      g_free (b);
    }
  ns_model_free (m);
  g_unlink (p);
  g_free (p);

  p = write_arch (NS_ARCH_VGG16, TRUE, NULL, NULL, NULL);
  ns_model_free (load_ok ("vgg16", p, "vgg16"));
  g_unlink (p);
  g_free (p);

  /* Detection without metadata */
  const struct { NsArch arch; const char *name; } det[] = {
    { NS_ARCH_VGG19, "vgg19" }, { NS_ARCH_VGG16, "vgg16" },
    { NS_ARCH_SQUEEZENET1_1, "squeezenet1_1" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (det); i++)
    {
      p = write_arch (det[i].arch, FALSE, NULL, NULL, NULL);
      m = load_ok ("detection", p, det[i].name);
      if (m)
        check_torchvision_pre ("detection", m);
      ns_model_free (m);
      g_unlink (p);
      g_free (p);
    }

  /* Architecture errors */
  const char *resnet[] = { "architecture", "resnet50", NULL };
  load_fail ("unknown architecture", write_arch (NS_ARCH_VGG16, FALSE, resnet, NULL, NULL),
             NS_ERROR_UNSUPPORTED, "resnet50", NULL);
  {
    float x[4] = { 1, 2, 3, 4 };
    const NsTensorOut t[] = { { "conv.weight", 1, { 4 }, x } };
    p = g_strdup_printf ("%s/unrecognised.safetensors", tmpdir);
    CHECK (ns_st_write (p, t, 1, NULL, NULL), "write");
    load_fail ("unrecognisable", p, NS_ERROR_UNSUPPORTED, "architecture", NULL);
  }
  /* Metadata says vgg19, tensors are vgg16 (vgg19's conv3_4 is missing) */
  const char *say19[] = { "architecture", "vgg19", NULL };
  load_fail ("vgg16 labelled vgg19", write_arch (NS_ARCH_VGG16, FALSE, say19, NULL, NULL),
             NS_ERROR_FORMAT, "missing tensor 'features.16.weight'", "[256,256,3,3]");

  /* Missing / misshaped tensors */
  load_fail ("missing bias", write_arch (NS_ARCH_VGG16, TRUE, NULL, "features.21.bias", NULL),
             NS_ERROR_FORMAT, "missing tensor 'features.21.bias'", "[512]");
  load_fail ("missing weight (no metadata)",
             write_arch (NS_ARCH_VGG19, FALSE, NULL, "features.0.weight", NULL),
             NS_ERROR_FORMAT, "features.0.weight", "[64,3,3,3]");
  load_fail ("wrong shape", write_arch (NS_ARCH_VGG19, TRUE, NULL, NULL, "features.10.weight"),
             NS_ERROR_FORMAT, "features.10.weight", "expected [256,128,3,3], got [256,128,3,1]");
  load_fail ("wrong bias length", write_arch (NS_ARCH_VGG16, TRUE, NULL, NULL, "features.0.bias"),
             NS_ERROR_FORMAT, "features.0.bias", "got [63]");
  load_fail ("fire expand3x3 as 3x1",
             write_arch (NS_ARCH_SQUEEZENET1_1, TRUE, NULL, NULL, "features.9.expand3x3.weight"),
             NS_ERROR_FORMAT, "features.9.expand3x3.weight", "[192,48,3,3]");
  load_fail ("missing fire squeeze",
             write_arch (NS_ARCH_SQUEEZENET1_1, TRUE, NULL, "features.12.squeeze.weight", NULL),
             NS_ERROR_FORMAT, "features.12.squeeze.weight", "[64,512,1,1]");
  load_fail ("vgg19 with bad features.34",
             write_arch (NS_ARCH_VGG19, FALSE, NULL, NULL, "features.34.weight"),
             NS_ERROR_FORMAT, "features.34.weight", NULL);
}

static void
test_caffe_metadata (void)
{
  const char *good[] = { "source", "caffe", "channel_order", "RGB", "input_scale", "2.5",
                         "mean", " 0.5, -1,3e1", "std", "2,4,0.25", NULL };
  char *p = write_arch (NS_ARCH_SQUEEZENET1_1, TRUE, good, NULL, NULL);
  NsModel *m = load_ok ("caffe RGB", p, "squeezenet1_1");
  if (m)
    {
      const NsPreprocess *q = &m->pre;
      CHECK (q->perm[0] == 0 && q->perm[1] == 1 && q->perm[2] == 2, "RGB perm");
      CHECK (q->scale == 2.5f, "scale %g", q->scale);
      CHECK (q->mean[0] == 0.5f && q->mean[1] == -1.0f && q->mean[2] == 30.0f, "mean");
      CHECK (q->std[0] == 2.0f && q->std[1] == 4.0f && q->std[2] == 0.25f, "std");
    }
  ns_model_free (m);
  g_unlink (p);
  g_free (p);

  /* a non-caffe source keeps torchvision preprocessing */
  const char *tv[] = { "source", "torchvision", "mean", "garbage", NULL };
  p = write_arch (NS_ARCH_VGG16, TRUE, tv, NULL, NULL);
  m = load_ok ("torchvision source", p, "vgg16");
  if (m)
    check_torchvision_pre ("torchvision source", m);
  ns_model_free (m);
  g_unlink (p);
  g_free (p);

  const struct { const char *meta[11]; const char *word; } bad[] = {
    { { "source", "caffe", "channel_order", "GBR", "input_scale", "255", "mean", "1,2,3",
        "std", "1,1,1", NULL }, "channel_order" },
    { { "source", "caffe", "input_scale", "255", "mean", "1,2,3", "std", "1,1,1", NULL },
      "channel_order" },
    { { "source", "caffe", "channel_order", "BGR", "mean", "1,2,3", "std", "1,1,1", NULL },
      "input_scale" },
    { { "source", "caffe", "channel_order", "BGR", "input_scale", "abc", "mean", "1,2,3",
        "std", "1,1,1", NULL }, "input_scale" },
    { { "source", "caffe", "channel_order", "BGR", "input_scale", "-1", "mean", "1,2,3",
        "std", "1,1,1", NULL }, "input_scale" },
    { { "source", "caffe", "channel_order", "BGR", "input_scale", "255", "mean", "1,2",
        "std", "1,1,1", NULL }, "mean" },
    { { "source", "caffe", "channel_order", "BGR", "input_scale", "255", "mean", "1,2,x",
        "std", "1,1,1", NULL }, "mean" },
    { { "source", "caffe", "channel_order", "BGR", "input_scale", "255", "std", "1,1,1",
        NULL }, "mean" },
    { { "source", "caffe", "channel_order", "BGR", "input_scale", "255", "mean", "1,2,3",
        "std", "1,0,1", NULL }, "std" },
    { { "source", "caffe", "channel_order", "BGR", "input_scale", "255", "mean", "1,2,3",
        "std", "1,1,1,1", NULL }, "std" },
    { { "source", "caffe", "channel_order", "BGR", "input_scale", "255", "mean", "1,2,3",
        "std", "1,nan,1", NULL }, "std" },
    { { "source", "caffe", "channel_order", "BGR", "input_scale", "inf", "mean", "1,2,3",
        "std", "1,1,1", NULL }, "input_scale" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      char *what = g_strdup_printf ("bad caffe metadata %u", i);
      load_fail (what, write_arch (NS_ARCH_SQUEEZENET1_1, TRUE, bad[i].meta, NULL, NULL),
                 NS_ERROR_FORMAT, bad[i].word, "caffe");
      g_free (what);
    }
}

/* ns-make-random-model: runs, loads, deterministic per seed, He scale. */
static gboolean
run_tool (const char *arch, const char *seed, const char *out, gboolean no_meta)
{
  char *tool = g_build_filename (NS_BUILD_DIR, "tools", "ns-make-random-model", NULL);
  const char *argv[] = { tool, "--arch", arch, "--seed", seed, "--out", out,
                         no_meta ? "--no-metadata" : NULL, NULL };
  int status = -1;
  GError *err = NULL;
  gboolean ok = g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                              NULL, &status, &err) &&
                g_spawn_check_wait_status (status, NULL);
  CHECK (ok, "running %s: %s", tool, err ? err->message : "non-zero exit");
  g_clear_error (&err);
  g_free (tool);
  return ok;
}

static gboolean
same_file (const char *a, const char *b)
{
  gchar *x = NULL, *y = NULL;
  gsize nx = 0, ny = 0;
  gboolean same = g_file_get_contents (a, &x, &nx, NULL) &&
                  g_file_get_contents (b, &y, &ny, NULL) && nx == ny && memcmp (x, y, nx) == 0;
  g_free (x);
  g_free (y);
  return same;
}

static void
test_tool (void)
{
  char *a = g_strdup_printf ("%s/tool-a.safetensors", tmpdir);
  char *b = g_strdup_printf ("%s/tool-b.safetensors", tmpdir);
  char *c = g_strdup_printf ("%s/tool-c.safetensors", tmpdir);

  if (run_tool ("squeezenet1_1", "7", a, FALSE) && run_tool ("squeezenet1_1", "7", b, FALSE) &&
      run_tool ("squeezenet1_1", "8", c, FALSE))
    {
      CHECK (same_file (a, b), "same seed, different files");
      CHECK (!same_file (a, c), "different seeds, same file");
      NsModel *m = load_ok ("tool squeezenet", a, "squeezenet1_1");
      if (m)
        {
          /* He: std = sqrt(2 / (64*3*3)) for fire9 expand3x3 (147456 weights) */
          float *w = NULL, *bias = NULL;
          if (ns_model_get_conv (m, "features.12.expand3x3", 256, 64, 3, 3, &w, &bias, NULL))
            {
              size_t n = 256 * 64 * 9;
              double s = 0, s2 = 0;
              for (size_t i = 0; i < n; i++)
                s += w[i], s2 += (double) w[i] * w[i];
              double mean = s / n, sd = sqrt (s2 / n - mean * mean);
              CHECK_CLOSE (sd, sqrt (2.0 / 576), 0.02, 0, "He std");
              CHECK (fabs (mean) < 0.002, "weight mean %g", mean);
              float bmax = 0;
              for (int i = 0; i < 256; i++)
                bmax = fmaxf (bmax, fabsf (bias[i]));
              CHECK (bmax > 0 && bmax <= 0.01f, "bias range %g", bmax);
            }
          else
            CHECK (FALSE, "get_conv on tool output");
          g_free (w);
          g_free (bias);
        }
      ns_model_free (m);
    }
  if (run_tool ("vgg16", "1", a, TRUE))
    {
      GError *err = NULL;
      NsSafetensors *st = ns_st_open (a, &err);
      CHECK (st && ns_st_metadata (st, "architecture") == NULL, "--no-metadata");
      g_clear_error (&err);
      ns_st_close (st);
      ns_model_free (load_ok ("tool vgg16 detection", a, "vgg16"));
    }
  if (run_tool ("vgg19", "3", a, FALSE))
    ns_model_free (load_ok ("tool vgg19", a, "vgg19"));

  g_unlink (a);
  g_unlink (b);
  g_unlink (c);
  g_free (a);
  g_free (b);
  g_free (c);
}

int
main (void)
{
  test_begin ("model");
  GError *err = NULL;
  tmpdir = g_dir_make_tmp ("ns-test-model-XXXXXX", &err);
  if (!tmpdir)
    {
      fprintf (stderr, "no temp dir: %s\n", err->message);
      return 1;
    }
  pool = g_new (float, POOL_SIZE);
  test_fill_random (pool, POOL_SIZE, 11, -0.05f, 0.05f);

  test_generated ();
  test_caffe_metadata ();
  test_tool ();
  g_free (pool);
  CHECK (g_rmdir (tmpdir) == 0, "temp dir not empty (files left behind)");
  g_free (tmpdir);
  test_real_squeezenet ();              /* last: exits 77 without ../shared */
  return test_finish ();
}
