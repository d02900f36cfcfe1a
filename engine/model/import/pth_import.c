/* pth_import.c — torchvision .pth state_dict -> safetensors (features.* only).
 *
 * Nothing in the input is executed: the pickle is read by a whitelisting
 * reader (pickle_reader.c) that only builds plain values, the container by
 * a bounds-checked zip reader (zip_reader.c) or the legacy layout below.
 * Every tensor is checked against its storage before a byte is copied:
 *   offset + sum_k (size_k - 1) * stride_k < storage elements,
 *   elements(tensor) <= elements(storage)      (bounds memory use too).
 * Strided (non-contiguous) tensors are copied element by element.
 */
#include "pth_import.h"

#include "model.h"
#include "neural_style.h"
#include "pickle_reader.h"
#include "safetensors.h"
#include "zip_reader.h"

#include <math.h>
#include <string.h>

/* Legacy torch.save magic number 0x1950a86a20f9469cfc6c, little-endian. */
static const guint8 legacy_magic[10] = { 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19 };
#define LEGACY_PROTOCOL 1001

typedef struct
{
  NsPkGlobal    type;     /* storage type tag */
  guint64       numel;    /* elements */
  const guint8 *bytes;    /* numel * element size bytes */
} Storage;

typedef struct
{
  const guint8 *data;
  size_t        len;
  /* zip container */
  NsZip        *zip;
  char         *prefix;    /* "<archive>/" */
  /* legacy container: key -> Storage* */
  GHashTable   *storages;  /* both containers cache resolved storages here */
  GPtrArray    *owned;     /* inflated buffers */
  guint64       inflated;  /* their total size */
  NsPickle     *pk;
} Ctx;

static gboolean
fail (GError **error, int code, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError **error, int code, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *s = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error_literal (error, NS_ERROR, code, s);
  g_free (s);
  return FALSE;
}

static int
element_size (NsPkGlobal t)
{
  switch (t)
    {
    case NS_PK_G_FLOAT_STORAGE: return 4;
    case NS_PK_G_HALF_STORAGE:
    case NS_PK_G_BFLOAT16_STORAGE: return 2;
    case NS_PK_G_DOUBLE_STORAGE: return 8;
    default: return 0;
    }
}

/* IEEE 754 binary16 -> binary32 (exact). */
static float
half_to_float (guint16 h)
{
  guint32 sign = (guint32) (h & 0x8000) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff, u;
  if (exp == 0x1f)
    u = sign | 0x7f800000u | (man << 13);            /* inf / nan */
  else if (exp != 0)
    u = sign | ((exp + 112) << 23) | (man << 13);    /* normal: rebias 15 -> 127 */
  else if (man == 0)
    u = sign;                                        /* zero */
  else
    {                                                /* subnormal: normalise */
      int e = -1;
      do { man <<= 1; e++; } while (!(man & 0x400));
      u = sign | ((guint32) (112 - e) << 23) | ((man & 0x3ff) << 13);
    }
  float f;
  memcpy (&f, &u, sizeof f);
  return f;
}

/* Element i of a little-endian storage as float. */
static float
load_elem (const Storage *s, guint64 i)
{
  const guint8 *p = s->bytes + i * (guint64) element_size (s->type);
  guint16 u16;
  guint32 u32;
  guint64 u64;
  float f;
  double d;
  switch (s->type)
    {
    case NS_PK_G_HALF_STORAGE:
      memcpy (&u16, p, 2);
      return half_to_float (GUINT16_FROM_LE (u16));
    case NS_PK_G_BFLOAT16_STORAGE:   /* the top half of a binary32 */
      memcpy (&u16, p, 2);
      u32 = (guint32) GUINT16_FROM_LE (u16) << 16;
      memcpy (&f, &u32, 4);
      return f;
    case NS_PK_G_DOUBLE_STORAGE:
      memcpy (&u64, p, 8);
      u64 = GUINT64_FROM_LE (u64);
      memcpy (&d, &u64, 8);
      return (float) d;
    case NS_PK_G_FLOAT_STORAGE:
    default:
      memcpy (&u32, p, 4);
      u32 = GUINT32_FROM_LE (u32);
      memcpy (&f, &u32, 4);
      return f;
    }
}

