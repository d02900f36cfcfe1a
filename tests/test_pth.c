/* test_pth.c — the torchvision .pth importer (engine/pth_import.c).
 *
 * 1. torch-written fixtures (tests/fixtures/pth, made by make_fixtures.py
 *    with real torch.save: zip + legacy formats, F16/BF16/F64, strided and
 *    offset views, nn.Parameter, nested checkpoint, deflated zip) are
 *    converted and read back through the safetensors reader; every value
 *    must equal torch's own float32 value (expected.json) exactly,
 *    classifier.* must be gone and the metadata present.
 * 2. A squeezenet1_1-shaped state_dict written by this test's own zip +
 *    pickle builder is detected as squeezenet1_1 and loads as a model.
 *    With ../shared, the real SqueezeNet weights round-trip exactly.
 * 3. Hostile inputs are each rejected with their own message.
 */
#include "test_util.h"

#include "neural_style.h"
#include "model.h"
#include "pth_import.h"
#include "safetensors.h"
#include "zip_reader.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#define FIXTURES NS_SOURCE_DIR "/tests/fixtures/pth"

static char *tmpdir;

/* ------------------------------------------------------- byte builders */

static void
put (GByteArray *b, const void *p, size_t n)
{
  g_byte_array_append (b, p, (guint) n);
}

static void
put_u8 (GByteArray *b, guint8 v)
{
  put (b, &v, 1);
}

static void
put_u16 (GByteArray *b, guint16 v)
{
  guint8 x[2] = { v & 0xff, v >> 8 };
  put (b, x, 2);
}

static void
put_u32 (GByteArray *b, guint32 v)
{
  guint8 x[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };
  put (b, x, 4);
}

typedef struct { const char *name; const void *data; size_t len; } ZEnt;

/* A zip with stored entries, laid out as APPNOTE describes. */
static GByteArray *
make_zip (const ZEnt *e, int n)
{
  GByteArray *z = g_byte_array_new (), *cd = g_byte_array_new ();
  for (int i = 0; i < n; i++)
    {
      guint32 off = z->len, crc = ns_crc32 (e[i].data, e[i].len);
      guint16 nl = (guint16) strlen (e[i].name);
      put_u32 (z, 0x04034b50); put_u16 (z, 20); put_u16 (z, 0); put_u16 (z, 0);
      put_u32 (z, 0); put_u32 (z, crc); put_u32 (z, (guint32) e[i].len);
      put_u32 (z, (guint32) e[i].len); put_u16 (z, nl); put_u16 (z, 0);
      put (z, e[i].name, nl);
      put (z, e[i].data, e[i].len);
      put_u32 (cd, 0x02014b50); put_u16 (cd, 20); put_u16 (cd, 20); put_u16 (cd, 0);
      put_u16 (cd, 0); put_u32 (cd, 0); put_u32 (cd, crc); put_u32 (cd, (guint32) e[i].len);
      put_u32 (cd, (guint32) e[i].len); put_u16 (cd, nl); put_u16 (cd, 0); put_u16 (cd, 0);
      put_u16 (cd, 0); put_u16 (cd, 0); put_u32 (cd, 0); put_u32 (cd, off);
      put (cd, e[i].name, nl);
    }
  guint32 cd_off = z->len;
  put (z, cd->data, cd->len);
  put_u32 (z, 0x06054b50); put_u16 (z, 0); put_u16 (z, 0); put_u16 (z, (guint16) n);
  put_u16 (z, (guint16) n); put_u32 (z, cd->len); put_u32 (z, cd_off); put_u16 (z, 0);
  g_byte_array_unref (cd);
  return z;
}

/* Pickle opcodes, protocol 2 (see CPython Lib/pickletools.py). */
static void
pk_str (GByteArray *b, const char *s)
{
  put_u8 (b, 'X');
  put_u32 (b, (guint32) strlen (s));
  put (b, s, strlen (s));
}

static void
pk_int (GByteArray *b, gint64 v)
{
  if (v >= G_MININT32 && v <= G_MAXINT32)
    {
      put_u8 (b, 'J');
      put_u32 (b, (guint32) (gint32) v);
      return;
    }
  put_u8 (b, 0x8a);                 /* LONG1, 8 bytes */
  put_u8 (b, 8);
  for (int k = 0; k < 8; k++)
    put_u8 (b, (guint8) ((guint64) v >> (8 * k)));
}

static void
pk_global (GByteArray *b, const char *module, const char *name)
{
  put_u8 (b, 'c');
  put (b, module, strlen (module));
  put_u8 (b, '\n');
  put (b, name, strlen (name));
  put_u8 (b, '\n');
}

static void
pk_empty_ordered_dict (GByteArray *b)
{
  pk_global (b, "collections", "OrderedDict");
  put_u8 (b, ')');
  put_u8 (b, 'R');
}

