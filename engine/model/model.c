/* model.c — load a safetensors model: recognise the architecture, check that
 * every convolution of its layer table (arch.c) is present with the right
 * shape, and read the input preprocessing from __metadata__.
 */
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* "[64,3,3,3]" into buf. */
static const char *
shape_str (char *buf, size_t size, int ndim, const int64_t *shape)
{
  size_t pos = (size_t) g_snprintf (buf, size, "[");
  for (int d = 0; d < ndim && pos < size; d++)
    pos += (size_t) g_snprintf (buf + pos, size - pos, "%s%" G_GINT64_FORMAT,
                                d ? "," : "", (gint64) shape[d]);
  if (pos < size)
    g_snprintf (buf + pos, size - pos, "]");
  return buf;
}

/* Tensor `name` must exist with exactly this shape. */
static const NsTensorInfo *
check_tensor (const NsSafetensors *st, const char *name, int ndim, const int64_t *shape,
              GError **error)
{
  char want[128], got[128];
  const NsTensorInfo *t = ns_st_find (st, name);
  if (!t)
    {
      g_set_error (error, NS_ERROR, NS_ERROR_FORMAT,
                   "missing tensor '%s' (expected shape %s)", name,
                   shape_str (want, sizeof want, ndim, shape));
      return NULL;
    }
  gboolean same = t->ndim == ndim;
  for (int d = 0; same && d < ndim; d++)
    same = t->shape[d] == shape[d];
  if (!same)
    {
      g_set_error (error, NS_ERROR, NS_ERROR_FORMAT,
                   "tensor '%s' has the wrong shape: expected %s, got %s", name,
                   shape_str (want, sizeof want, ndim, shape),
                   shape_str (got, sizeof got, t->ndim, t->shape));
      return NULL;
    }
  return t;
}

/* Weight [out][in][kh][kw] (dense: [out][in]) and bias [out] of one conv. */
static gboolean
check_conv (const NsSafetensors *st, const char *prefix, int out_c, int in_c, int kh, int kw,
            int dense, const NsTensorInfo **w, const NsTensorInfo **b, GError **error)
{
  char *wn = g_strconcat (prefix, ".weight", NULL);
  char *bn = g_strconcat (prefix, ".bias", NULL);
  const int64_t wshape[4] = { out_c, in_c, kh, kw };
  const int64_t bshape[1] = { out_c };
  const NsTensorInfo *wt = check_tensor (st, wn, dense ? 2 : 4, wshape, error);
  const NsTensorInfo *bt = wt ? check_tensor (st, bn, 1, bshape, error) : NULL;
  g_free (wn);
  g_free (bn);
  if (w)
    *w = wt;
  if (b)
    *b = bt;
  return bt != NULL;
}

static gboolean
validate_layers (const NsSafetensors *st, NsArch arch, GError **error)
{
  int n;
  const NsLayerDesc *L = ns_arch_layers (arch, &n);
  for (int i = 0; i < n; i++)
    {
      NsConvDesc c[3];
      const int nc = ns_layer_convs (&L[i], c);
      for (int k = 0; k < nc; k++)
        if (!check_conv (st, c[k].prefix, c[k].cout, c[k].cin, c[k].k, c[k].k, c[k].dense,
                         NULL, NULL, error))
          {
            g_prefix_error (error, "%s layer %s: ", ns_arch_name (arch), L[i].name);
            return FALSE;
          }
    }
  return TRUE;
}