/* ------------------------------------------------- persistent ids */

typedef struct
{
  NsPkGlobal  type;
  const char *key;
  guint64     numel;
  /* legacy views: a window [view_offset, view_offset+view_numel) of key */
  gboolean    is_view;
  guint64     view_offset, view_numel;
} Pid;

/* ('storage', <storage type>, key, location, numel[, view_metadata]) */
static gboolean
parse_pid (const NsPkValue *persid, gboolean legacy, Pid *pid, GError **error)
{
  const NsPkValue *t = persid->pid;
  guint n = t->items->len;
  NsPkValue **it = (NsPkValue **) t->items->pdata;
  memset (pid, 0, sizeof *pid);
  if (n != (legacy ? 6u : 5u) || it[0]->type != NS_PK_STR || strcmp (it[0]->s, "storage") != 0)
    return fail (error, NS_ERROR_FORMAT, "bad persistent id (not a ('storage', type, key, "
                 "location, size%s) tuple)", legacy ? ", view" : "");
  if (it[1]->type != NS_PK_GLOBAL || element_size (it[1]->global) == 0)
    return fail (error, NS_ERROR_UNSUPPORTED, "bad persistent id: storage type is not "
                 "one of Float/Half/BFloat16/DoubleStorage");
  if (it[2]->type != NS_PK_STR || it[3]->type != NS_PK_STR || it[4]->type != NS_PK_INT
      || it[4]->i < 0)
    return fail (error, NS_ERROR_FORMAT, "bad persistent id: key, location or size malformed");
  pid->type = it[1]->global;
  pid->key = it[2]->s;
  pid->numel = (guint64) it[4]->i;
  if (legacy && it[5]->type != NS_PK_NONE)
    {
      /* view_metadata = (view_key, offset, size) into the root storage */
      const NsPkValue *v = it[5];
      if (v->type != NS_PK_TUPLE || v->items->len != 3
          || ((NsPkValue *) v->items->pdata[1])->type != NS_PK_INT
          || ((NsPkValue *) v->items->pdata[2])->type != NS_PK_INT)
        return fail (error, NS_ERROR_FORMAT, "bad persistent id: malformed storage view");
      gint64 off = ((NsPkValue *) v->items->pdata[1])->i, sz = ((NsPkValue *) v->items->pdata[2])->i;
      if (off < 0 || sz < 0 || (guint64) off > pid->numel || (guint64) sz > pid->numel - (guint64) off)
        return fail (error, NS_ERROR_FORMAT, "storage view [%" G_GINT64_FORMAT ", +%"
                     G_GINT64_FORMAT ") lies outside storage '%s'", off, sz, pid->key);
      pid->is_view = TRUE;
      pid->view_offset = (guint64) off;
      pid->view_numel = (guint64) sz;
    }
  return TRUE;
}