/* key -> _rebuild_tensor_v2(persid(('storage', FloatStorage, skey, 'cpu', snumel)),
 *                           offset, size, stride, False, OrderedDict()) */
typedef struct
{
  const char *key, *skey, *stype;
  gint64 snumel, offset;
  gboolean py2;                  /* key as SHORT_BINSTRING (a Python 2 str) */
  int ndim;
  gint64 size[9], stride[9];     /* 9: room for one dimension too many */
} PkTensor;

static void
pk_tensor (GByteArray *b, const PkTensor *t)
{
  if (t->py2)
    {
      put_u8 (b, 'U');
      put_u8 (b, (guint8) strlen (t->key));
      put (b, t->key, strlen (t->key));
    }
  else
    pk_str (b, t->key);
  pk_global (b, "torch._utils", "_rebuild_tensor_v2");
  put_u8 (b, '(');
  put_u8 (b, '(');
  pk_str (b, "storage");
  pk_global (b, "torch", t->stype ? t->stype : "FloatStorage");
  pk_str (b, t->skey);
  pk_str (b, "cpu");
  pk_int (b, t->snumel);
  put_u8 (b, 't');
  put_u8 (b, 'Q');                  /* BINPERSID */
  pk_int (b, t->offset);
  put_u8 (b, '(');
  for (int k = 0; k < t->ndim; k++)
    pk_int (b, t->size[k]);
  put_u8 (b, 't');
  put_u8 (b, '(');
  for (int k = 0; k < t->ndim; k++)
    pk_int (b, t->stride[k]);
  put_u8 (b, 't');
  put_u8 (b, 0x89);                 /* NEWFALSE */
  pk_empty_ordered_dict (b);
  put_u8 (b, 't');
  put_u8 (b, 'R');
}

/* A whole state_dict pickle of n tensors. */
static GByteArray *
pk_state_dict (const PkTensor *t, int n)
{
  GByteArray *b = g_byte_array_new ();
  put_u8 (b, 0x80);
  put_u8 (b, 2);
  pk_empty_ordered_dict (b);
  put_u8 (b, '(');
  for (int i = 0; i < n; i++)
    pk_tensor (b, &t[i]);
  put_u8 (b, 'u');
  put_u8 (b, '.');
  return b;
}

/* torch-like zip: a/data.pkl + a/data/<key> for the given storages. */
static GByteArray *
torch_zip (GByteArray *pickle, const char *const *keys, const float *const *data,
           const size_t *numel, int n_storages)
{
  ZEnt *e = g_new0 (ZEnt, n_storages + 2);
  char **names = g_new0 (char *, n_storages + 1);
  e[0] = (ZEnt) { "a/data.pkl", pickle->data, pickle->len };
  for (int i = 0; i < n_storages; i++)
    {
      names[i] = g_strconcat ("a/data/", keys[i], NULL);
      e[i + 1] = (ZEnt) { names[i], data[i], numel[i] * sizeof (float) };
    }
  e[n_storages + 1] = (ZEnt) { "a/version", "3\n", 2 };
  GByteArray *z = make_zip (e, n_storages + 2);
  g_strfreev (names);
  g_free (e);
  return z;
}

static guint8 *
memdup (const void *p, size_t n)
{
  guint8 *m = g_malloc (n ? n : 1);
  memcpy (m, p, n);
  return m;
}

static char *
write_tmp (const char *name, const guint8 *data, size_t len)
{
  char *path = g_build_filename (tmpdir, name, NULL);
  GError *err = NULL;
  if (!g_file_set_contents (path, (const char *) data, (gssize) len, &err))
    {
      fprintf (stderr, "cannot write %s: %s\n", path, err->message);
      g_error_free (err);
    }
  return path;
}

/* ------------------------------------------------------- fixtures */

