/* test_googlenet.c — BVLC GoogLeNet (../shared/models) through the engine's
 * graph executor, checked four ways:
 *
 *  topology  : the engine's embedded table (model/arch.c) against
 *              googlenet_bvlc.layers.json: the same layers (ReLU in place,
 *              dropout the identity), kinds, bottoms, kernel / stride / pad /
 *              rounding / LRN parameters, and every output shape at 224 px.
 *  reference : a second, independent forward pass written here — a plain
 *              double-precision interpreter of the JSON (its `semantics`
 *              block: Caffe's rounding, LRN formula, AVE divisor) reading
 *              the weights by the JSON's tensor names — against the engine's
 *              probabilities (max |Δ| < 1e-4) and an Inception output.
 *  classify  : eagle.jpg -> bald eagle top-1, dog.jpg's top 5 holds a dog
 *              breed, giraffe.jpg's top 5 holds zebra (the other animal in
 *              the photo; ImageNet has no giraffe); the softmax sums to 1 and
 *              equals a softmax of the engine's logits computed here.
 *  gradient  : dL/dimage of L = Σ_t g_t·F_t over taps behind LRN, branch
 *              pools and concatenations (a branch and its concatenation
 *              both tapped) vs central differences along random directions.
 */
#include "test_util.h"
#include "classify.h"
#include "image_io.h"
#include "network.h"

#include <gegl.h>
#include <json-glib/json-glib.h>

/* ------------------------------------------------------------ helpers */

static const char *
kind_name (NsLayerKind k)
{
  switch (k)
    {
    case NS_LAYER_CONV: return "Convolution";
    case NS_LAYER_POOL: return "Pooling";
    case NS_LAYER_LRN: return "LRN";
    case NS_LAYER_CONCAT: return "Concat";
    case NS_LAYER_FC: return "InnerProduct";
    case NS_LAYER_SOFTMAX: return "Softmax";
    default: return "?";
    }
}

static int
ival (JsonObject *o, const char *member, int idx)
{
  JsonNode *n = json_object_get_member (o, member);
  if (!n)
    return -1;
  if (JSON_NODE_HOLDS_ARRAY (n))
    return (int) json_array_get_int_element (json_node_get_array (n), idx);
  return (int) json_node_get_int (n);
}

/* The JSON's layers that the engine's table lists (ReLU, Dropout and Input
 * are in place / the identity / the image). */
static gboolean
listed (JsonObject *l)
{
  const char *t = json_object_get_string_member (l, "type");
  return strcmp (t, "ReLU") && strcmp (t, "Dropout") && strcmp (t, "Input");
}

/* ----------------------------------------------------------- topology */