/* Find (and cache) the bytes of a storage. */
static const Storage *
get_storage (Ctx *c, const NsPkValue *persid, Storage *view, GError **error)
{
  Pid pid;
  if (!parse_pid (persid, c->zip == NULL, &pid, error))
    return NULL;
  Storage *s = g_hash_table_lookup (c->storages, pid.key);
  int es = element_size (pid.type);
  if (!s && c->zip)
    {
      char *name = g_strconcat (c->prefix, "data/", pid.key, NULL);
      const NsZipEntry *e = ns_zip_find (c->zip, name);
      g_free (name);
      if (!e)
        {
          fail (error, NS_ERROR_FORMAT, "storage '%s' is missing from the archive", pid.key);
          return NULL;
        }
      const guint8 *bytes;
      size_t len;
      guint8 *owned;
      if (!ns_zip_read (c->zip, e, &bytes, &len, &owned, error))
        return NULL;
      if (owned)
        {
          g_ptr_array_add (c->owned, owned);
          c->inflated += len;
        }
      if (pid.numel > len / (guint64) es)
        {
          fail (error, NS_ERROR_FORMAT, "storage '%s' holds %zu bytes, too few for %"
                G_GUINT64_FORMAT " elements", pid.key, len, pid.numel);
          return NULL;
        }
      s = g_new0 (Storage, 1);
      s->type = pid.type;
      s->numel = pid.numel;
      s->bytes = bytes;
      g_hash_table_insert (c->storages, g_strdup (pid.key), s);
    }
  if (!s)
    {
      fail (error, NS_ERROR_FORMAT, "storage '%s' is missing from the file", pid.key);
      return NULL;
    }
  if (s->type != pid.type || s->numel != pid.numel)
    {
      fail (error, NS_ERROR_FORMAT, "storage '%s' is referenced with different types or sizes",
            pid.key);
      return NULL;
    }
  if (!pid.is_view)
    return s;
  *view = *s;
  view->bytes = s->bytes + pid.view_offset * (guint64) es;
  view->numel = pid.view_numel;
  return view;
}

/* ------------------------------------------------- tensors */

static gboolean
materialise (Ctx *c, const char *name, const NsPkValue *t, NsPthTensor *out, GError **error)
{
  Storage view;
  const Storage *s = get_storage (c, t->storage, &view, error);
  if (!s)
    {
      g_prefix_error (error, "tensor '%s': ", name);
      return FALSE;
    }

  /* numel, stopping as soon as it exceeds the storage (no overflow). */
  guint64 numel = 1;
  for (int k = 0; k < t->ndim; k++)
    {
      if (t->size[k] == 0)
        return fail (error, NS_ERROR_FORMAT, "tensor '%s' has no elements", name);
      if (!g_uint64_checked_mul (&numel, numel, (guint64) t->size[k]) || numel > s->numel)
        return fail (error, NS_ERROR_FORMAT, "tensor '%s' is larger than its storage "
                     "(%" G_GUINT64_FORMAT " elements)", name, s->numel);
    }
  /* Highest element touched: offset + sum (size-1)*stride. */
  guint64 last = (guint64) t->offset;
  gboolean ok = TRUE;
  for (int k = 0; k < t->ndim && ok; k++)
    {
      guint64 span;
      ok = g_uint64_checked_mul (&span, (guint64) (t->size[k] - 1), (guint64) t->stride[k])
           && g_uint64_checked_add (&last, last, span);
    }
  if (!ok || last >= s->numel)
    return fail (error, NS_ERROR_FORMAT, "tensor '%s' (offset %" G_GINT64_FORMAT
                 ", strides) reaches outside its storage of %" G_GUINT64_FORMAT " elements",
                 name, t->offset, s->numel);

  float *dst = g_try_new (float, numel);
  if (!dst)
    return fail (error, NS_ERROR_NO_MEMORY, "tensor '%s': out of memory", name);
  /* Row-major walk of the index space; idx = multi-index, src = element. */
  gint64 idx[NS_PK_MAX_DIMS] = { 0 };
  guint64 src = (guint64) t->offset;
  for (guint64 i = 0; i < numel; i++)
    {
      float v = load_elem (s, src);
      if (!isfinite (v))
        {
          g_free (dst);
          return fail (error, NS_ERROR_NUMERIC, "tensor '%s' contains non-finite values", name);
        }
      dst[i] = v;
      for (int k = t->ndim - 1; k >= 0; k--)
        {
          if (++idx[k] < t->size[k])
            {
              src += (guint64) t->stride[k];
              break;
            }
          src -= (guint64) (t->size[k] - 1) * (guint64) t->stride[k];
          idx[k] = 0;
        }
    }
  out->name = g_strdup (name);
  out->ndim = t->ndim;
  for (int k = 0; k < t->ndim; k++)
    out->shape[k] = t->size[k];
  out->numel = numel;
  out->data = dst;
  return TRUE;
}