/* __metadata__["architecture"], else by the table's signature tensors. */
static gboolean
detect_arch (const NsSafetensors *st, NsArch *arch, GError **error)
{
  const char *name = ns_st_metadata (st, "architecture");
  if (name)
    {
      if (!ns_arch_from_name (name, arch))
        {
          g_set_error (error, NS_ERROR, NS_ERROR_UNSUPPORTED,
                       "unsupported architecture '%s' (supported: %s)", name, ns_arch_names ());
          return FALSE;
        }
      return TRUE;
    }
  /* A features.34.weight of the wrong shape is still reported as a VGG-19
   * shape error by validate_layers(), which is the more useful message. */
  for (int a = 0; a < NS_ARCH_COUNT; a++)
    if (ns_st_find (st, ns_arch_info ((NsArch) a)->signature))
      {
        *arch = (NsArch) a;
        return TRUE;
      }
  g_set_error (error, NS_ERROR, NS_ERROR_UNSUPPORTED,
               "unrecognised architecture: no \"architecture\" metadata and the tensor "
               "names match none of %s", ns_arch_names ());
  return FALSE;
}

/* Exactly `n` comma-separated finite numbers ("104,117,123"). */
static gboolean
parse_numbers (const char *s, float *out, int n)
{
  if (!s)
    return FALSE;
  char **parts = g_strsplit (s, ",", -1);
  gboolean ok = g_strv_length (parts) == (guint) n;
  for (int i = 0; ok && i < n; i++)
    {
      char *str = g_strstrip (parts[i]);
      char *end = NULL;
      double v = g_ascii_strtod (str, &end);
      ok = *str && end && *end == '\0' && isfinite (v) && fabs (v) < 1e30;
      out[i] = (float) v;
    }
  g_strfreev (parts);
  return ok;
}

static gboolean
read_preprocess (const NsSafetensors *st, NsPreprocess *pre, GError **error)
{
  /* torchvision: RGB 0..1, ImageNet mean/std. */
  *pre = (NsPreprocess) { { 0, 1, 2 }, 1.0f, { 0.485f, 0.456f, 0.406f },
                          { 0.229f, 0.224f, 0.225f } };
  if (g_strcmp0 (ns_st_metadata (st, "source"), "caffe") != 0)
    return TRUE;

  const char *order = ns_st_metadata (st, "channel_order");
  const char *scale = ns_st_metadata (st, "input_scale");
  const char *mean = ns_st_metadata (st, "mean");
  const char *std = ns_st_metadata (st, "std");
  if (g_strcmp0 (order, "RGB") == 0)
    pre->perm[0] = 0, pre->perm[1] = 1, pre->perm[2] = 2;
  else if (g_strcmp0 (order, "BGR") == 0)
    pre->perm[0] = 2, pre->perm[1] = 1, pre->perm[2] = 0;
  else
    {
      g_set_error (error, NS_ERROR, NS_ERROR_FORMAT,
                   "caffe metadata: channel_order must be \"RGB\" or \"BGR\" (got \"%s\")",
                   order ? order : "(missing)");
      return FALSE;
    }
  float s;
  if (!parse_numbers (scale, &s, 1) || !(s > 0))
    {
      g_set_error (error, NS_ERROR, NS_ERROR_FORMAT,
                   "caffe metadata: input_scale must be a positive number (got \"%s\")",
                   scale ? scale : "(missing)");
      return FALSE;
    }
  pre->scale = s;
  if (!parse_numbers (mean, pre->mean, 3))
    {
      g_set_error (error, NS_ERROR, NS_ERROR_FORMAT,
                   "caffe metadata: mean must be three numbers \"a,b,c\" (got \"%s\")",
                   mean ? mean : "(missing)");
      return FALSE;
    }
  if (!parse_numbers (std, pre->std, 3) || !(pre->std[0] > 0) || !(pre->std[1] > 0) ||
      !(pre->std[2] > 0))
    {
      g_set_error (error, NS_ERROR, NS_ERROR_FORMAT,
                   "caffe metadata: std must be three positive numbers \"a,b,c\" (got \"%s\")",
                   std ? std : "(missing)");
      return FALSE;
    }
  return TRUE;
}