static void
test_topology (NsModel *m, JsonArray *layers)
{
  int n;
  const NsLayerDesc *L = ns_arch_layers (m->arch, &n);
  int idx = 0;
  char **taps = g_new0 (char *, n + 1);
  for (guint i = 0; i < json_array_get_length (layers); i++)
    {
      JsonObject *l = json_array_get_object_element (layers, i);
      if (!listed (l))
        continue;
      const char *name = json_object_get_string_member (l, "name");
      const char *type = json_object_get_string_member (l, "type");
      CHECK (idx < n, "table shorter than the JSON at %s", name);
      if (idx >= n)
        break;
      const NsLayerDesc *d = &L[idx];
      taps[idx] = (char *) d->name;
      CHECK (strcmp (d->name, name) == 0, "layer %d: table %s, JSON %s", idx, d->name, name);
      CHECK (strcmp (kind_name (d->kind), type) == 0, "%s: kind %s, JSON %s", name,
             kind_name (d->kind), type);
      JsonArray *b = json_object_get_array_member (l, "bottoms");
      for (guint k = 0; k < json_array_get_length (b); k++)
        {
          const char *want = json_array_get_string_element (b, k);
          const char *got = d->bottom[k] ? d->bottom[k] : idx > 0 ? L[idx - 1].name : "data";
          CHECK (k < NS_LAYER_MAX_BOTTOMS && strcmp (got, want) == 0, "%s bottom %u: %s, JSON %s",
                 name, k, got, want);
        }
      if (d->kind == NS_LAYER_CONV)
        {
          CHECK (d->cout == ival (l, "num_output", 0) && d->k == ival (l, "kernel", 0)
                 && d->k == ival (l, "kernel", 1) && d->stride == ival (l, "stride", 0)
                 && d->pad == ival (l, "pad", 0) && d->relu, "%s: conv geometry", name);
          CHECK (i + 1 < json_array_get_length (layers)
                 && strcmp (json_object_get_string_member (json_array_get_object_element (
                              layers, i + 1), "type"), "ReLU") == 0, "%s: ReLU follows", name);
        }
      if (d->kind == NS_LAYER_POOL)
        CHECK (d->k == ival (l, "kernel", 0) && d->stride == ival (l, "stride", 0)
               && d->pad == ival (l, "pad", 0) && d->ceil_mode
               && strcmp (json_object_get_string_member (l, "round"), "ceil") == 0
               && d->avg == (strcmp (json_object_get_string_member (l, "method"), "AVE") == 0),
               "%s: pool geometry", name);
      if (d->kind == NS_LAYER_LRN)
        CHECK (d->k == ival (l, "local_size", 0)
               && fabs (d->alpha - json_object_get_double_member (l, "alpha")) < 1e-7 * d->alpha
               && fabs (d->beta - json_object_get_double_member (l, "beta")) < 1e-7
               && fabs (d->lrn_k - json_object_get_double_member (l, "k")) < 1e-7,
               "%s: LRN parameters", name);
      idx++;
    }
  CHECK (idx == n, "table has %d layers, the JSON %d", n, idx);

  /* every shape at 224 px, all layers tapped at once */
  GError *err = NULL;
  NsNetwork *net = ns_network_new (m, NS_POOLING_MAX, (const char *const *) taps, idx, &err);
  CHECK (net && ns_network_prepare (net, 224, 224, &err), "network of every layer: %s",
         err ? err->message : "");
  for (guint i = 0, t = 0; net && i < json_array_get_length (layers); i++)
    {
      JsonObject *l = json_array_get_object_element (layers, i);
      if (!listed (l))
        continue;
      int C, H, W;
      ns_network_tap_shape (net, (int) t++, &C, &H, &W);
      CHECK (C == ival (l, "output_shape_chw", 0) && H == ival (l, "output_shape_chw", 1)
             && W == ival (l, "output_shape_chw", 2), "%s: shape %dx%dx%d",
             json_object_get_string_member (l, "name"), C, H, W);
    }
  /* the classifier needs 224 px; a 256 px image says so */
  g_clear_error (&err);
  CHECK (net && !ns_network_prepare (net, 256, 256, &err) && err
         && strstr (err->message, "224"), "classifier at 256 px: %s", err ? err->message : "");
  g_clear_error (&err);
  ns_network_free (net);
  g_free (taps);
}

/* ------------------------------------------------ reference interpreter */

typedef struct { int c, h, w; double *v; } Blob;

static void
blob_free (gpointer p)
{
  Blob *b = p;
  g_free (b->v);
  g_free (b);
}

static Blob *
blob_new (int c, int h, int w)
{
  Blob *b = g_new (Blob, 1);
  *b = (Blob) { c, h, w, g_new0 (double, (size_t) c * h * w) };
  return b;
}

static double *
tensor (NsModel *m, const char *name)
{
  const NsTensorInfo *t = ns_st_find (m->st, name);
  CHECK (t != NULL, "tensor %s", name);
  float *f = t ? ns_st_read_f32 (m->st, t) : NULL;
  size_t n = 1;
  for (int d = 0; t && d < t->ndim; d++)
    n *= (size_t) t->shape[d];
  double *v = g_new (double, t ? n : 1);
  for (size_t i = 0; f && i < n; i++)
    v[i] = f[i];
  g_free (f);
  return v;
}

/* "out = ceil((in + 2*pad - kernel)/stride) + 1, minus 1 if pad>0 and
 *  (out-1)*stride >= in+pad" (the JSON's semantics.Pooling) */