/* The state_dict: the top dict, or its 'state_dict' / 'model' entry. */
static const NsPkValue *
find_state_dict (const NsPkValue *root, GError **error)
{
  if (!root || root->type != NS_PK_DICT)
    {
      fail (error, NS_ERROR_FORMAT, "the checkpoint holds a %s, not a state_dict",
            root ? ns_pk_type_name (root->type) : "nothing");
      return NULL;
    }
  for (const char *const *k = (const char *const[]) { "state_dict", "model", NULL }; *k; k++)
    {
      const NsPkValue *inner = ns_pk_dict_get (root, *k);
      if (inner && inner->type == NS_PK_DICT)
        return inner;
    }
  return root;
}

static gboolean
collect_features (Ctx *c, const NsPkValue *root, NsPthFeatures *out, GError **error)
{
  const NsPkValue *sd = find_state_dict (root, error);
  if (!sd)
    return FALSE;
  GArray *arr = g_array_new (FALSE, TRUE, sizeof (NsPthTensor));
  guint64 total_bytes = 0;
  gboolean ok = TRUE;
  for (guint i = 0; i < sd->keys->len && ok; i++)
    {
      const NsPkValue *key = sd->keys->pdata[i], *val = sd->items->pdata[i];
      if (!g_str_has_prefix (key->s, "features."))
        continue;
      if (val->type != NS_PK_TENSOR)
        {
          ok = fail (error, NS_ERROR_FORMAT, "'%s' is a %s, not a tensor", key->s,
                     ns_pk_type_name (val->type));
          break;
        }
      NsPthTensor t = { 0 };
      ok = materialise (c, key->s, val, &t, error);
      if (!ok)
        break;
      g_array_append_val (arr, t);
      /* Tensors may share storage; cap the output at what a sane file
       * could hold (float32 of half storages doubles the bytes). */
      total_bytes += t.numel * sizeof (float);
      if (total_bytes > 2 * ((guint64) c->len + c->inflated) + (1u << 20))
        ok = fail (error, NS_ERROR_FORMAT, "tensors add up to more data than the file holds");
    }
  out->n_tensors = (int) arr->len;
  out->tensors = (NsPthTensor *) g_array_free (arr, FALSE);
  if (ok && out->n_tensors == 0)
    ok = fail (error, NS_ERROR_FORMAT, "no features.* tensors in the state_dict");
  return ok;
}

/* ------------------------------------------------- containers */

static gboolean
read_zip (Ctx *c, NsPthFeatures *out, GError **error)
{
  c->zip = ns_zip_open (c->data, c->len, error);
  if (!c->zip)
    return FALSE;
  const NsZipEntry *pkl = NULL;
  for (int i = 0; i < ns_zip_n_entries (c->zip); i++)
    {
      const NsZipEntry *e = ns_zip_entry_at (c->zip, i);
      const char *slash = strchr (e->name, '/');
      if (slash && slash != e->name && strcmp (slash, "/data.pkl") == 0)
        {
          if (pkl)
            return fail (error, NS_ERROR_FORMAT, "the archive holds more than one data.pkl");
          pkl = e;
        }
    }
  if (!pkl)
    return fail (error, NS_ERROR_FORMAT, "zip archive without <archive>/data.pkl "
                 "(not a torch.save file)");
  c->prefix = g_strndup (pkl->name, strlen (pkl->name) - strlen ("data.pkl"));

  char *bo_name = g_strconcat (c->prefix, "byteorder", NULL);
  const NsZipEntry *bo = ns_zip_find (c->zip, bo_name);
  g_free (bo_name);
  if (bo)
    {
      const guint8 *b;
      size_t n;
      guint8 *owned;
      if (!ns_zip_read (c->zip, bo, &b, &n, &owned, error))
        return FALSE;
      gboolean little = n == 6 && memcmp (b, "little", 6) == 0;
      g_free (owned);
      if (!little)
        return fail (error, NS_ERROR_UNSUPPORTED, "big-endian checkpoints are not supported");
    }

  const guint8 *pb;
  size_t pn;
  guint8 *owned;
  if (!ns_zip_read (c->zip, pkl, &pb, &pn, &owned, error))
    return FALSE;
  if (owned)
    g_ptr_array_add (c->owned, owned);
  size_t used;
  const NsPkValue *root = ns_pickle_load (c->pk, pb, pn, &used, error);
  if (!root)
    return FALSE;
  return collect_features (c, root, out, error);
}

