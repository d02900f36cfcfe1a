/* safetensors.c — validated, memory-mapped safetensors reader and writer.
 *
 * File = [u64 LE header length N][N bytes JSON header][data block].
 * Everything is checked once, in ns_st_open(), each with its own message:
 *
 *   - file shorter than 8 bytes (truncated)
 *   - header length absurd (> 100 MiB) or beyond the end of the file
 *   - header not UTF-8 / not strict JSON (our own syntax pass: no comments,
 *     no single quotes, no trailing data, integers fit in int64, nesting
 *     depth <= 64 so json-glib's recursive parser cannot blow the stack)
 *   - header not an object; duplicate keys anywhere (json-glib would keep
 *     the last one silently, so we count "object-member" signals)
 *   - __metadata__ not an object of strings
 *   - tensor entry not an object, dtype/shape/data_offsets missing or of
 *     the wrong type, dtype other than F32/F16 (NS_ERROR_UNSUPPORTED)
 *   - shape dims negative / not integers, ndim > 8, numel overflow
 *   - data_offsets not 2 non-negative ints, begin > end, end beyond the
 *     data block, byte size != numel * dtype size
 *   - tensors overlapping, gaps between them, trailing bytes after them
 *   - NaN/Inf anywhere in the data (NS_ERROR_NUMERIC, names the tensor)
 *
 * Tensors are listed in data-offset order.  The data block need not be
 * aligned: all reads go through memcpy.
 */
#include "safetensors.h"
#include "neural_style.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

G_DEFINE_QUARK (ns-error-quark, ns_error)

#define NS_ST_MAX_HEADER  (100u * 1024u * 1024u)
#define NS_ST_MAX_DEPTH   64

struct NsSafetensors
{
  GMappedFile  *map;
  const guint8 *data;       /* start of the data block */
  size_t        data_len;
  int           n;
  NsTensorInfo *tensors;    /* sorted by (begin, end) */
  GHashTable   *by_name;    /* name -> NsTensorInfo* (borrowed) */
  GHashTable   *meta;       /* key -> value (owned strings) */
};

/* "<file>: <message>" */
static void G_GNUC_PRINTF (4, 5)
st_error (GError **error, int code, const char *path, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  char *base = g_path_get_basename (path);
  g_set_error (error, NS_ERROR, code, "%s: %s", base, msg);
  g_free (base);
  g_free (msg);
}

/* ------------------------------------------------ strict JSON syntax pass */

typedef struct
{
  const char *s;
  size_t      n, i;
  const char *err;
} JsonScan;

static void
scan_ws (JsonScan *j)
{
  while (j->i < j->n && (j->s[j->i] == ' ' || j->s[j->i] == '\t' ||
                         j->s[j->i] == '\n' || j->s[j->i] == '\r'))
    j->i++;
}

static int
scan_hex4 (JsonScan *j)
{
  if (j->n - j->i < 4)
    return -1;
  int v = 0;
  for (int k = 0; k < 4; k++)
    {
      int d = g_ascii_xdigit_value (j->s[j->i + k]);
      if (d < 0)
        return -1;
      v = v * 16 + d;
    }
  j->i += 4;
  return v;
}

static gboolean
scan_string (JsonScan *j)
{
  j->i++;                                   /* opening quote */
  while (j->i < j->n)
    {
      unsigned char c = (unsigned char) j->s[j->i++];
      if (c == '"')
        return TRUE;
      if (c < 0x20)
        {
          j->err = "control character in string";
          return FALSE;
        }
      if (c != '\\')
        continue;
      if (j->i >= j->n)
        break;
      c = (unsigned char) j->s[j->i++];
      if (c == 'u')
        {
          int u = scan_hex4 (j);
          if (u < 0)
            {
              j->err = "bad \\u escape";
              return FALSE;
            }
          if (u == 0)
            {
              j->err = "\\u0000 in string";
              return FALSE;
            }
          if (u >= 0xDC00 && u <= 0xDFFF)
            {
              j->err = "lone surrogate in string";
              return FALSE;
            }
          if (u >= 0xD800 && u <= 0xDBFF)
            {
              int lo = -1;
              if (j->n - j->i >= 2 && j->s[j->i] == '\\' && j->s[j->i + 1] == 'u')
                {
                  j->i += 2;
                  lo = scan_hex4 (j);
                }
              if (lo < 0xDC00 || lo > 0xDFFF)
                {
                  j->err = "lone surrogate in string";
                  return FALSE;
                }
            }
        }
      else if (c == 0 || !strchr ("\"\\/bfnrt", c))
        {
          j->err = "invalid escape in string";
          return FALSE;
        }
    }
  j->err = "unterminated string";
  return FALSE;
}