static int
caffe_pool_len (int in, int k, int s, int p)
{
  int out = (int) ceil ((double) (in + 2 * p - k) / s) + 1;
  if (p > 0 && (out - 1) * s >= in + p)
    out--;
  return out;
}

static Blob *
ref_layer (NsModel *m, JsonObject *l, GHashTable *blobs)
{
  const char *type = json_object_get_string_member (l, "type");
  JsonArray *bt = json_object_get_array_member (l, "bottoms");
  Blob *x = g_hash_table_lookup (blobs, json_array_get_string_element (bt, 0));
  if (strcmp (type, "Convolution") == 0)
    {
      const int co = ival (l, "num_output", 0), k = ival (l, "kernel", 0),
                s = ival (l, "stride", 0), p = ival (l, "pad", 0);
      const int oh = (x->h + 2 * p - k) / s + 1, ow = (x->w + 2 * p - k) / s + 1;
      double *W = tensor (m, json_object_get_string_member (l, "weight"));
      double *B = tensor (m, json_object_get_string_member (l, "bias"));
      Blob *y = blob_new (co, oh, ow);
      for (int o = 0; o < co; o++)
        for (int oy = 0; oy < oh; oy++)
          for (int ox = 0; ox < ow; ox++)
            {
              double a = B[o];
              for (int ci = 0; ci < x->c; ci++)
                for (int ky = 0; ky < k; ky++)
                  {
                    const int iy = oy * s - p + ky;
                    if (iy < 0 || iy >= x->h)
                      continue;
                    for (int kx = 0; kx < k; kx++)
                      {
                        const int ix = ox * s - p + kx;
                        if (ix >= 0 && ix < x->w)
                          a += W[((o * x->c + ci) * k + ky) * k + kx]
                               * x->v[((size_t) ci * x->h + iy) * x->w + ix];
                      }
                  }
              y->v[((size_t) o * oh + oy) * ow + ox] = a;
            }
      g_free (W);
      g_free (B);
      return y;
    }
  if (strcmp (type, "Pooling") == 0)
    {
      const int k = ival (l, "kernel", 0), s = ival (l, "stride", 0), p = ival (l, "pad", 0);
      const gboolean ave = strcmp (json_object_get_string_member (l, "method"), "AVE") == 0;
      const int oh = caffe_pool_len (x->h, k, s, p), ow = caffe_pool_len (x->w, k, s, p);
      Blob *y = blob_new (x->c, oh, ow);
      for (int c = 0; c < x->c; c++)
        for (int oy = 0; oy < oh; oy++)
          for (int ox = 0; ox < ow; ox++)
            {
              const int y0 = oy * s - p, x0 = ox * s - p;
              const int y1 = MIN (y0 + k, x->h + p), x1 = MIN (x0 + k, x->w + p);
              double mx = -INFINITY, sum = 0;
              for (int iy = MAX (y0, 0); iy < MIN (y1, x->h); iy++)
                for (int ix = MAX (x0, 0); ix < MIN (x1, x->w); ix++)
                  {
                    const double v = x->v[((size_t) c * x->h + iy) * x->w + ix];
                    mx = fmax (mx, v);
                    sum += v;
                  }
              y->v[((size_t) c * oh + oy) * ow + ox] =
                ave ? sum / ((y1 - y0) * (x1 - x0)) : mx;
            }
      return y;
    }
  if (strcmp (type, "LRN") == 0)
    {
      const int n = ival (l, "local_size", 0), hw = x->h * x->w;
      const double alpha = json_object_get_double_member (l, "alpha"),
                   beta = json_object_get_double_member (l, "beta"),
                   k = json_object_get_double_member (l, "k");
      Blob *y = blob_new (x->c, x->h, x->w);
      for (int c = 0; c < x->c; c++)
        for (int q = 0; q < hw; q++)
          {
            double s = 0;
            for (int j = c - (n - 1) / 2; j <= c + (n - 1) / 2; j++)
              if (j >= 0 && j < x->c)
                s += x->v[(size_t) j * hw + q] * x->v[(size_t) j * hw + q];
            y->v[(size_t) c * hw + q] = x->v[(size_t) c * hw + q] * pow (k + alpha / n * s, -beta);
          }
      return y;
    }
  if (strcmp (type, "Concat") == 0)
    {
      int c = 0;
      for (guint k = 0; k < json_array_get_length (bt); k++)
        c += ((Blob *) g_hash_table_lookup (blobs, json_array_get_string_element (bt, k)))->c;
      Blob *y = blob_new (c, x->h, x->w);
      size_t off = 0;
      for (guint k = 0; k < json_array_get_length (bt); k++)
        {
          Blob *b = g_hash_table_lookup (blobs, json_array_get_string_element (bt, k));
          memcpy (y->v + off, b->v, sizeof (double) * b->c * b->h * b->w);
          off += (size_t) b->c * b->h * b->w;
        }
      return y;
    }
  if (strcmp (type, "InnerProduct") == 0)
    {
      const int no = ival (l, "num_output", 0), ni = x->c * x->h * x->w;
      double *W = tensor (m, json_object_get_string_member (l, "weight"));
      double *B = tensor (m, json_object_get_string_member (l, "bias"));
      Blob *y = blob_new (no, 1, 1);
      for (int o = 0; o < no; o++)
        {
          double a = B[o];
          for (int i = 0; i < ni; i++)
            a += W[(size_t) o * ni + i] * x->v[i];
          y->v[o] = a;
        }
      g_free (W);
      g_free (B);
      return y;
    }
  if (strcmp (type, "Softmax") == 0)
    {
      Blob *y = blob_new (x->c, 1, 1);
      double mx = -INFINITY, s = 0;
      for (int i = 0; i < x->c; i++)
        mx = fmax (mx, x->v[i]);
      for (int i = 0; i < x->c; i++)
        s += exp (x->v[i] - mx);
      for (int i = 0; i < x->c; i++)
        y->v[i] = exp (x->v[i] - mx) / s;
      return y;
    }
  CHECK (FALSE, "reference: unexpected layer type %s", type);
  return NULL;
}