/* One pickle of the legacy header; advances *pos. */
static const NsPkValue *
legacy_pickle (Ctx *c, size_t *pos, const char *what, GError **error)
{
  size_t used;
  const NsPkValue *v = ns_pickle_load (c->pk, c->data + *pos, c->len - *pos, &used, error);
  if (!v)
    {
      g_prefix_error (error, "legacy torch.save %s: ", what);
      return NULL;
    }
  *pos += used;
  return v;
}

static gboolean
read_legacy (Ctx *c, NsPthFeatures *out, GError **error)
{
  size_t pos = 0;
  const NsPkValue *magic = legacy_pickle (c, &pos, "magic number", error);
  if (!magic)
    return FALSE;
  if (magic->type != NS_PK_BIGINT || magic->len != sizeof legacy_magic
      || memcmp (magic->s, legacy_magic, sizeof legacy_magic) != 0)
    return fail (error, NS_ERROR_FORMAT, "not a torch.save file (wrong magic number)");
  const NsPkValue *proto = legacy_pickle (c, &pos, "protocol version", error);
  if (!proto)
    return FALSE;
  if (proto->type != NS_PK_INT || proto->i != LEGACY_PROTOCOL)
    return fail (error, NS_ERROR_UNSUPPORTED, "unsupported legacy torch.save protocol version");
  const NsPkValue *info = legacy_pickle (c, &pos, "sys_info", error);
  if (!info)
    return FALSE;
  const NsPkValue *le = ns_pk_dict_get (info, "little_endian");
  if (info->type != NS_PK_DICT || (le && (le->type != NS_PK_BOOL || !le->i)))
    return fail (error, NS_ERROR_UNSUPPORTED, "big-endian checkpoints are not supported");
  const NsPkValue *root = legacy_pickle (c, &pos, "object", error);
  if (!root)
    return FALSE;
  const NsPkValue *keys = legacy_pickle (c, &pos, "storage key list", error);
  if (!keys)
    return FALSE;
  if (keys->type != NS_PK_LIST)
    return fail (error, NS_ERROR_FORMAT, "legacy torch.save storage key list is malformed");

  /* Element type and size of every storage come from the persistent ids. */
  GHashTable *declared = g_hash_table_new (g_str_hash, g_str_equal);   /* key -> Pid* */
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (Pid));
  const GPtrArray *persids = ns_pickle_persistent_ids (c->pk);
  gboolean ok = TRUE;
  g_array_set_size (pids, persids->len);
  for (guint i = 0; i < persids->len && ok; i++)
    {
      Pid *p = &g_array_index (pids, Pid, i);
      ok = parse_pid (persids->pdata[i], TRUE, p, error);
      if (!ok)
        break;
      Pid *prev = g_hash_table_lookup (declared, p->key);
      if (prev && (prev->type != p->type || prev->numel != p->numel))
        ok = fail (error, NS_ERROR_FORMAT, "storage '%s' is referenced with different types "
                   "or sizes", p->key);
      g_hash_table_insert (declared, (gpointer) p->key, p);
    }
  /* Then per key: int64 element count, raw little-endian data. */
  for (guint i = 0; i < keys->items->len && ok; i++)
    {
      const NsPkValue *k = keys->items->pdata[i];
      if (k->type != NS_PK_STR)
        {
          ok = fail (error, NS_ERROR_FORMAT, "legacy storage key is not a string");
          break;
        }
      const Pid *p = g_hash_table_lookup (declared, k->s);
      if (!p)
        {
          ok = fail (error, NS_ERROR_FORMAT, "storage '%s' is listed but never used", k->s);
          break;
        }
      if (g_hash_table_contains (c->storages, k->s))
        {
          ok = fail (error, NS_ERROR_FORMAT, "storage '%s' is listed twice", k->s);
          break;
        }
      if (c->len - pos < 8)
        {
          ok = fail (error, NS_ERROR_FORMAT, "storage '%s' is truncated (file too short)", k->s);
          break;
        }
      guint64 n = 0;
      for (int b = 0; b < 8; b++)
        n |= (guint64) c->data[pos + b] << (8 * b);
      pos += 8;
      guint64 es = (guint64) element_size (p->type);
      if (n != p->numel || n > (c->len - pos) / es)
        {
          ok = fail (error, NS_ERROR_FORMAT, "storage '%s' is truncated or its size "
                     "disagrees with its header", k->s);
          break;
        }
      Storage *s = g_new0 (Storage, 1);
      s->type = p->type;
      s->numel = n;
      s->bytes = c->data + pos;
      pos += n * es;
      g_hash_table_insert (c->storages, g_strdup (k->s), s);
    }
  g_hash_table_destroy (declared);
  g_array_unref (pids);
  return ok && collect_features (c, root, out, error);
}