static void
check_fixture (JsonObject *expected, const char *fixture, const char *arch,
               const char *container)
{
  char *in = g_build_filename (FIXTURES, fixture, NULL);
  char *out = g_build_filename (tmpdir, "out.safetensors", NULL);
  GError *err = NULL;
  gboolean ok = ns_convert_pth (in, out, arch, &err);
  CHECK (ok, "%s: convert failed: %s", fixture, err ? err->message : "?");
  g_clear_error (&err);

  /* the in-memory parser reports the container kind */
  gchar *bytes;
  gsize len;
  NsPthFeatures f;
  if (g_file_get_contents (in, &bytes, &len, NULL))
    {
      CHECK (ns_pth_read_features ((const guint8 *) bytes, len, &f, NULL)
             && g_strcmp0 (f.container, container) == 0, "%s: container %s", fixture,
             f.container ? f.container : "?");
      ns_pth_features_clear (&f);
      g_free (bytes);
    }

  NsSafetensors *st = ok ? ns_st_open (out, &err) : NULL;
  CHECK (!ok || st, "%s: reopen failed: %s", fixture, err ? err->message : "?");
  g_clear_error (&err);
  JsonObject *exp = json_object_get_object_member (expected, fixture);
  if (st && exp)
    {
      CHECK (g_strcmp0 (ns_st_metadata (st, "architecture"), arch) == 0, "%s: architecture", fixture);
      CHECK (g_strcmp0 (ns_st_metadata (st, "source"), "torchvision") == 0, "%s: source", fixture);
      CHECK (g_strcmp0 (ns_st_metadata (st, "converted_from"), fixture) == 0, "%s: converted_from",
             fixture);
      CHECK (ns_st_n_tensors (st) == (int) json_object_get_size (exp),
             "%s: %d tensors, expected %u (classifier must be dropped)", fixture,
             ns_st_n_tensors (st), json_object_get_size (exp));
      for (int i = 0; i < ns_st_n_tensors (st); i++)
        CHECK (g_str_has_prefix (ns_st_tensor_at (st, i)->name, "features."),
               "%s: unexpected tensor %s", fixture, ns_st_tensor_at (st, i)->name);
      GList *names = json_object_get_members (exp);
      for (GList *l = names; l; l = l->next)
        {
          const char *name = l->data;
          JsonObject *te = json_object_get_object_member (exp, name);
          JsonArray *shape = json_object_get_array_member (te, "shape");
          JsonArray *vals = json_object_get_array_member (te, "values");
          const NsTensorInfo *ti = ns_st_find (st, name);
          CHECK (ti != NULL, "%s: %s missing", fixture, name);
          if (!ti)
            continue;
          gboolean shape_ok = ti->ndim == (int) json_array_get_length (shape);
          for (int k = 0; shape_ok && k < ti->ndim; k++)
            shape_ok = ti->shape[k] == json_array_get_int_element (shape, k);
          CHECK (shape_ok, "%s: %s shape", fixture, name);
          CHECK (ti->numel == json_array_get_length (vals), "%s: %s numel", fixture, name);
          float *v = ns_st_read_f32 (st, ti);
          int bad = 0;
          for (size_t k = 0; v && k < ti->numel && k < json_array_get_length (vals); k++)
            if (v[k] != (float) json_array_get_double_element (vals, (guint) k))
              bad++;
          CHECK (v && bad == 0, "%s: %s: %d values differ from torch's", fixture, name, bad);
          g_free (v);
        }
      g_list_free (names);
    }
  if (st)
    ns_st_close (st);
  g_unlink (out);
  g_free (out);
  g_free (in);
}

/* ------------------------------------------------------- hostile inputs */

static void
expect_reject (const char *what, const guint8 *data, size_t len, const char *words)
{
  char *in = write_tmp ("hostile.pth", data, len);
  char *out = g_build_filename (tmpdir, "hostile.safetensors", NULL);
  GError *err = NULL;
  gboolean ok = ns_convert_pth (in, out, "vgg19", &err);
  CHECK (!ok && err, "%s: accepted", what);
  if (err)
    {
      CHECK (err->domain == NS_ERROR, "%s: wrong domain", what);
      CHECK (strstr (err->message, words) != NULL, "%s: message '%s' lacks '%s'", what,
             err->message, words);
      g_error_free (err);
    }
  CHECK (!g_file_test (out, G_FILE_TEST_EXISTS), "%s: output written", what);
  g_unlink (out);
  g_unlink (in);
  g_free (in);
  g_free (out);
}

static void
expect_reject_pickle (const char *what, GByteArray *pickle, const char *words)
{
  static const float s[4] = { 1, 2, 3, 4 };
  const char *keys[] = { "0" };
  const float *data[] = { s };
  size_t numel[] = { 4 };
  GByteArray *z = torch_zip (pickle, keys, data, numel, 1);
  expect_reject (what, z->data, z->len, words);
  g_byte_array_unref (z);
  g_byte_array_unref (pickle);
}

static GByteArray *
pk_begin (void)
{
  GByteArray *b = g_byte_array_new ();
  put_u8 (b, 0x80);
  put_u8 (b, 2);
  return b;
}