/* The JSON's network on image (planar sRGB [3][S][S], 0..1, in double),
 * with the JSON's input block (BGR, x255, minus mean), up to the layer
 * producing `stop` (NULL: all).  Returns the blobs by name. */
static GHashTable *
ref_forward (NsModel *m, JsonObject *root, const double *image, int S, const char *stop)
{
  GHashTable *blobs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, blob_free);
  JsonObject *in = json_object_get_object_member (root, "input");
  JsonArray *mean = json_object_get_array_member (in, "mean_bgr");
  const double scale = json_object_get_double_member (in, "input_scale");
  CHECK (strcmp (json_object_get_string_member (in, "channel_order"), "BGR") == 0, "BGR input");
  Blob *data = blob_new (3, S, S);
  for (int c = 0; c < 3; c++)         /* blob channel c = B, G, R = image channel 2 - c */
    for (int i = 0; i < S * S; i++)
      data->v[c * S * S + i] = image[(2 - c) * S * S + i] * scale
                               - json_array_get_double_element (mean, c);
  g_hash_table_insert (blobs, (gpointer) "data", data);
  JsonArray *layers = json_object_get_array_member (root, "layers");
  for (guint i = 0; i < json_array_get_length (layers); i++)
    {
      JsonObject *l = json_array_get_object_element (layers, i);
      const char *type = json_object_get_string_member (l, "type");
      const char *top = json_array_get_string_element (json_object_get_array_member (l, "tops"),
                                                       0);
      if (strcmp (type, "Input") == 0 || strcmp (type, "Dropout") == 0)
        continue;
      if (strcmp (type, "ReLU") == 0)
        {
          Blob *b = g_hash_table_lookup (blobs, top);
          for (size_t k = 0; k < (size_t) b->c * b->h * b->w; k++)
            b->v[k] = b->v[k] > 0 ? b->v[k] : 0;
          continue;
        }
      Blob *y = ref_layer (m, l, blobs);
      if (!y)
        break;
      g_hash_table_insert (blobs, (gpointer) top, y);
      if (stop && strcmp (top, stop) == 0)
        {
          /* its in-place ReLU, if one follows */
          JsonObject *nx = i + 1 < json_array_get_length (layers)
            ? json_array_get_object_element (layers, i + 1) : NULL;
          if (nx && strcmp (json_object_get_string_member (nx, "type"), "ReLU") == 0)
            for (size_t k = 0; k < (size_t) y->c * y->h * y->w; k++)
              y->v[k] = y->v[k] > 0 ? y->v[k] : 0;
          break;
        }
    }
  return blobs;
}