NsModel *
ns_model_load (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  NsSafetensors *st = ns_st_open (path, error);
  if (!st)
    return NULL;
  NsModel *m = g_new0 (NsModel, 1);
  m->st = st;
  m->path = g_strdup (path);
  if (!detect_arch (st, &m->arch, error) || !validate_layers (st, m->arch, error) ||
      !read_preprocess (st, &m->pre, error))
    {
      char *base = g_path_get_basename (path);
      g_prefix_error (error, "%s: ", base);
      g_free (base);
      ns_model_free (m);
      return NULL;
    }
  return m;
}

void
ns_model_free (NsModel *model)
{
  if (!model)
    return;
  ns_st_close (model->st);
  g_free (model->path);
  g_free (model);
}

const char *
ns_model_architecture (const NsModel *model)
{
  return ns_arch_name (model->arch);
}

const char *
ns_model_default_style_layers (const NsModel *model)
{
  return ns_arch_info (model->arch)->style_layers;
}

const char *
ns_model_default_content_layers (const NsModel *model)
{
  return ns_arch_info (model->arch)->content_layers;
}

gboolean
ns_model_get_conv (const NsModel *m, const char *prefix, int out_c, int in_c, int kh, int kw,
                   float **weight, float **bias, GError **error)
{
  const NsTensorInfo *w, *b;
  if (!check_conv (m->st, prefix, out_c, in_c, kh, kw, 0, &w, &b, error))
    return FALSE;
  *weight = ns_st_read_f32 (m->st, w);
  *bias = ns_st_read_f32 (m->st, b);
  return TRUE;
}

gboolean
ns_model_view_weights (const NsModel *m, const NsConvDesc *c, const float **weight,
                       const float **bias, float **owned_w, float **owned_b, GError **error)
{
  const NsTensorInfo *w, *b;
  *owned_w = *owned_b = NULL;
  if (!check_conv (m->st, c->prefix, c->cout, c->cin, c->k, c->k, c->dense, &w, &b, error))
    return FALSE;
  *weight = ns_st_view_f32 (m->st, w);
  if (!*weight)
    *weight = *owned_w = ns_st_read_f32 (m->st, w);
  *bias = ns_st_view_f32 (m->st, b);
  if (!*bias)
    *bias = *owned_b = ns_st_read_f32 (m->st, b);
  return TRUE;
}

gboolean
ns_model_view_conv (const NsModel *m, const char *prefix, int out_c, int in_c, int kh, int kw,
                    const float **weight, const float **bias, float **owned_w,
                    float **owned_b, GError **error)
{
  NsConvDesc c = { "", out_c, in_c, kh, 1, 0, 0 };
  g_strlcpy (c.prefix, prefix, sizeof c.prefix);
  if (kh != kw)   /* (no such layer in the table) */
    {
      g_set_error (error, NS_ERROR, NS_ERROR_FORMAT, "%s: non-square kernel", prefix);
      *owned_w = *owned_b = NULL;
      return FALSE;
    }
  return ns_model_view_weights (m, &c, weight, bias, owned_w, owned_b, error);
}

/* in[k] = (x[perm[k]] * scale - mean[k]) / std[k]   (model.h) */
void
ns_preprocess_apply (const NsPreprocess *p, const float *x, size_t hw, float *in)
{
  for (int k = 0; k < 3; k++)
    {
      const float *src = x + (size_t) p->perm[k] * hw;
      float *dst = in + (size_t) k * hw;
      const float a = p->scale / p->std[k], b = p->mean[k] / p->std[k];
      for (size_t i = 0; i < hw; i++)
        dst[i] = src[i] * a - b;
    }
}

/* dx[perm[k]] = din[k] * scale / std[k] */
void
ns_preprocess_backward (const NsPreprocess *p, const float *din, size_t hw, float *dx)
{
  for (int k = 0; k < 3; k++)
    {
      const float a = p->scale / p->std[k];
      float *dst = dx + (size_t) p->perm[k] * hw;
      const float *src = din + (size_t) k * hw;
      for (size_t j = 0; j < hw; j++)
        dst[j] = src[j] * a;
    }
}