static gboolean
scan_number (JsonScan *j)
{
  const char *s = j->s;
  gboolean integer = TRUE;
  if (j->i < j->n && s[j->i] == '-')
    j->i++;
  size_t digits0 = j->i;
  if (j->i < j->n && s[j->i] == '0')
    j->i++;
  else if (j->i < j->n && s[j->i] >= '1' && s[j->i] <= '9')
    while (j->i < j->n && g_ascii_isdigit (s[j->i]))
      j->i++;
  else
    {
      j->err = "invalid number";
      return FALSE;
    }
  size_t ndigits = j->i - digits0;
  if (j->i < j->n && s[j->i] == '.')
    {
      integer = FALSE;
      j->i++;
      if (j->i >= j->n || !g_ascii_isdigit (s[j->i]))
        {
          j->err = "invalid number";
          return FALSE;
        }
      while (j->i < j->n && g_ascii_isdigit (s[j->i]))
        j->i++;
    }
  if (j->i < j->n && (s[j->i] == 'e' || s[j->i] == 'E'))
    {
      integer = FALSE;
      j->i++;
      if (j->i < j->n && (s[j->i] == '+' || s[j->i] == '-'))
        j->i++;
      if (j->i >= j->n || !g_ascii_isdigit (s[j->i]))
        {
          j->err = "invalid number";
          return FALSE;
        }
      while (j->i < j->n && g_ascii_isdigit (s[j->i]))
        j->i++;
    }
  /* json-glib saturates/wraps integers beyond int64: refuse them here. */
  if (integer && (ndigits > 19 ||
                  (ndigits == 19 && memcmp (s + digits0, "9223372036854775807", 19) > 0)))
    {
      j->err = "integer too large";
      return FALSE;
    }
  return TRUE;
}

static gboolean
scan_literal (JsonScan *j, const char *lit)
{
  size_t len = strlen (lit);
  if (j->n - j->i < len || memcmp (j->s + j->i, lit, len) != 0)
    {
      j->err = "unexpected character";
      return FALSE;
    }
  j->i += len;
  return TRUE;
}

static gboolean scan_value (JsonScan *j, int depth);

/* '{' or '[' already current; `close` is '}' or ']'. */
static gboolean
scan_container (JsonScan *j, int depth, char close)
{
  if (depth >= NS_ST_MAX_DEPTH)
    {
      j->err = "nested too deeply";
      return FALSE;
    }
  j->i++;
  scan_ws (j);
  if (j->i < j->n && j->s[j->i] == close)
    {
      j->i++;
      return TRUE;
    }
  for (;;)
    {
      if (close == '}')
        {
          if (j->i >= j->n || j->s[j->i] != '"')
            {
              j->err = "expected a string key";
              return FALSE;
            }
          if (!scan_string (j))
            return FALSE;
          scan_ws (j);
          if (j->i >= j->n || j->s[j->i] != ':')
            {
              j->err = "expected ':'";
              return FALSE;
            }
          j->i++;
        }
      if (!scan_value (j, depth + 1))
        return FALSE;
      if (j->i < j->n && j->s[j->i] == ',')
        {
          j->i++;
          scan_ws (j);
          continue;
        }
      if (j->i < j->n && j->s[j->i] == close)
        {
          j->i++;
          return TRUE;
        }
      j->err = close == '}' ? "expected ',' or '}'" : "expected ',' or ']'";
      return FALSE;
    }
}