static void
test_hostile (void)
{
  GByteArray *b;
  PkTensor t1 = { "features.0.weight", "0", NULL, 4, 0, FALSE, 1, { 4 }, { 1 } };

  /* a valid baseline: the builder itself produces accepted files */
  {
    static const float s[4] = { 1, 2, 3, 4 };
    const char *keys[] = { "0" };
    const float *data[] = { s };
    size_t numel[] = { 4 };
    GByteArray *p = pk_state_dict (&t1, 1);
    GByteArray *z = torch_zip (p, keys, data, numel, 1);
    NsPthFeatures f;
    GError *err = NULL;
    CHECK (ns_pth_read_features (z->data, z->len, &f, &err) && f.n_tensors == 1
           && f.tensors[0].data[3] == 4.0f, "baseline: %s", err ? err->message : "wrong values");
    g_clear_error (&err);
    ns_pth_features_clear (&f);
    g_byte_array_unref (z);
    g_byte_array_unref (p);
  }

  /* GLOBAL os system; REDUCE */
  b = pk_begin ();
  pk_global (b, "os", "system");
  pk_str (b, "echo pwned");
  put_u8 (b, 0x85);
  put_u8 (b, 'R');
  put_u8 (b, '.');
  expect_reject_pickle ("GLOBAL os.system", b, "forbidden global 'os.system'");

  /* the same through STACK_GLOBAL (protocol 4 spelling) */
  b = pk_begin ();
  pk_str (b, "builtins");
  pk_str (b, "eval");
  put_u8 (b, 0x93);
  put_u8 (b, '.');
  expect_reject_pickle ("STACK_GLOBAL builtins.eval", b, "forbidden global 'builtins.eval'");

  /* Python-pickled __reduce__ payloads (committed, made by make_fixtures.py) */
  const char *evil[] = { "evil_os_system.pth", "evil_eval.pth" };
  for (guint i = 0; i < G_N_ELEMENTS (evil); i++)
    {
      char *p = g_build_filename (FIXTURES, evil[i], NULL);
      gchar *d;
      gsize n;
      CHECK (g_file_get_contents (p, &d, &n, NULL), "%s missing", evil[i]);
      if (d)
        expect_reject (evil[i], (guint8 *) d, n, "forbidden global");
      g_free (d);
      g_free (p);
    }

  /* unknown opcode (INST, protocol 0 object construction) */
  b = pk_begin ();
  put (b, "ios\nsystem\n", 11);
  put_u8 (b, '.');
  expect_reject_pickle ("INST opcode", b, "unsupported opcode 0x69");

  /* memo index never stored */
  b = pk_begin ();
  put_u8 (b, 'h');
  put_u8 (b, 7);
  put_u8 (b, '.');
  expect_reject_pickle ("BINGET 7", b, "memo index 7 is out of range");

  /* deep MARK nesting */
  b = pk_begin ();
  for (int i = 0; i < 1000; i++)
    put_u8 (b, '(');
  put_u8 (b, '.');
  expect_reject_pickle ("1000 MARKs", b, "MARK nesting deeper than");

  /* stack underflow */
  b = pk_begin ();
  put_u8 (b, 0x86);                 /* TUPLE2 on an empty stack */
  put_u8 (b, '.');
  expect_reject_pickle ("TUPLE2 on empty stack", b, "stack underflow");

  /* underflow across a MARK */
  b = pk_begin ();
  put_u8 (b, 'N');
  put_u8 (b, '(');
  put_u8 (b, 'R');
  put_u8 (b, '.');
  expect_reject_pickle ("REDUCE below MARK", b, "stack underflow");

  /* pickle without STOP */
  b = pk_begin ();
  put_u8 (b, '}');
  expect_reject_pickle ("no STOP", b, "no STOP opcode");

  /* truncated BINUNICODE */
  b = pk_begin ();
  put_u8 (b, 'X');
  put_u32 (b, 1000000);
  put (b, "abc", 3);
  expect_reject_pickle ("truncated string", b, "truncated");

  /* REDUCE of a storage type (never callable) */
  b = pk_begin ();
  pk_global (b, "torch", "FloatStorage");
  put_u8 (b, ')');
  put_u8 (b, 'R');
  put_u8 (b, '.');
  expect_reject_pickle ("FloatStorage()", b, "cannot be called");

  /* a list where a state_dict should be */
  b = pk_begin ();
  put_u8 (b, ']');
  put_u8 (b, '.');
  expect_reject_pickle ("list root", b, "not a state_dict");

  /* BUILD on a tensor-like non-dict */
  b = pk_begin ();
  put_u8 (b, ']');
  put_u8 (b, '}');
  put_u8 (b, 'b');
  put_u8 (b, '.');
  expect_reject_pickle ("BUILD on a list", b, "BUILD on a list");

  /* bad persistent id: torch's ('module', ...) source-code record */
  b = pk_begin ();
  put_u8 (b, '}');
  pk_str (b, "features.0.weight");
  pk_global (b, "torch._utils", "_rebuild_tensor_v2");
  put_u8 (b, '(');
  put_u8 (b, '(');
  pk_str (b, "module");
  pk_str (b, "Net");
  pk_str (b, "net.py");
  pk_str (b, "import os");
  put_u8 (b, 't');
  put_u8 (b, 'Q');
  pk_int (b, 0);
  put_u8 (b, '(');
  pk_int (b, 4);
  put_u8 (b, 't');
  put_u8 (b, '(');
  pk_int (b, 1);
  put_u8 (b, 't');
  put_u8 (b, 0x89);
  pk_empty_ordered_dict (b);
  put_u8 (b, 't');
  put_u8 (b, 'R');
  put_u8 (b, 's');
  put_u8 (b, '.');
  expect_reject_pickle ("('module', ...) persistent id", b, "bad persistent id");

  {
    PkTensor t = t1;
    t.skey = "9";
    expect_reject_pickle ("missing storage key", pk_state_dict (&t, 1),
                          "storage '9' is missing from the archive");
  }
  {
    PkTensor t = t1;
    t.stype = "LongStorage";        /* not whitelisted at all */
    expect_reject_pickle ("LongStorage", pk_state_dict (&t, 1), "forbidden global 'torch.LongStorage'");
  }
  {
    PkTensor t = t1;
    t.snumel = 400;                 /* the entry holds 4 floats */
    expect_reject_pickle ("storage larger than its entry", pk_state_dict (&t, 1), "too few for 400");
  }
  {
    PkTensor t = t1;
    t.size[0] = 5;
    expect_reject_pickle ("tensor larger than storage", pk_state_dict (&t, 1),
                          "larger than its storage");
  }
  {
    PkTensor t = { "features.0.weight", "0", NULL, 4, 1, FALSE, 2, { 2, 2 }, { 2, 1 } };
    expect_reject_pickle ("offset+strides out of bounds", pk_state_dict (&t, 1),
                          "reaches outside its storage");
  }
  {
    PkTensor t = { "features.0.weight", "0", NULL, 4, 0, FALSE, 2, { 2, 1 }, { G_MAXINT64 / 2, 1 } };
    expect_reject_pickle ("stride overflow", pk_state_dict (&t, 1), "reaches outside its storage");
  }
  {
    PkTensor t = { "features.0.weight", "0", NULL, 4, 0, FALSE, 3,
                   { G_GINT64_CONSTANT (1) << 62, G_GINT64_CONSTANT (1) << 62, 4 }, { 0, 0, 1 } };
    expect_reject_pickle ("huge dims", pk_state_dict (&t, 1), "larger than its storage");
  }
  {
    PkTensor t = t1;
    t.size[0] = -1;
    expect_reject_pickle ("negative size", pk_state_dict (&t, 1), "not a non-negative int");
  }
  {
    PkTensor t = t1;
    t.ndim = 9;
    for (int k = 0; k < 9; k++)
      t.size[k] = t.stride[k] = 1;
    expect_reject_pickle ("9 dims", pk_state_dict (&t, 1), "9 dimensions");
  }
  {
    static const float s[4] = { 1, NAN, 3, 4 };
    const char *keys[] = { "0" };
    const float *data[] = { s };
    size_t numel[] = { 4 };
    GByteArray *p = pk_state_dict (&t1, 1);
    GByteArray *z = torch_zip (p, keys, data, numel, 1);
    expect_reject ("NaN weight", z->data, z->len, "non-finite");
    g_byte_array_unref (z);
    g_byte_array_unref (p);
  }

  {
    /* 600 tensors viewing one 4096-float storage: 10 MB out of a 100 KB file */
    enum { N = 600, S = 4096 };
    PkTensor *t = g_new0 (PkTensor, N);
    char **names = g_new0 (char *, N + 1);
    for (int i = 0; i < N; i++)
      {
        names[i] = g_strdup_printf ("features.%d.weight", i);
        t[i] = (PkTensor) { names[i], "0", NULL, S, 0, FALSE, 1, { S }, { 1 } };
      }
    float *s = g_new0 (float, S);
    const char *keys[] = { "0" };
    const float *data[] = { s };
    size_t numel[] = { S };
    GByteArray *p = pk_state_dict (t, N);
    GByteArray *z = torch_zip (p, keys, data, numel, 1);
    expect_reject ("shared-storage amplification", z->data, z->len, "more data than the file holds");
    g_byte_array_unref (z);
    g_byte_array_unref (p);
    g_free (s);
    g_strfreev (names);
    g_free (t);
  }

  /* ---- containers ---- */
  expect_reject ("empty file", (const guint8 *) "", 0, "empty file");
  expect_reject ("text file", (const guint8 *) "hello world\n", 12, "not a PyTorch checkpoint");
  {
    char *p = g_build_filename (FIXTURES, "vgg_like.pth", NULL);
    gchar *d;
    gsize n;
    if (g_file_get_contents (p, &d, &n, NULL))
      {
        guint8 *m = memdup (d, n);
        expect_reject ("truncated zip", m, n / 2, "no end-of-central-directory");
        expect_reject ("zip missing 1 byte", m, n - 1, "no end-of-central-directory");
        /* EOCD: central directory offset -> far past the end */
        size_t eocd = n - 22;
        m[eocd + 16] = 0xff; m[eocd + 17] = 0xff; m[eocd + 18] = 0xff; m[eocd + 19] = 0x7f;
        expect_reject ("central directory outside", m, n, "lies outside the file");
        memcpy (m, d, n);
        /* first central entry's local-header offset -> past the end */
        size_t cd = m[eocd + 16] | m[eocd + 17] << 8 | (size_t) m[eocd + 18] << 16;
        m[cd + 42] = 0xf0; m[cd + 43] = 0xff; m[cd + 44] = 0xff; m[cd + 45] = 0x0f;
        expect_reject ("local header outside", m, n, "points outside the file");
        memcpy (m, d, n);
        /* entry count larger than the directory can hold */
        m[eocd + 8] = m[eocd + 10] = 0xfe;
        m[eocd + 9] = m[eocd + 11] = 0x7f;
        expect_reject ("entry count", m, n, "too small for");
        memcpy (m, d, n);
        /* unknown compression method in the first entry */
        m[cd + 10] = 12;
        expect_reject ("bzip2 method", m, n, "compression method 12");
        memcpy (m, d, n);
        /* flip a byte of a storage's data: CRC mismatch */
        NsZip *zip = ns_zip_open (m, n, NULL);
        const NsZipEntry *ze = zip ? ns_zip_find (zip, "vgg_like/data/2") : NULL;
        CHECK (ze != NULL, "vgg_like/data/2 not found");
        if (ze)
          {
            m[ze->data_offset + 5] ^= 0x55;
            expect_reject ("corrupt data", m, n, "CRC-32");
          }
        ns_zip_free (zip);
        g_free (m);
        g_free (d);
      }
    g_free (p);
  }
  {
    char *p = g_build_filename (FIXTURES, "vgg_like_legacy.pth", NULL);
    gchar *d;
    gsize n;
    if (g_file_get_contents (p, &d, &n, NULL))
      {
        expect_reject ("truncated legacy", (guint8 *) d, n - 10, "truncated");
        expect_reject ("legacy header only", (guint8 *) d, 30, "truncated");
        guint8 *m = memdup (d, n);
        m[5] ^= 1;                  /* magic number */
        expect_reject ("legacy wrong magic", m, n, "wrong magic number");
        g_free (m);
        g_free (d);
      }
    g_free (p);
  }
  {
    /* zip without data.pkl */
    ZEnt e[] = { { "a/version", "3\n", 2 } };
    GByteArray *z = make_zip (e, 1);
    expect_reject ("zip without data.pkl", z->data, z->len, "without <archive>/data.pkl");
    g_byte_array_unref (z);
  }
  {
    /* big-endian byteorder record */
    GByteArray *p = pk_state_dict (&t1, 1);
    static const float s[4] = { 1, 2, 3, 4 };
    ZEnt e[] = { { "a/data.pkl", p->data, p->len }, { "a/data/0", s, 16 },
                 { "a/byteorder", "big", 3 } };
    GByteArray *z = make_zip (e, 3);
    expect_reject ("big-endian", z->data, z->len, "big-endian");
    g_byte_array_unref (z);
    g_byte_array_unref (p);
  }
}