gboolean
ns_pth_read_features (const guint8 *data, size_t len, NsPthFeatures *out, GError **error)
{
  memset (out, 0, sizeof *out);
  if (len == 0)
    return fail (error, NS_ERROR_FORMAT, "empty file");
  Ctx c = { data, len, NULL, NULL,
            g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free),
            g_ptr_array_new_with_free_func (g_free), 0, ns_pickle_new () };
  gboolean ok;
  if (len >= 4 && memcmp (data, "PK\x03\x04", 4) == 0)
    {
      out->container = "zip";
      ok = read_zip (&c, out, error);
    }
  else if (len >= 2 && data[0] == 0x80)
    {
      out->container = "legacy";
      ok = read_legacy (&c, out, error);
    }
  else if (len >= 262 && memcmp (data + 257, "ustar", 5) == 0)
    ok = fail (error, NS_ERROR_UNSUPPORTED, "the tar-based torch.save format of "
               "PyTorch < 0.4 is not supported; re-save the file with a newer torch");
  else
    ok = fail (error, NS_ERROR_FORMAT, "not a PyTorch checkpoint (neither a zip archive "
               "nor a legacy torch.save pickle)");
  ns_zip_free (c.zip);
  g_free (c.prefix);
  g_hash_table_destroy (c.storages);
  ns_pickle_free (c.pk);
  g_ptr_array_unref (c.owned);
  if (!ok)
    ns_pth_features_clear (out);
  return ok;
}

void
ns_pth_features_clear (NsPthFeatures *f)
{
  for (int i = 0; i < f->n_tensors; i++)
    {
      g_free (f->tensors[i].name);
      g_free (f->tensors[i].data);
    }
  g_free (f->tensors);
  f->tensors = NULL;
  f->n_tensors = 0;
}

/* ------------------------------------------------- architecture */

static const NsPthTensor *
find_tensor (const NsPthFeatures *f, const char *name)
{
  for (int i = 0; i < f->n_tensors; i++)
    if (strcmp (f->tensors[i].name, name) == 0)
      return &f->tensors[i];
  return NULL;
}

/* Does `prefix`.weight / .bias exist with shapes [o,i,k,k] / [o]? */
static gboolean
conv_matches (const NsPthFeatures *f, const char *prefix, int o, int i, int k, GString *why)
{
  char *wn = g_strconcat (prefix, ".weight", NULL), *bn = g_strconcat (prefix, ".bias", NULL);
  const NsPthTensor *w = find_tensor (f, wn), *b = find_tensor (f, bn);
  gboolean ok = w && b && w->ndim == 4 && w->shape[0] == o && w->shape[1] == i
                && w->shape[2] == k && w->shape[3] == k && b->ndim == 1 && b->shape[0] == o;
  if (!ok && why->len == 0)
    g_string_printf (why, "%s is missing or not [%d,%d,%d,%d]", wn, o, i, k, k);
  g_free (wn);
  g_free (bn);
  return ok;
}