/* Skips whitespace on both sides of the value. */
static gboolean
scan_value (JsonScan *j, int depth)
{
  scan_ws (j);
  if (j->i >= j->n)
    {
      j->err = "unexpected end of header";
      return FALSE;
    }
  gboolean ok;
  switch (j->s[j->i])
    {
    case '{': ok = scan_container (j, depth, '}'); break;
    case '[': ok = scan_container (j, depth, ']'); break;
    case '"': ok = scan_string (j); break;
    case 't': ok = scan_literal (j, "true"); break;
    case 'f': ok = scan_literal (j, "false"); break;
    case 'n': ok = scan_literal (j, "null"); break;
    default:  ok = scan_number (j); break;
    }
  if (ok)
    scan_ws (j);
  return ok;
}

static gboolean
check_json_syntax (const char *s, size_t n, const char *path, GError **error)
{
  if (!g_utf8_validate_len (s, n, NULL))
    {
      st_error (error, NS_ERROR_FORMAT, path, "header is not valid UTF-8 JSON");
      return FALSE;
    }
  JsonScan j = { s, n, 0, NULL };
  if (scan_value (&j, 0) && j.i != n)
    j.err = "trailing characters after the JSON value";
  if (j.err)
    {
      st_error (error, NS_ERROR_FORMAT, path, "header is not valid JSON: %s at byte %zu",
                j.err, j.i);
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------ duplicate-key tracking */

typedef struct
{
  GHashTable *seen;         /* JsonObject* -> GHashTable (set of names) */
  char       *dup_name;     /* first duplicate key found */
  JsonObject *dup_object;
} DupTrack;

static void
on_object_member (JsonParser *parser, JsonObject *object, const char *name,
                  gpointer user_data)
{
  (void) parser;
  DupTrack *d = user_data;
  GHashTable *names = g_hash_table_lookup (d->seen, object);
  if (!names)
    {
      names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (d->seen, object, names);
    }
  if (!g_hash_table_add (names, g_strdup (name)) && !d->dup_name)
    {
      d->dup_name = g_strdup (name);
      d->dup_object = object;
    }
}

/* ------------------------------------------------ header interpretation */

static gboolean
node_is_int (JsonNode *node)
{
  return node && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_INT64;
}

static int
dtype_size (NsDtype dtype)
{
  return dtype == NS_DTYPE_F16 ? 2 : 4;
}

static gboolean
parse_metadata (NsSafetensors *st, JsonNode *node, const char *path, GError **error)
{
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      st_error (error, NS_ERROR_FORMAT, path, "__metadata__ is not an object");
      return FALSE;
    }
  JsonObject *obj = json_node_get_object (node);
  GList *keys = json_object_get_members (obj);
  gboolean ok = TRUE;
  for (GList *l = keys; l && ok; l = l->next)
    {
      JsonNode *v = json_object_get_member (obj, l->data);
      if (!JSON_NODE_HOLDS_VALUE (v) || json_node_get_value_type (v) != G_TYPE_STRING)
        {
          st_error (error, NS_ERROR_FORMAT, path,
                    "__metadata__ value of '%s' is not a string", (const char *) l->data);
          ok = FALSE;
          break;
        }
      g_hash_table_insert (st->meta, g_strdup (l->data), g_strdup (json_node_get_string (v)));
    }
  g_list_free (keys);
  return ok;
}

static gboolean
parse_tensor (NsTensorInfo *t, const char *name, JsonNode *node, size_t data_len,
              const char *path, GError **error)
{
  t->name = g_strdup (name);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      st_error (error, NS_ERROR_FORMAT, path, "tensor '%s': entry is not an object", name);
      return FALSE;
    }
  JsonObject *obj = json_node_get_object (node);
  static const char *const required[] = { "dtype", "shape", "data_offsets" };
  for (guint k = 0; k < G_N_ELEMENTS (required); k++)
    if (!json_object_has_member (obj, required[k]))
      {
        st_error (error, NS_ERROR_FORMAT, path, "tensor '%s': missing \"%s\"", name,
                  required[k]);
        return FALSE;
      }

  /* dtype */
  JsonNode *dn = json_object_get_member (obj, "dtype");
  if (!JSON_NODE_HOLDS_VALUE (dn) || json_node_get_value_type (dn) != G_TYPE_STRING)
    {
      st_error (error, NS_ERROR_FORMAT, path, "tensor '%s': dtype is not a string", name);
      return FALSE;
    }
  const char *dtype = json_node_get_string (dn);
  if (strcmp (dtype, "F32") == 0)
    t->dtype = NS_DTYPE_F32;
  else if (strcmp (dtype, "F16") == 0)
    t->dtype = NS_DTYPE_F16;
  else
    {
      st_error (error, NS_ERROR_UNSUPPORTED, path,
                "tensor '%s': unsupported dtype '%s' (only F32 and F16)", name, dtype);
      return FALSE;
    }

  /* shape */
  JsonNode *sn = json_object_get_member (obj, "shape");
  if (!JSON_NODE_HOLDS_ARRAY (sn))
    {
      st_error (error, NS_ERROR_FORMAT, path, "tensor '%s': shape is not an array", name);
      return FALSE;
    }
  JsonArray *sa = json_node_get_array (sn);
  guint ndim = json_array_get_length (sa);
  if (ndim > 8)
    {
      st_error (error, NS_ERROR_FORMAT, path,
                "tensor '%s': shape has %u dimensions (ndim at most 8)", name, ndim);
      return FALSE;
    }
  t->ndim = (int) ndim;
  size_t numel = 1;
  for (guint d = 0; d < ndim; d++)
    {
      JsonNode *e = json_array_get_element (sa, d);
      if (!node_is_int (e))
        {
          st_error (error, NS_ERROR_FORMAT, path,
                    "tensor '%s': shape dimension %u is not an integer", name, d);
          return FALSE;
        }
      gint64 v = json_node_get_int (e);
      if (v < 0)
        {
          st_error (error, NS_ERROR_FORMAT, path,
                    "tensor '%s': shape dimension %u is negative (%" G_GINT64_FORMAT ")",
                    name, d, v);
          return FALSE;
        }
      t->shape[d] = v;
      if ((guint64) v > G_MAXSIZE || __builtin_mul_overflow (numel, (size_t) v, &numel))
        {
          st_error (error, NS_ERROR_FORMAT, path,
                    "tensor '%s': element count overflows (shape too large)", name);
          return FALSE;
        }
    }
  t->numel = numel;
  size_t nbytes;
  if (__builtin_mul_overflow (numel, (size_t) dtype_size (t->dtype), &nbytes))
    {
      st_error (error, NS_ERROR_FORMAT, path,
                "tensor '%s': byte size overflows (shape too large)", name);
      return FALSE;
    }

  /* data_offsets */
  JsonNode *on = json_object_get_member (obj, "data_offsets");
  JsonArray *oa = JSON_NODE_HOLDS_ARRAY (on) ? json_node_get_array (on) : NULL;
  if (!oa || json_array_get_length (oa) != 2 ||
      !node_is_int (json_array_get_element (oa, 0)) ||
      !node_is_int (json_array_get_element (oa, 1)) ||
      json_array_get_int_element (oa, 0) < 0 || json_array_get_int_element (oa, 1) < 0)
    {
      st_error (error, NS_ERROR_FORMAT, path,
                "tensor '%s': data_offsets must be two non-negative integers", name);
      return FALSE;
    }
  gint64 begin = json_array_get_int_element (oa, 0);
  gint64 end = json_array_get_int_element (oa, 1);
  if (begin > end)
    {
      st_error (error, NS_ERROR_FORMAT, path,
                "tensor '%s': data_offsets begin %" G_GINT64_FORMAT " > end %" G_GINT64_FORMAT,
                name, begin, end);
      return FALSE;
    }
  if ((guint64) end > data_len)
    {
      st_error (error, NS_ERROR_FORMAT, path,
                "tensor '%s': data_offsets end %" G_GINT64_FORMAT
                " is beyond the data block (%zu bytes)", name, end, data_len);
      return FALSE;
    }
  t->begin = (size_t) begin;
  t->end = (size_t) end;
  if (t->end - t->begin != nbytes)
    {
      st_error (error, NS_ERROR_FORMAT, path,
                "tensor '%s': byte size %zu does not match shape (%zu elements x %d bytes)",
                name, t->end - t->begin, numel, dtype_size (t->dtype));
      return FALSE;
    }
  return TRUE;
}