/* ------------------------------------------------------- architectures */


/* A state_dict with exactly the features.* tensors of `arch` plus a
 * classifier, random values; converted with detection. */
static void
test_detect_squeezenet (void)
{
  int n_layers;
  const NsLayerDesc *L = ns_arch_layers (NS_ARCH_SQUEEZENET1_1, &n_layers);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  GArray *dims = g_array_new (FALSE, FALSE, sizeof (gint64) * 5);   /* ndim + 4 */
  for (int l = 0; l < n_layers; l++)
    {
      NsConvDesc convs[3];
      const int nc = ns_layer_convs (&L[l], convs);
      for (int c = 0; c < nc; c++)
        {
          gint64 w[5] = { 4, convs[c].cout, convs[c].cin, convs[c].k, convs[c].k };
          gint64 bias[5] = { 1, convs[c].cout };
          g_ptr_array_add (names, g_strconcat (convs[c].prefix, ".weight", NULL));
          g_array_append_val (dims, w);
          g_ptr_array_add (names, g_strconcat (convs[c].prefix, ".bias", NULL));
          g_array_append_val (dims, bias);
        }
    }
  g_ptr_array_add (names, g_strdup ("classifier.1.weight"));
  gint64 cls[5] = { 2, 10, 512 };
  g_array_append_val (dims, cls);

  int n = (int) names->len;
  PkTensor *t = g_new0 (PkTensor, n);
  char **keys = g_new0 (char *, n + 1);
  float **data = g_new0 (float *, n);
  size_t *numel = g_new0 (size_t, n);
  for (int i = 0; i < n; i++)
    {
      gint64 *d = &g_array_index (dims, gint64, 5 * i);
      keys[i] = g_strdup_printf ("%d", i);
      t[i].key = names->pdata[i];
      t[i].skey = keys[i];
      t[i].ndim = (int) d[0];
      numel[i] = 1;
      for (int k = t[i].ndim - 1; k >= 0; k--)
        {
          t[i].size[k] = d[1 + k];
          t[i].stride[k] = (gint64) numel[i];
          numel[i] *= (size_t) d[1 + k];
        }
      t[i].snumel = (gint64) numel[i];
      data[i] = g_new (float, numel[i]);
      test_fill_random (data[i], numel[i], 100 + (guint32) i, -1, 1);
    }
  GByteArray *p = pk_state_dict (t, n);
  GByteArray *z = torch_zip (p, (const char *const *) keys, (const float *const *) data, numel, n);
  char *in = write_tmp ("squeezenet1_1-synthetic.pth", z->data, z->len);
  char *out = g_build_filename (tmpdir, "sq.safetensors", NULL);
  GError *err = NULL;
  CHECK (ns_convert_pth (in, out, NULL, &err), "squeezenet detect: %s", err ? err->message : "?");
  g_clear_error (&err);
  NsSafetensors *st = ns_st_open (out, &err);
  CHECK (st != NULL, "reopen: %s", err ? err->message : "?");
  g_clear_error (&err);
  if (st)
    {
      CHECK (g_strcmp0 (ns_st_metadata (st, "architecture"), "squeezenet1_1") == 0,
             "detected %s", ns_st_metadata (st, "architecture"));
      CHECK (ns_st_n_tensors (st) == n - 1, "%d tensors", ns_st_n_tensors (st));
      int bad = 0;
      for (int i = 0; i < n - 1; i++)
        {
          const NsTensorInfo *ti = ns_st_find (st, t[i].key);
          float *v = ti ? ns_st_read_f32 (st, ti) : NULL;
          if (!v || ti->numel != numel[i] || memcmp (v, data[i], numel[i] * sizeof (float)) != 0)
            bad++;
          g_free (v);
        }
      CHECK (bad == 0, "%d squeezenet tensors differ", bad);
      ns_st_close (st);
    }
  /* the result is a loadable model */
  NsModel *m = ns_model_load (out, &err);
  CHECK (m && g_strcmp0 (ns_model_architecture (m), "squeezenet1_1") == 0,
         "model load: %s", err ? err->message : "wrong architecture");
  g_clear_error (&err);
  if (m)
    ns_model_free (m);

  /* one tensor with a wrong shape: detection fails and names it */
  t[0].size[3] = 1;  t[0].stride[2] = 1;  t[0].size[2] = 9;   /* 64x3x9x1 over the same storage */
  GByteArray *p2 = pk_state_dict (t, n);
  GByteArray *z2 = torch_zip (p2, (const char *const *) keys, (const float *const *) data, numel, n);
  char *in2 = write_tmp ("wrong.pth", z2->data, z2->len);
  CHECK (!ns_convert_pth (in2, out, NULL, &err) && err
         && strstr (err->message, "could not detect the architecture")
         && strstr (err->message, "features.0.weight"),
         "wrong shape detected: %s", err ? err->message : "accepted");
  g_clear_error (&err);
  g_unlink (in2);
  g_free (in2);
  g_byte_array_unref (z2);
  g_byte_array_unref (p2);

  g_unlink (in);
  g_unlink (out);
  g_free (in);
  g_free (out);
  g_byte_array_unref (z);
  g_byte_array_unref (p);
  for (int i = 0; i < n; i++)
    g_free (data[i]);
  g_free (data);
  g_free (numel);
  g_strfreev (keys);
  g_free (t);
  g_array_unref (dims);
  g_ptr_array_unref (names);
}