/* ------------------------------------------------------------- classify */

static float *
load_input (const char *shared, const char *photo)
{
  char *path = g_build_filename (shared, "images", photo, NULL);
  GError *err = NULL;
  NsImage *img = ns_io_load (path, &err);
  CHECK (img != NULL, "load %s: %s", path, err ? err->message : "");
  float *x = img ? ns_classify_input (img, 224) : NULL;
  g_clear_error (&err);
  ns_image_free (img);
  g_free (path);
  return x;
}

static void
top5 (const float *p, int n, int *top)
{
  for (int t = 0; t < 5; t++)
    {
      top[t] = -1;
      for (int k = 0; k < n; k++)
        {
          gboolean taken = FALSE;
          for (int u = 0; u < t; u++)
            taken |= top[u] == k;
          if (!taken && (top[t] < 0 || p[k] > p[top[t]]))
            top[t] = k;
        }
    }
}

static void
test_classify (NsModel *m, JsonObject *root, const char *shared)
{
  CHECK (ns_model_input_size (m) == 224 && ns_model_n_classes (m) == 1000, "classifier %d, %d",
         ns_model_input_size (m), ns_model_n_classes (m));
  const char *photos[] = { "eagle.jpg", "dog.jpg", "giraffe.jpg" };
  for (int ph = 0; ph < 3; ph++)
    {
      float *x = load_input (shared, photos[ph]);
      if (!x)
        continue;
      float probs[1000];
      GError *err = NULL;
      CHECK (ns_model_classify (m, x, probs, &err), "classify: %s", err ? err->message : "");
      g_clear_error (&err);
      int top[5];
      top5 (probs, 1000, top);
      printf ("  %s: top-5 %d (%.3f) %d (%.3f) %d (%.3f) %d (%.3f) %d (%.3f)\n", photos[ph],
              top[0], probs[top[0]], top[1], probs[top[1]], top[2], probs[top[2]], top[3],
              probs[top[3]], top[4], probs[top[4]]);
      gboolean hit = FALSE;
      for (int t = 0; t < 5; t++)
        hit |= ph == 0 ? top[0] == 22 : ph == 1 ? top[t] >= 151 && top[t] <= 268 : top[t] == 340;
      CHECK (hit, "%s: %s", photos[ph], ph == 0 ? "top-1 is not bald eagle (22)"
             : ph == 1 ? "no dog breed (151..268) in the top 5" : "no zebra (340) in the top 5");
      double sum = 0;
      for (int k = 0; k < 1000; k++)
        sum += probs[k];
      CHECK_CLOSE (sum, 1.0, 0, 1e-5, "softmax sums to 1");

      /* second computation 1: a softmax of the engine's logits, here */
      const char *taps[] = { "loss3/classifier", "inception_4a/output" };
      NsNetwork *net = ns_network_new (m, NS_POOLING_MAX, taps, 2, &err);
      CHECK (net && ns_network_prepare (net, 224, 224, &err), "logits net");
      if (net)
        {
          ns_network_forward (net, x);
          const float *z = ns_network_tap (net, 0, NULL, NULL, NULL);
          double mx = -INFINITY, s = 0, worst = 0;
          for (int k = 0; k < 1000; k++)
            mx = fmax (mx, z[k]);
          for (int k = 0; k < 1000; k++)
            s += exp (z[k] - mx);
          for (int k = 0; k < 1000; k++)
            worst = fmax (worst, fabs (probs[k] - exp (z[k] - mx) / s));
          CHECK (worst < 1e-4, "%s: softmax of the logits differs by %.3g", photos[ph], worst);
        }
      /* second computation 2: the JSON interpreted in double (once) */
      if (ph == 0 && net)
        {
          double *xd = g_new (double, 3 * 224 * 224);
          for (int k = 0; k < 3 * 224 * 224; k++)
            xd[k] = x[k];
          GHashTable *ref = ref_forward (m, root, xd, 224, NULL);
          g_free (xd);
          Blob *p = g_hash_table_lookup (ref, "prob");
          Blob *f = g_hash_table_lookup (ref, "inception_4a/output");
          double worst = 0, fw = 0, fmaxv = 0;
          for (int k = 0; p && k < 1000; k++)
            worst = fmax (worst, fabs (probs[k] - p->v[k]));
          int C, H, W;
          const float *F = ns_network_tap (net, 1, &C, &H, &W);
          for (size_t k = 0; f && k < (size_t) C * H * W; k++)
            {
              fw = fmax (fw, fabs (F[k] - f->v[k]));
              fmaxv = fmax (fmaxv, fabs (f->v[k]));
            }
          printf ("  eagle.jpg vs the JSON interpreted in double: max |Δp| %.2g, "
                  "inception_4a/output max |Δ| %.2g of max %.3g\n", worst, fw, fmaxv);
          CHECK (p && worst < 1e-4, "probabilities vs the reference: %.3g", worst);
          CHECK (f && fw < 1e-4 * fmaxv, "inception_4a/output vs the reference: %.3g", fw);
          g_hash_table_destroy (ref);
        }
      ns_network_free (net);
      g_free (x);
    }
}