static int
cmp_offsets (gconstpointer a, gconstpointer b)
{
  const NsTensorInfo *x = a, *y = b;
  if (x->begin != y->begin)
    return x->begin < y->begin ? -1 : 1;
  if (x->end != y->end)
    return x->end < y->end ? -1 : 1;
  return 0;
}

/* The tensors (sorted) must tile [0, data_len) exactly. */
static gboolean
check_coverage (const NsSafetensors *st, const char *path, GError **error)
{
  size_t pos = 0;
  for (int i = 0; i < st->n; i++)
    {
      const NsTensorInfo *t = &st->tensors[i];
      if (t->begin < pos)
        {
          st_error (error, NS_ERROR_FORMAT, path, "tensors '%s' and '%s' overlap",
                    st->tensors[i - 1].name, t->name);
          return FALSE;
        }
      if (t->begin > pos)
        {
          st_error (error, NS_ERROR_FORMAT, path,
                    "gap of %zu bytes before tensor '%s' (data block not covered)",
                    t->begin - pos, t->name);
          return FALSE;
        }
      pos = t->end;
    }
  if (pos != st->data_len)
    {
      st_error (error, NS_ERROR_FORMAT, path,
                "%zu trailing bytes after the last tensor (data block not covered)",
                st->data_len - pos);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_finite (const NsSafetensors *st, const char *path, GError **error)
{
  for (int i = 0; i < st->n; i++)
    {
      const NsTensorInfo *t = &st->tensors[i];
      const guint8 *p = st->data + t->begin;
      size_t bad = G_MAXSIZE;
      if (t->dtype == NS_DTYPE_F32)
        {
          for (size_t k = 0; k < t->numel; k++)
            {
              guint32 u;
              memcpy (&u, p + 4 * k, 4);
              if ((GUINT32_FROM_LE (u) & 0x7f800000u) == 0x7f800000u)
                {
                  bad = k;
                  break;
                }
            }
        }
      else
        {
          for (size_t k = 0; k < t->numel; k++)
            {
              guint16 h;
              memcpy (&h, p + 2 * k, 2);
              if ((GUINT16_FROM_LE (h) & 0x7c00u) == 0x7c00u)
                {
                  bad = k;
                  break;
                }
            }
        }
      if (bad != G_MAXSIZE)
        {
          st_error (error, NS_ERROR_NUMERIC, path,
                    "tensor '%s' contains a non-finite value (NaN or Inf) at element %zu",
                    t->name, bad);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
parse_header (NsSafetensors *st, const char *hdr, size_t hlen, const char *path,
              GError **error)
{
  if (!check_json_syntax (hdr, hlen, path, error))
    return FALSE;

  JsonParser *parser = json_parser_new ();
  DupTrack dup = { g_hash_table_new_full (NULL, NULL, NULL,
                                          (GDestroyNotify) g_hash_table_unref), NULL, NULL };
  g_signal_connect (parser, "object-member", G_CALLBACK (on_object_member), &dup);
  GError *jerr = NULL;
  gboolean ok = FALSE;
  GList *names = NULL;

  if (!json_parser_load_from_data (parser, hdr, (gssize) hlen, &jerr))
    {
      st_error (error, NS_ERROR_FORMAT, path, "header is not valid JSON: %s", jerr->message);
      g_error_free (jerr);
      goto out;
    }
  JsonNode *root = json_parser_get_root (parser);
  if (!root || !JSON_NODE_HOLDS_OBJECT (root))
    {
      st_error (error, NS_ERROR_FORMAT, path, "header is not a JSON object");
      goto out;
    }
  JsonObject *obj = json_node_get_object (root);
  if (dup.dup_name)
    {
      if (dup.dup_object == obj)
        st_error (error, NS_ERROR_FORMAT, path, "duplicate tensor name '%s'", dup.dup_name);
      else
        st_error (error, NS_ERROR_FORMAT, path, "duplicate key '%s' in header", dup.dup_name);
      goto out;
    }

  names = json_object_get_members (obj);
  st->tensors = g_new0 (NsTensorInfo, g_list_length (names));
  for (GList *l = names; l; l = l->next)
    {
      const char *name = l->data;
      JsonNode *node = json_object_get_member (obj, name);
      if (strcmp (name, "__metadata__") == 0)
        {
          if (!parse_metadata (st, node, path, error))
            goto out;
          continue;
        }
      NsTensorInfo *t = &st->tensors[st->n++];
      if (!parse_tensor (t, name, node, st->data_len, path, error))
        goto out;
    }
  if (st->n > 1)
    qsort (st->tensors, (size_t) st->n, sizeof *st->tensors, cmp_offsets);
  for (int i = 0; i < st->n; i++)
    g_hash_table_insert (st->by_name, st->tensors[i].name, &st->tensors[i]);
  ok = check_coverage (st, path, error) && check_finite (st, path, error);

out:
  g_list_free (names);
  g_free (dup.dup_name);
  g_hash_table_unref (dup.seen);
  g_object_unref (parser);
  return ok;
}

NsSafetensors *
ns_st_open (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  GError *ferr = NULL;
  GMappedFile *map = g_mapped_file_new (path, FALSE, &ferr);
  if (!map)
    {
      g_set_error (error, NS_ERROR, NS_ERROR_IO, "cannot open model file: %s", ferr->message);
      g_error_free (ferr);
      return NULL;
    }
  NsSafetensors *st = g_new0 (NsSafetensors, 1);
  st->map = map;
  st->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  st->meta = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  const guint8 *bytes = (const guint8 *) g_mapped_file_get_contents (map);
  size_t len = g_mapped_file_get_length (map);
  if (len < 8)
    {
      st_error (error, NS_ERROR_FORMAT, path,
                "truncated: file is %zu bytes, shorter than the 8-byte header length", len);
      goto fail;
    }
  guint64 hlen;
  memcpy (&hlen, bytes, 8);
  hlen = GUINT64_FROM_LE (hlen);
  if (hlen > NS_ST_MAX_HEADER)
    {
      st_error (error, NS_ERROR_FORMAT, path,
                "header length %" G_GUINT64_FORMAT " is absurd (over 100 MiB)", hlen);
      goto fail;
    }
  if (hlen > len - 8)
    {
      st_error (error, NS_ERROR_FORMAT, path,
                "truncated: header length %" G_GUINT64_FORMAT
                " extends beyond the end of the file (%zu bytes)", hlen, len);
      goto fail;
    }
  st->data = bytes + 8 + hlen;
  st->data_len = len - 8 - (size_t) hlen;
  if (!parse_header (st, (const char *) bytes + 8, (size_t) hlen, path, error))
    goto fail;
  return st;

fail:
  ns_st_close (st);
  return NULL;
}

void
ns_st_close (NsSafetensors *st)
{
  if (!st)
    return;
  if (st->tensors)
    for (int i = 0; i < st->n; i++)
      g_free (st->tensors[i].name);
  g_free (st->tensors);
  g_hash_table_unref (st->by_name);
  g_hash_table_unref (st->meta);
  g_mapped_file_unref (st->map);
  g_free (st);
}

int
ns_st_n_tensors (const NsSafetensors *st)
{
  return st->n;
}

const NsTensorInfo *
ns_st_tensor_at (const NsSafetensors *st, int i)
{
  g_return_val_if_fail (i >= 0 && i < st->n, NULL);
  return &st->tensors[i];
}

const NsTensorInfo *
ns_st_find (const NsSafetensors *st, const char *name)
{
  return g_hash_table_lookup (st->by_name, name);
}

const char *
ns_st_metadata (const NsSafetensors *st, const char *key)
{
  return g_hash_table_lookup (st->meta, key);
}

/* IEEE 754 binary16 -> binary32.  Normal: (1024+m)·2^(e-25);
 * subnormal (e = 0): m·2^-24; e = 31: Inf/NaN (rejected at open). */
static float
half_to_float (guint16 h)
{
  int e = (h >> 10) & 0x1f, m = h & 0x3ff;
  float v;
  if (e == 0)
    v = ldexpf ((float) m, -24);
  else if (e == 31)
    v = m ? NAN : INFINITY;
  else
    v = ldexpf ((float) (m | 0x400), e - 25);
  return (h & 0x8000) ? -v : v;
}

float *
ns_st_read_f32 (const NsSafetensors *st, const NsTensorInfo *t)
{
  float *out = g_new (float, MAX (t->numel, 1));
  const guint8 *p = st->data + t->begin;
  if (t->dtype == NS_DTYPE_F32)
    {
      memcpy (out, p, t->numel * 4);
#if G_BYTE_ORDER == G_BIG_ENDIAN
      for (size_t k = 0; k < t->numel; k++)
        {
          guint32 u;
          memcpy (&u, &out[k], 4);
          u = GUINT32_FROM_LE (u);
          memcpy (&out[k], &u, 4);
        }
#endif
    }
  else
    {
      for (size_t k = 0; k < t->numel; k++)
        {
          guint16 h;
          memcpy (&h, p + 2 * k, 2);
          out[k] = half_to_float (GUINT16_FROM_LE (h));
        }
    }
  return out;
}

const float *
ns_st_view_f32 (const NsSafetensors *st, const NsTensorInfo *t)
{
  const guint8 *p = st->data + t->begin;
  if (t->dtype != NS_DTYPE_F32 || G_BYTE_ORDER != G_LITTLE_ENDIAN || t->numel == 0
      || (guintptr) p % sizeof (float) != 0)
    return NULL;
  return (const float *) p;
}

/* ------------------------------------------------------------------ writer */

static gboolean
write_all (FILE *f, const void *buf, size_t n)
{
  return n == 0 || fwrite (buf, 1, n, f) == n;
}

gboolean
ns_st_write (const char *path, const NsTensorOut *tensors, int n_tensors,
             const char *const *metadata, GError **error)
{
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (n_tensors >= 0 && (n_tensors == 0 || tensors != NULL), FALSE);

  /* Validate the input and compute the byte sizes. */
  size_t *numel = g_new0 (size_t, MAX (n_tensors, 1));
  GHashTable *seen = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean ok = TRUE;
  for (int i = 0; i < n_tensors && ok; i++)
    {
      const NsTensorOut *t = &tensors[i];
      size_t n = 1;
      if (!t->name || strcmp (t->name, "__metadata__") == 0 ||
          !g_utf8_validate (t->name, -1, NULL) || !g_hash_table_add (seen, (gpointer) t->name))
        {
          g_set_error (error, NS_ERROR, NS_ERROR_INVALID_ARG,
                       "tensor %d: missing, reserved, invalid or duplicate name", i);
          ok = FALSE;
          break;
        }
      if (t->ndim < 0 || t->ndim > 8)
        {
          g_set_error (error, NS_ERROR, NS_ERROR_INVALID_ARG,
                       "tensor '%s': ndim %d not in 0..8", t->name, t->ndim);
          ok = FALSE;
          break;
        }
      for (int d = 0; d < t->ndim && ok; d++)
        if (t->shape[d] < 0 || (guint64) t->shape[d] > G_MAXSIZE / 4 ||
            __builtin_mul_overflow (n, (size_t) t->shape[d], &n) || n > G_MAXSIZE / 4)
          {
            g_set_error (error, NS_ERROR, NS_ERROR_INVALID_ARG,
                         "tensor '%s': invalid shape", t->name);
            ok = FALSE;
          }
      if (ok && n > 0 && !t->data)
        {
          g_set_error (error, NS_ERROR, NS_ERROR_INVALID_ARG, "tensor '%s': no data", t->name);
          ok = FALSE;
        }
      for (size_t k = 0; ok && k < n; k++)
        if (!isfinite (t->data[k]))
          {
            g_set_error (error, NS_ERROR, NS_ERROR_NUMERIC,
                         "tensor '%s': non-finite value at element %zu", t->name, k);
            ok = FALSE;
          }
      numel[i] = n;
    }
  g_hash_table_unref (seen);
  for (int k = 0; ok && metadata && metadata[k]; k += 2)
    if (!metadata[k + 1] || !g_utf8_validate (metadata[k], -1, NULL) ||
        !g_utf8_validate (metadata[k + 1], -1, NULL))
      {
        g_set_error (error, NS_ERROR, NS_ERROR_INVALID_ARG,
                     "metadata key '%s' has no valid value", metadata[k]);
        ok = FALSE;
      }
  if (!ok)
    {
      g_free (numel);
      return FALSE;
    }

  /* Header JSON: __metadata__ first, then the tensors in order. */
  JsonBuilder *b = json_builder_new ();
  json_builder_begin_object (b);
  if (metadata && metadata[0])
    {
      json_builder_set_member_name (b, "__metadata__");
      json_builder_begin_object (b);
      for (int k = 0; metadata[k]; k += 2)
        {
          json_builder_set_member_name (b, metadata[k]);
          json_builder_add_string_value (b, metadata[k + 1]);
        }
      json_builder_end_object (b);
    }
  size_t offset = 0;
  for (int i = 0; i < n_tensors; i++)
    {
      json_builder_set_member_name (b, tensors[i].name);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "dtype");
      json_builder_add_string_value (b, "F32");
      json_builder_set_member_name (b, "shape");
      json_builder_begin_array (b);
      for (int d = 0; d < tensors[i].ndim; d++)
        json_builder_add_int_value (b, tensors[i].shape[d]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "data_offsets");
      json_builder_begin_array (b);
      json_builder_add_int_value (b, (gint64) offset);
      offset += numel[i] * 4;
      json_builder_add_int_value (b, (gint64) offset);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  JsonGenerator *gen = json_generator_new ();
  JsonNode *root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  GString *hdr = g_string_new (NULL);
  gsize json_len = 0;
  char *json = json_generator_to_data (gen, &json_len);
  g_string_append_len (hdr, json, (gssize) json_len);
  while (hdr->len % 8)                     /* keep the data block 8-byte aligned */
    g_string_append_c (hdr, ' ');
  g_free (json);
  json_node_unref (root);
  g_object_unref (gen);
  g_object_unref (b);

  /* Write <path>.tmp, then rename over <path>. */
  char *tmp = g_strconcat (path, ".tmp", NULL);
  FILE *f = fopen (tmp, "wb");
  if (!f)
    {
      int e = errno;
      g_set_error (error, NS_ERROR, NS_ERROR_IO, "cannot create %s: %s", tmp, g_strerror (e));
      ok = FALSE;
      goto done;
    }
  guint64 hlen = GUINT64_TO_LE ((guint64) hdr->len);
  ok = write_all (f, &hlen, 8) && write_all (f, hdr->str, hdr->len);
  for (int i = 0; ok && i < n_tensors; i++)
    {
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
      ok = write_all (f, tensors[i].data, numel[i] * 4);
#else
      for (size_t k = 0; ok && k < numel[i]; k++)
        {
          guint32 u;
          memcpy (&u, &tensors[i].data[k], 4);
          u = GUINT32_TO_LE (u);
          ok = write_all (f, &u, 4);
        }
#endif
    }
  int e = errno;
  if (fclose (f) != 0 && ok)
    {
      e = errno;
      ok = FALSE;
    }
  if (!ok)
    g_set_error (error, NS_ERROR, NS_ERROR_IO, "cannot write %s: %s", tmp, g_strerror (e));
  else if (g_rename (tmp, path) != 0)
    {
      e = errno;
      g_set_error (error, NS_ERROR, NS_ERROR_IO, "cannot rename %s to %s: %s", tmp, path,
                   g_strerror (e));
      ok = FALSE;
    }
  if (!ok)
    g_unlink (tmp);

done:
  g_free (tmp);
  g_string_free (hdr, TRUE);
  g_free (numel);
  return ok;
}