static gboolean
arch_matches (const NsPthFeatures *f, NsArch arch, GString *why)
{
  int n_layers, expected = 0;
  const NsLayerDesc *L = ns_arch_layers (arch, &n_layers);
  for (int l = 0; l < n_layers; l++)
    {
      NsConvDesc c[3];
      const int nc = ns_layer_convs (&L[l], c);
      for (int k = 0; k < nc; k++)
        if (!conv_matches (f, c[k].prefix, c[k].cout, c[k].cin, c[k].k, why))
          return FALSE;
      expected += 2 * nc;
    }
  if (f->n_tensors != expected)
    {
      g_string_printf (why, "%d features.* tensors instead of %d%s", f->n_tensors, expected,
                       find_tensor (f, "features.1.running_mean") ? " (batch-norm variants "
                       "are not supported)" : "");
      return FALSE;
    }
  return TRUE;
}

const char *
ns_pth_detect_architecture (const NsPthFeatures *f, GError **error)
{
  GString *msg = g_string_new ("could not detect the architecture:");
  for (int a = 0; a < NS_ARCH_COUNT; a++)
    {
      if (!ns_arch_info ((NsArch) a)->torchvision)
        continue;
      GString *why = g_string_new (NULL);
      gboolean ok = arch_matches (f, (NsArch) a, why);
      if (ok)
        {
          g_string_free (why, TRUE);
          g_string_free (msg, TRUE);
          return ns_arch_name ((NsArch) a);
        }
      g_string_append_printf (msg, " not %s (%s);", ns_arch_name ((NsArch) a), why->str);
      g_string_free (why, TRUE);
    }
  g_string_truncate (msg, msg->len - 1);
  fail (error, NS_ERROR_UNSUPPORTED, "%s", msg->str);
  g_string_free (msg, TRUE);
  return NULL;
}

/* ------------------------------------------------- public entry */

gboolean
ns_convert_pth (const char *pth_path, const char *safetensors_path, const char *architecture,
                GError **error)
{
  g_return_val_if_fail (pth_path && safetensors_path, FALSE);
  NsArch arch;
  if (architecture && (!ns_arch_from_name (architecture, &arch)
                       || !ns_arch_info (arch)->torchvision))
    return fail (error, NS_ERROR_UNSUPPORTED, "unknown architecture '%s' "
                 "(expected vgg19, vgg16 or squeezenet1_1)", architecture);

  GError *e = NULL;
  GMappedFile *mf = g_mapped_file_new (pth_path, FALSE, &e);
  if (!mf)
    {
      fail (error, NS_ERROR_IO, "cannot read %s: %s", pth_path, e->message);
      g_error_free (e);
      return FALSE;
    }
  char *base = g_path_get_basename (pth_path);
  NsPthFeatures f;
  gboolean ok = ns_pth_read_features ((const guint8 *) g_mapped_file_get_contents (mf),
                                      g_mapped_file_get_length (mf), &f, error);
  const char *arch_name = architecture;
  if (ok && !arch_name)
    ok = (arch_name = ns_pth_detect_architecture (&f, error)) != NULL;
  if (ok)
    {
      NsTensorOut *t = g_new0 (NsTensorOut, f.n_tensors);
      for (int i = 0; i < f.n_tensors; i++)
        {
          t[i].name = f.tensors[i].name;
          t[i].ndim = f.tensors[i].ndim;
          memcpy (t[i].shape, f.tensors[i].shape, sizeof t[i].shape);
          t[i].data = f.tensors[i].data;
        }
      /* source=torchvision: the model loader applies torchvision's input
       * normalisation (RGB 0..1, ImageNet mean/std). */
      const char *meta[] = {
        "architecture", arch_name, "source", "torchvision", "converted_from", base, NULL
      };
      ok = ns_st_write (safetensors_path, t, f.n_tensors, meta, error);
      g_free (t);
    }
  if (!ok && error && *error)
    g_prefix_error (error, "%s: ", base);
  ns_pth_features_clear (&f);
  g_free (base);
  g_mapped_file_unref (mf);
  return ok;
}