/* With ../shared: the real SqueezeNet weights, written as a .pth by our
 * builder, convert back bit-exactly. */
static void
test_shared_squeezenet (void)
{
  char *path = g_build_filename (NS_SOURCE_DIR, "..", "shared", "models",
                                 "squeezenet1_1.safetensors", NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      printf ("note: %s absent, real-weights round trip skipped\n", path);
      g_free (path);
      return;
    }
  GError *err = NULL;
  NsSafetensors *src = ns_st_open (path, &err);
  CHECK (src, "open shared: %s", err ? err->message : "?");
  g_clear_error (&err);
  if (!src)
    {
      g_free (path);
      return;
    }
  int n = ns_st_n_tensors (src);
  PkTensor *t = g_new0 (PkTensor, n);
  char **keys = g_new0 (char *, n + 1);
  float **data = g_new0 (float *, n);
  size_t *numel = g_new0 (size_t, n);
  for (int i = 0; i < n; i++)
    {
      const NsTensorInfo *ti = ns_st_tensor_at (src, i);
      keys[i] = g_strdup_printf ("%d", i);
      t[i] = (PkTensor) { ti->name, keys[i], NULL, (gint64) ti->numel, 0, i % 2, ti->ndim, { 0 }, { 0 } };
      gint64 stride = 1;
      for (int k = ti->ndim - 1; k >= 0; k--)
        {
          t[i].size[k] = ti->shape[k];
          t[i].stride[k] = stride;
          stride *= ti->shape[k];
        }
      data[i] = ns_st_read_f32 (src, ti);
      numel[i] = ti->numel;
    }
  GByteArray *p = pk_state_dict (t, n);
  GByteArray *z = torch_zip (p, (const char *const *) keys, (const float *const *) data, numel, n);
  char *in = write_tmp ("squeezenet1_1-real.pth", z->data, z->len);
  char *out = g_build_filename (tmpdir, "real.safetensors", NULL);
  CHECK (ns_convert_pth (in, out, NULL, &err), "real squeezenet: %s", err ? err->message : "?");
  g_clear_error (&err);
  NsSafetensors *st = ns_st_open (out, &err);
  g_clear_error (&err);
  int n_features = 0, bad = 0;
  for (int i = 0; i < n; i++)
    {
      if (!g_str_has_prefix (t[i].key, "features."))
        continue;
      n_features++;
      const NsTensorInfo *ti = st ? ns_st_find (st, t[i].key) : NULL;
      float *v = ti ? ns_st_read_f32 (st, ti) : NULL;
      if (!v || ti->numel != numel[i] || memcmp (v, data[i], numel[i] * sizeof (float)) != 0)
        bad++;
      g_free (v);
    }
  CHECK (st && ns_st_n_tensors (st) == n_features && n_features == 50,
         "real: %d features tensors", n_features);
  CHECK (bad == 0, "real: %d tensors differ", bad);
  CHECK (st && g_strcmp0 (ns_st_metadata (st, "architecture"), "squeezenet1_1") == 0,
         "real: architecture");
  if (st)
    ns_st_close (st);
  g_unlink (in);
  g_unlink (out);
  g_free (in);
  g_free (out);
  g_byte_array_unref (z);
  g_byte_array_unref (p);
  for (int i = 0; i < n; i++)
    g_free (data[i]);
  g_free (data);
  g_free (numel);
  g_strfreev (keys);
  g_free (t);
  ns_st_close (src);
  g_free (path);
}