/* ------------------------------------------------------------- gradient */

typedef struct { float *g[8]; } Lin;

static double
lin_loss (int tap, const float *F, int C, int HW, void *ctx)
{
  const Lin *l = ctx;
  double s = 0;
  for (size_t i = 0; i < (size_t) C * HW; i++)
    s += (double) l->g[tap][i] * F[i];
  return s;
}

static void
lin_grad (int tap, const float *F, size_t ldf, int C, int n, size_t off, float *dF, size_t ldd,
          void *ctx)
{
  const Lin *l = ctx;
  (void) F;
  for (int c = 0; c < C; c++)
    for (int j = 0; j < n; j++)
      dF[c * ldd + j] += l->g[tap][c * ldf + off + j];
}

/* L of the reference interpreter (double) at x + t v. */
static double
ref_loss (NsModel *m, JsonObject *root, const float *x, const float *v, double t, int S,
          const char *const *taps, int nt, const Lin *lin)
{
  const size_t n = 3 * (size_t) S * S;
  double *xd = g_new (double, n);
  for (size_t i = 0; i < n; i++)
    xd[i] = x[i] + t * v[i];
  GHashTable *blobs = ref_forward (m, root, xd, S, taps[nt - 1]);
  double L = 0;
  for (int k = 0; k < nt; k++)
    {
      Blob *b = g_hash_table_lookup (blobs, taps[k]);
      CHECK (b != NULL, "reference blob %s", taps[k]);
      for (size_t i = 0; b && i < (size_t) b->c * b->h * b->w; i++)
        L += lin->g[k][i] * b->v[i];
    }
  g_hash_table_destroy (blobs);
  g_free (xd);
  return L;
}

/* The engine's dL/dimage (float) along random directions v against central
 * differences of the same L computed by the double-precision reference
 * (eps 1e-6: far below any ReLU / max-pool switch, far above rounding). */