int
main (void)
{
  test_begin ("pth");
  tmpdir = g_dir_make_tmp ("ns-test-pth-XXXXXX", NULL);
  CHECK (tmpdir != NULL, "no temp dir");
  if (!tmpdir)
    return test_finish ();

  GError *err = NULL;
  JsonParser *jp = json_parser_new ();
  CHECK (json_parser_load_from_file (jp, FIXTURES "/expected.json", &err),
         "expected.json: %s", err ? err->message : "?");
  g_clear_error (&err);
  JsonNode *root = json_parser_get_root (jp);
  JsonObject *expected = root ? json_node_get_object (root) : NULL;
  if (expected)
    {
      check_fixture (expected, "vgg_like.pth", "vgg19", "zip");
      check_fixture (expected, "vgg_like_legacy.pth", "vgg16", "legacy");
      check_fixture (expected, "vgg_like_deflate.pth", "vgg19", "zip");
      check_fixture (expected, "squeeze_like_f16.pth", "squeezenet1_1", "zip");
      check_fixture (expected, "views.pth", "vgg19", "zip");
      check_fixture (expected, "views_legacy.pth", "vgg19", "legacy");
      check_fixture (expected, "legacy_v1.pth", "vgg16", "legacy");
      check_fixture (expected, "dtypes.pth", "vgg19", "zip");
      check_fixture (expected, "nested.pth", "vgg19", "zip");
      CHECK (json_object_get_size (expected) == 9, "expected.json lists %u fixtures",
             json_object_get_size (expected));
    }
  g_object_unref (jp);

  /* architecture handling */
  {
    char *in = g_build_filename (FIXTURES, "vgg_like.pth", NULL);
    char *out = g_build_filename (tmpdir, "x.safetensors", NULL);
    CHECK (!ns_convert_pth (in, out, NULL, &err) && err
           && strstr (err->message, "could not detect the architecture"),
           "tiny net detected: %s", err ? err->message : "accepted");
    g_clear_error (&err);
    CHECK (!ns_convert_pth (in, out, "resnet50", &err) && err
           && strstr (err->message, "unknown architecture 'resnet50'"),
           "resnet50 accepted: %s", err ? err->message : "accepted");
    g_clear_error (&err);
    CHECK (!ns_convert_pth ("/nonexistent/x.pth", out, "vgg19", &err) && err
           && err->code == NS_ERROR_IO, "missing input: %s", err ? err->message : "accepted");
    g_clear_error (&err);
    CHECK (!g_file_test (out, G_FILE_TEST_EXISTS), "output written on failure");
    g_free (in);
    g_free (out);
  }
  test_detect_squeezenet ();
  test_shared_squeezenet ();
  test_hostile ();

  g_rmdir (tmpdir);
  g_free (tmpdir);
  return test_finish ();
}