static void
test_gradient (NsModel *m, JsonObject *root)
{
  const char *taps[] = { "pool1/norm1", "conv2/norm2", "inception_3a/1x1",
                         "inception_3a/output", "inception_3b/pool", "inception_3b/output" };
  const int nt = G_N_ELEMENTS (taps), S = 45;
  GError *err = NULL;
  NsNetwork *net = ns_network_new (m, NS_POOLING_MAX, taps, nt, &err);
  CHECK (net && ns_network_prepare (net, S, S, &err), "gradient net: %s",
         err ? err->message : "");
  if (!net)
    return;
  Lin lin;
  for (int t = 0; t < nt; t++)
    {
      int C, H, W;
      ns_network_tap_shape (net, t, &C, &H, &W);
      lin.g[t] = g_new (float, (size_t) C * H * W);
      test_fill_random (lin.g[t], (size_t) C * H * W, 100 + t, -1, 1);
    }
  const NsTapLoss losses = { lin_loss, lin_grad };
  const size_t n = 3 * (size_t) S * S;
  float *x = g_new (float, n), *dx = g_new (float, n), *v = g_new (float, n);
  test_fill_random (x, n, 7, 0.1f, 0.9f);
  const double L = ns_network_forward_losses (net, x, &losses, &lin);
  ns_network_backward (net, &losses, &lin, dx);
  const double Lref = ref_loss (m, root, x, x, 0.0, S, taps, nt, &lin);
  CHECK_CLOSE (L, Lref, 1e-5, 1e-3, "loss vs the reference");
  for (int dir = 0; dir < 3; dir++)
    {
      test_fill_random (v, n, 200 + dir, -1, 1);
      double dd = 0;
      for (size_t i = 0; i < n; i++)
        dd += (double) dx[i] * v[i];
      const double eps = 1e-6;
      const double fd = (ref_loss (m, root, x, v, eps, S, taps, nt, &lin)
                         - ref_loss (m, root, x, v, -eps, S, taps, nt, &lin)) / (2 * eps);
      printf ("  direction %d: <dL/dx, v> %.7g, central difference (double reference) %.7g\n",
              dir, dd, fd);
      CHECK_CLOSE (dd, fd, 1e-3, 0, "directional derivative vs central difference");
    }
  /* a plan-only network (estimates: no weights) plans the same */
  NsNetwork *plan = ns_network_new_plan (m, NS_POOLING_MAX, taps, nt, &err);
  CHECK (plan && ns_network_memory_bytes (plan, 300, 200) == ns_network_memory_bytes (net, 300, 200)
         && ns_network_memory_bytes (plan, 300, 200) > 0
         && ns_network_forward_flops (plan, 300, 200) == ns_network_forward_flops (net, 300, 200)
         && ns_network_weight_bytes (plan) == ns_network_weight_bytes (net),
         "plan-only network plans as the real one");
  ns_network_free (plan);
  /* the same gradient again (buffers are re-zeroed, nothing accumulates) */
  ns_network_forward_losses (net, x, &losses, &lin);
  ns_network_backward (net, &losses, &lin, v);
  CHECK (memcmp (v, dx, n * sizeof (float)) == 0, "backward repeatable");
  for (int t = 0; t < nt; t++)
    g_free (lin.g[t]);
  g_free (x); g_free (dx); g_free (v);
  ns_network_free (net);
}

int
main (void)
{
  test_begin ("googlenet");
  const char *shared = test_shared_dir ();
  gegl_init (NULL, NULL);
  char *mp = g_build_filename (shared, "models", "googlenet_bvlc.safetensors", NULL);
  char *jp = g_build_filename (shared, "models", "googlenet_bvlc.layers.json", NULL);
  GError *err = NULL;
  NsModel *m = ns_model_load (mp, &err);
  CHECK (m != NULL, "load: %s", err ? err->message : "");
  JsonParser *parser = json_parser_new ();
  CHECK (json_parser_load_from_file (parser, jp, &err), "json: %s", err ? err->message : "");
  JsonNode *rn = json_parser_get_root (parser);
  if (m && rn)
    {
      CHECK (strcmp (ns_model_architecture (m), "googlenet_bvlc") == 0, "architecture %s",
             ns_model_architecture (m));
      JsonObject *root = json_node_get_object (rn);
      test_topology (m, json_object_get_array_member (root, "layers"));
      test_classify (m, root, shared);
      test_gradient (m, root);
    }
  g_clear_error (&err);
  g_object_unref (parser);
  ns_model_free (m);
  g_free (mp);
  g_free (jp);
  return test_finish ();
}
