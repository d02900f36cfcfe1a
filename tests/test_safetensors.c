/* test_safetensors.c — the validated safetensors reader and writer.
 *
 * Valid files written by hand (unaligned header, F16 + F32, empty and
 * scalar tensors, metadata) and with ns_st_write (round trip); every
 * finite IEEE half converted and compared with an independent formula;
 * and one malformed file per check in safetensors.c, built byte by byte,
 * each of which must be rejected with the right code and message.
 */
#include "test_util.h"
#include "safetensors.h"
#include "neural_style.h"

#include <glib/gstdio.h>

static char *tmpdir;
static int file_counter;

/* Write raw bytes into the temp dir; returns a g_malloc'd path. */
static char *
write_bytes (const void *bytes, size_t len)
{
  char *path = g_strdup_printf ("%s/f%03d.safetensors", tmpdir, file_counter++);
  GError *err = NULL;
  if (!g_file_set_contents (path, bytes, (gssize) len, &err))
    {
      fprintf (stderr, "cannot write %s: %s\n", path, err->message);
      exit (1);
    }
  return path;
}

/* u64 LE header length + header + data. */
static char *
write_st (const char *header, const void *data, size_t data_len)
{
  size_t hlen = strlen (header);
  GByteArray *b = g_byte_array_new ();
  guint64 le = GUINT64_TO_LE ((guint64) hlen);
  g_byte_array_append (b, (const guint8 *) &le, 8);
  g_byte_array_append (b, (const guint8 *) header, (guint) hlen);
  if (data_len)
    g_byte_array_append (b, data, (guint) data_len);
  char *path = write_bytes (b->data, b->len);
  g_byte_array_free (b, TRUE);
  return path;
}

/* The file must be rejected with `code` and a message containing `word`. */
static void
expect_reject (const char *what, char *path, int code, const char *word)
{
  GError *err = NULL;
  NsSafetensors *st = ns_st_open (path, &err);
  CHECK (st == NULL, "%s: accepted a malformed file", what);
  if (st)
    ns_st_close (st);
  CHECK (err != NULL, "%s: no error set", what);
  if (err)
    {
      if (g_getenv ("NS_TEST_VERBOSE"))
        printf ("%-24s %s\n", what, err->message);
      CHECK (err->domain == NS_ERROR, "%s: wrong domain", what);
      CHECK (err->code == code, "%s: code %d, want %d (%s)", what, err->code, code,
             err->message);
      CHECK (strstr (err->message, word) != NULL, "%s: message \"%s\" lacks \"%s\"", what,
             err->message, word);
      g_error_free (err);
    }
  g_unlink (path);
  g_free (path);
}

static void
expect_reject_hdr (const char *what, const char *header, size_t data_len, int code,
                   const char *word)
{
  guint8 *zeros = g_malloc0 (MAX (data_len, 1));
  expect_reject (what, write_st (header, zeros, data_len), code, word);
  g_free (zeros);
}

/* ------------------------------------------------------------- malformed */

static void
test_malformed (void)
{
  const int F = NS_ERROR_FORMAT;

  /* sizes */
  expect_reject ("5-byte file", write_bytes ("\x10\0\0\0\0", 5), F, "truncated");
  expect_reject ("empty file", write_bytes ("", 0), F, "truncated");
  {
    guint8 b[20] = { 0xe8, 0x03 };           /* header length 1000 in a 20-byte file */
    memcpy (b + 8, "{}          ", 12);
    expect_reject ("header beyond file", write_bytes (b, sizeof b), F, "beyond the end");
  }
  {
    guint8 b[16] = { 0, 0, 0, 0, 0, 1 };     /* 2^40 */
    expect_reject ("absurd header length", write_bytes (b, sizeof b), F, "absurd");
  }
  {
    guint8 b[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    expect_reject ("header length 2^64-1", write_bytes (b, sizeof b), F, "absurd");
  }

  /* JSON */
  expect_reject_hdr ("empty header", "", 0, F, "JSON");
  expect_reject_hdr ("bad JSON", "{\"a\": ", 0, F, "JSON");
  expect_reject_hdr ("not an object", "[1, 2]", 0, F, "not a JSON object");
  expect_reject_hdr ("single quotes", "{'a': 1}", 0, F, "JSON");
  expect_reject_hdr ("comment", "{} /* x */", 0, F, "JSON");
  expect_reject_hdr ("trailing JSON", "{} {}", 0, F, "trailing characters");
  expect_reject_hdr ("NaN literal", "{\"__metadata__\": NaN}", 0, F, "JSON");
  expect_reject_hdr ("huge integer",
                     "{\"t\": {\"dtype\": \"F32\", \"shape\": [1], "
                     "\"data_offsets\": [18446744073709551616, 4]}}", 4, F, "integer too large");
  expect_reject_hdr ("control char", "{\"a\tb\": {}}", 0, F, "control character");
  {
    GString *deep = g_string_new ("{\"__metadata__\": ");
    for (int i = 0; i < 100000; i++)
      g_string_append_c (deep, '[');
    expect_reject_hdr ("deep nesting", deep->str, 0, F, "nested too deeply");
    g_string_free (deep, TRUE);
  }
  expect_reject_hdr ("bad UTF-8", "{\"\xff\": 1}", 0, F, "UTF-8");

  /* tensor entries */
  expect_reject_hdr ("entry not an object", "{\"t\": 5}", 0, F, "not an object");
  expect_reject_hdr ("missing dtype", "{\"t\": {\"shape\": [1], \"data_offsets\": [0, 4]}}", 4,
                     F, "missing \"dtype\"");
  expect_reject_hdr ("missing shape", "{\"t\": {\"dtype\": \"F32\", \"data_offsets\": [0, 4]}}",
                     4, F, "missing \"shape\"");
  expect_reject_hdr ("missing offsets", "{\"t\": {\"dtype\": \"F32\", \"shape\": [1]}}", 4, F,
                     "missing \"data_offsets\"");
  expect_reject_hdr ("dtype not a string",
                     "{\"t\": {\"dtype\": 32, \"shape\": [1], \"data_offsets\": [0, 4]}}", 4, F,
                     "dtype");
  expect_reject_hdr ("unsupported dtype",
                     "{\"t\": {\"dtype\": \"BF16\", \"shape\": [2], \"data_offsets\": [0, 4]}}",
                     4, NS_ERROR_UNSUPPORTED, "dtype 'BF16'");
  expect_reject_hdr ("negative dim",
                     "{\"t\": {\"dtype\": \"F32\", \"shape\": [2, -1], \"data_offsets\": [0, 4]}}",
                     4, F, "negative");
  expect_reject_hdr ("fractional dim",
                     "{\"t\": {\"dtype\": \"F32\", \"shape\": [2.5], \"data_offsets\": [0, 4]}}",
                     4, F, "not an integer");
  expect_reject_hdr ("string dim",
                     "{\"t\": {\"dtype\": \"F32\", \"shape\": [\"2\"], \"data_offsets\": [0, 8]}}",
                     8, F, "not an integer");
  expect_reject_hdr ("ndim 9",
                     "{\"t\": {\"dtype\": \"F32\", \"shape\": [1,1,1,1,1,1,1,1,1], "
                     "\"data_offsets\": [0, 4]}}", 4, F, "ndim");
  expect_reject_hdr ("numel overflow",
                     "{\"t\": {\"dtype\": \"F32\", \"shape\": [4294967296, 4294967296, 2], "
                     "\"data_offsets\": [0, 4]}}", 4, F, "overflow");
  expect_reject_hdr ("bytes overflow",
                     "{\"t\": {\"dtype\": \"F32\", \"shape\": [4611686018427387904], "
                     "\"data_offsets\": [0, 4]}}", 4, F, "overflow");
  expect_reject_hdr ("3 offsets",
                     "{\"t\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4, 4]}}",
                     4, F, "data_offsets");
  expect_reject_hdr ("negative offset",
                     "{\"t\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [-4, 0]}}",
                     4, F, "data_offsets");
  expect_reject_hdr ("begin > end",
                     "{\"t\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [8, 4]}}",
                     8, F, "begin 8 > end 4");
  expect_reject_hdr ("end beyond data",
                     "{\"t\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}}",
                     12, F, "beyond the data block");
  expect_reject_hdr ("size mismatch",
                     "{\"t\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}",
                     8, F, "does not match");
  expect_reject_hdr ("F16 size mismatch",
                     "{\"t\": {\"dtype\": \"F16\", \"shape\": [3], \"data_offsets\": [0, 12]}}",
                     12, F, "does not match");

  /* layout of the data block */
  expect_reject_hdr ("overlap",
                     "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                     " \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}",
                     12, F, "overlap");
  expect_reject_hdr ("same range twice",
                     "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]},"
                     " \"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}",
                     4, F, "overlap");
  expect_reject_hdr ("gap",
                     "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]},"
                     " \"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [8, 12]}}",
                     12, F, "gap");
  expect_reject_hdr ("gap at start",
                     "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}",
                     8, F, "gap");
  expect_reject_hdr ("trailing bytes",
                     "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}",
                     8, F, "trailing bytes");
  expect_reject_hdr ("data but no tensors", "{}", 4, F, "trailing bytes");

  /* values */
  {
    const char *h = "{\"ok\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                    " \"bad\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [8, 20]}}";
    float v[5] = { 1, 2, 3, NAN, 5 };
    expect_reject ("F32 NaN", write_st (h, v, sizeof v), NS_ERROR_NUMERIC, "'bad'");
    v[3] = 4;
    v[4] = -INFINITY;
    expect_reject ("F32 -Inf", write_st (h, v, sizeof v), NS_ERROR_NUMERIC, "non-finite");
  }
  {
    const char *h = "{\"half\": {\"dtype\": \"F16\", \"shape\": [2], \"data_offsets\": [0, 4]}}";
    guint16 inf[2] = { GUINT16_TO_LE (0x3c00), GUINT16_TO_LE (0x7c00) };
    expect_reject ("F16 Inf", write_st (h, inf, sizeof inf), NS_ERROR_NUMERIC, "'half'");
    guint16 nan[2] = { GUINT16_TO_LE (0xfe01), GUINT16_TO_LE (0x3c00) };
    expect_reject ("F16 NaN", write_st (h, nan, sizeof nan), NS_ERROR_NUMERIC, "non-finite");
  }

  /* names and metadata */
  expect_reject_hdr ("duplicate name",
                     "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]},"
                     " \"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}",
                     8, F, "duplicate tensor name 'a'");
  expect_reject_hdr ("duplicate key",
                     "{\"a\": {\"dtype\": \"F32\", \"dtype\": \"F16\", \"shape\": [1], "
                     "\"data_offsets\": [0, 4]}}", 4, F, "duplicate key 'dtype'");
  expect_reject_hdr ("metadata not an object", "{\"__metadata__\": [\"a\"]}", 0, F,
                     "__metadata__ is not an object");
  expect_reject_hdr ("metadata value number", "{\"__metadata__\": {\"a\": \"x\", \"b\": 3}}", 0,
                     F, "not a string");

  /* I/O */
  {
    char *p = g_strdup_printf ("%s/does-not-exist.safetensors", tmpdir);
    expect_reject ("missing file", p, NS_ERROR_IO, "does-not-exist");
  }
}

/* ------------------------------------------------------------- valid */

/* Independent binary16 reference: (-1)^s · 2^(e-15) · (1 + m/1024), or
 * 2^-14 · m/1024 for e = 0. */
static double
half_ref (guint16 h)
{
  int s = h >> 15, e = (h >> 10) & 31, m = h & 1023;
  double v = e == 0 ? pow (2.0, -14) * (m / 1024.0) : pow (2.0, e - 15) * (1.0 + m / 1024.0);
  return s ? -v : v;
}

static void
test_handmade_valid (void)
{
  /* Header of odd length (data block unaligned), tensors listed out of
   * data order, an F16 tensor, a scalar, an empty tensor, metadata. */
  const char *h =
    "{\"w\": {\"dtype\": \"F32\", \"shape\": [2, 3], \"data_offsets\": [10, 34]},"
    " \"__metadata__\": {\"architecture\": \"x\", \"note\": \"caf\\u00e9 \\\"q\\\"\"},"
    " \"h\": {\"dtype\": \"F16\", \"shape\": [5], \"data_offsets\": [0, 10]},"
    " \"empty\": {\"dtype\": \"F32\", \"shape\": [0, 4], \"data_offsets\": [34, 34]},"
    " \"s\": {\"dtype\": \"F32\", \"shape\": [], \"data_offsets\": [34, 38]} }";
  CHECK (strlen (h) % 2 == 1, "header length should be odd for this test");
  guint8 data[38];
  const guint16 halves[5] = { 0x3c00, 0xc000, 0x0001, 0x7bff, 0x8000 };
  const double half_vals[5] = { 1.0, -2.0, 5.9604644775390625e-8, 65504.0, -0.0 };
  for (int i = 0; i < 5; i++)
    {
      guint16 le = GUINT16_TO_LE (halves[i]);
      memcpy (data + 2 * i, &le, 2);
    }
  const float w[6] = { 0.5f, -1.25f, 3e-38f, 1e30f, -7.0f, 0.0f };
  memcpy (data + 10, w, sizeof w);
  const float s = 42.0f;
  memcpy (data + 34, &s, 4);

  char *path = write_st (h, data, sizeof data);
  GError *err = NULL;
  NsSafetensors *st = ns_st_open (path, &err);
  CHECK (st != NULL, "valid file rejected: %s", err ? err->message : "?");
  if (!st)
    {
      g_clear_error (&err);
      return;
    }
  CHECK (ns_st_n_tensors (st) == 4, "n_tensors %d", ns_st_n_tensors (st));
  /* listed in data order: h, w, empty, s */
  const char *order[4] = { "h", "w", "empty", "s" };
  for (int i = 0; i < 4 && i < ns_st_n_tensors (st); i++)
    CHECK (strcmp (ns_st_tensor_at (st, i)->name, order[i]) == 0, "tensor %d is %s", i,
           ns_st_tensor_at (st, i)->name);
  CHECK (g_strcmp0 (ns_st_metadata (st, "architecture"), "x") == 0, "metadata architecture");
  CHECK (g_strcmp0 (ns_st_metadata (st, "note"), "caf\xc3\xa9 \"q\"") == 0, "metadata escapes");
  CHECK (ns_st_metadata (st, "missing") == NULL, "absent metadata key");
  CHECK (ns_st_find (st, "nope") == NULL, "absent tensor");
  CHECK (ns_st_find (st, "__metadata__") == NULL, "__metadata__ is not a tensor");

  const NsTensorInfo *tw = ns_st_find (st, "w");
  CHECK (tw && tw->dtype == NS_DTYPE_F32 && tw->ndim == 2 && tw->shape[0] == 2 &&
         tw->shape[1] == 3 && tw->numel == 6 && tw->begin == 10 && tw->end == 34, "w info");
  if (tw)
    {
      float *x = ns_st_read_f32 (st, tw);
      CHECK (memcmp (x, w, sizeof w) == 0, "w values");
      g_free (x);
      /* in place: F32, and its offset in the mapping is a multiple of 4 here
       * only if the header length makes it so; either way the values match */
      const float *v = ns_st_view_f32 (st, tw);
      if (v)
        CHECK (memcmp (v, w, sizeof w) == 0, "w viewed in place");
      else
        printf ("  w not viewable in place (unaligned in this file)\n");
    }
  const NsTensorInfo *th = ns_st_find (st, "h");
  CHECK (th && th->dtype == NS_DTYPE_F16 && th->numel == 5, "h info");
  if (th)
    {
      float *x = ns_st_read_f32 (st, th);
      for (int i = 0; i < 5; i++)
        CHECK (x[i] == (float) half_vals[i], "half %d: %g vs %g", i, x[i], half_vals[i]);
      CHECK (signbit (x[4]), "-0.0 keeps its sign");
      CHECK (ns_st_view_f32 (st, th) == NULL, "F16 is never viewed in place");
      g_free (x);
    }
  const NsTensorInfo *te = ns_st_find (st, "empty");
  CHECK (te && te->numel == 0 && te->ndim == 2, "empty tensor info");
  const NsTensorInfo *ts = ns_st_find (st, "s");
  CHECK (ts && ts->ndim == 0 && ts->numel == 1, "scalar info");
  if (ts)
    {
      float *x = ns_st_read_f32 (st, ts);
      CHECK (x[0] == 42.0f, "scalar value %g", x[0]);
      g_free (x);
    }
  ns_st_close (st);
  g_unlink (path);
  g_free (path);

  /* A file with no tensors and no data is valid. */
  path = write_st ("{}      ", NULL, 0);
  st = ns_st_open (path, &err);
  CHECK (st && ns_st_n_tensors (st) == 0, "empty model: %s", err ? err->message : "");
  g_clear_error (&err);
  ns_st_close (st);
  g_unlink (path);
  g_free (path);
}

/* Every finite half (63488 of them) against the independent formula. */
static void
test_all_halves (void)
{
  GArray *h = g_array_new (FALSE, FALSE, sizeof (guint16));
  for (guint32 v = 0; v < 65536; v++)
    if (((v >> 10) & 31) != 31)
      {
        guint16 le = GUINT16_TO_LE ((guint16) v);
        g_array_append_val (h, le);
      }
  char *hdr = g_strdup_printf ("{\"all\": {\"dtype\": \"F16\", \"shape\": [%u], "
                               "\"data_offsets\": [0, %u]}}", h->len, h->len * 2);
  char *path = write_st (hdr, h->data, h->len * 2);
  GError *err = NULL;
  NsSafetensors *st = ns_st_open (path, &err);
  CHECK (st != NULL, "all-halves file: %s", err ? err->message : "");
  g_clear_error (&err);
  if (st)
    {
      float *x = ns_st_read_f32 (st, ns_st_find (st, "all"));
      int bad = 0;
      for (guint i = 0; i < h->len; i++)
        {
          guint16 v = GUINT16_FROM_LE (g_array_index (h, guint16, i));
          if ((double) x[i] != half_ref (v) || (signbit (x[i]) != 0) != (v >> 15))
            bad++;
        }
      CHECK (bad == 0, "%d of %u halves converted wrongly", bad, h->len);
      g_free (x);
      ns_st_close (st);
    }
  g_unlink (path);
  g_free (path);
  g_free (hdr);
  g_array_free (h, TRUE);
}

static void
test_write_roundtrip (void)
{
  float a[2 * 3 * 2], b[7], c = -3.5f;
  test_fill_random (a, G_N_ELEMENTS (a), 1, -2, 2);
  test_fill_random (b, G_N_ELEMENTS (b), 2, -1e-30f, 1e30f);
  const NsTensorOut t[] = {
    { "layer.a \"quoted\" \xc3\xa9", 3, { 2, 3, 2 }, a },
    { "b", 1, { 7 }, b },
    { "scalar", 0, { 0 }, &c },
    { "empty", 2, { 3, 0 }, NULL },
  };
  const char *meta[] = { "architecture", "vgg19", "source", "test \"x\"", NULL };
  char *path = g_strdup_printf ("%s/roundtrip.safetensors", tmpdir);
  char *tmp = g_strconcat (path, ".tmp", NULL);
  GError *err = NULL;

  /* twice: the second write replaces the first */
  for (int pass = 0; pass < 2; pass++)
    {
      CHECK (ns_st_write (path, t, G_N_ELEMENTS (t), meta, &err), "write: %s",
             err ? err->message : "");
      g_clear_error (&err);
    }
  CHECK (!g_file_test (tmp, G_FILE_TEST_EXISTS), "temporary file left behind");

  gchar *bytes = NULL;
  gsize len = 0;
  if (g_file_get_contents (path, &bytes, &len, NULL) && len >= 8)
    {
      guint64 hl;
      memcpy (&hl, bytes, 8);
      hl = GUINT64_FROM_LE (hl);
      CHECK (hl % 8 == 0, "header length %" G_GUINT64_FORMAT " not a multiple of 8", hl);
      CHECK (len == 8 + hl + sizeof a + sizeof b + 4, "file length %zu", (size_t) len);
      CHECK (hl < len && bytes[8] == '{', "header starts with {");
      /* data directly after the header, in order, little-endian F32 */
      CHECK (hl + 8 + sizeof a <= len && memcmp (bytes + 8 + hl, a, sizeof a) == 0,
             "first tensor bytes right after the header");
    }
  g_free (bytes);

  NsSafetensors *st = ns_st_open (path, &err);
  CHECK (st != NULL, "re-open: %s", err ? err->message : "");
  g_clear_error (&err);
  if (st)
    {
      CHECK (ns_st_n_tensors (st) == 4, "n %d", ns_st_n_tensors (st));
      CHECK (g_strcmp0 (ns_st_metadata (st, "architecture"), "vgg19") == 0, "meta 1");
      CHECK (g_strcmp0 (ns_st_metadata (st, "source"), "test \"x\"") == 0, "meta 2");
      for (guint i = 0; i < G_N_ELEMENTS (t); i++)
        {
          const NsTensorInfo *ti = ns_st_find (st, t[i].name);
          CHECK (ti != NULL, "tensor %s missing", t[i].name);
          if (!ti)
            continue;
          CHECK (ti->dtype == NS_DTYPE_F32 && ti->ndim == t[i].ndim, "%s dtype/ndim", t[i].name);
          size_t n = 1;
          for (int d = 0; d < t[i].ndim; d++)
            {
              CHECK (ti->shape[d] == t[i].shape[d], "%s dim %d", t[i].name, d);
              n *= (size_t) t[i].shape[d];
            }
          CHECK (ti->numel == n, "%s numel", t[i].name);
          float *x = ns_st_read_f32 (st, ti);
          CHECK (n == 0 || memcmp (x, t[i].data, n * 4) == 0, "%s values differ", t[i].name);
          g_free (x);
        }
      ns_st_close (st);
    }

  /* Without metadata */
  CHECK (ns_st_write (path, t, 2, NULL, &err), "write without metadata");
  g_clear_error (&err);
  st = ns_st_open (path, NULL);
  CHECK (st && ns_st_metadata (st, "architecture") == NULL && ns_st_n_tensors (st) == 2,
         "no metadata round trip");
  ns_st_close (st);

  /* Writer refuses bad input and leaves the old file in place. */
  float nan_data[2] = { 1, NAN };
  const NsTensorOut bad_nan[] = { { "x", 1, { 2 }, nan_data } };
  CHECK (!ns_st_write (path, bad_nan, 1, NULL, &err) && err && err->code == NS_ERROR_NUMERIC,
         "NaN written");
  g_clear_error (&err);
  const NsTensorOut dup[] = { { "x", 1, { 1 }, a }, { "x", 1, { 1 }, b } };
  CHECK (!ns_st_write (path, dup, 2, NULL, &err) && err && err->code == NS_ERROR_INVALID_ARG,
         "duplicate names written");
  g_clear_error (&err);
  const NsTensorOut neg[] = { { "x", 1, { -1 }, a } };
  CHECK (!ns_st_write (path, neg, 1, NULL, &err) && err && err->code == NS_ERROR_INVALID_ARG,
         "negative dim written");
  g_clear_error (&err);
  const char *odd_meta[] = { "key", NULL };
  CHECK (!ns_st_write (path, t, 1, odd_meta, &err) && err, "metadata without value written");
  g_clear_error (&err);
  st = ns_st_open (path, NULL);
  CHECK (st && ns_st_n_tensors (st) == 2, "old file intact after refused writes");
  ns_st_close (st);

  char *nodir = g_strdup_printf ("%s/no/such/dir/x.safetensors", tmpdir);
  CHECK (!ns_st_write (nodir, t, 1, NULL, &err) && err && err->code == NS_ERROR_IO,
         "write into a missing directory");
  g_clear_error (&err);
  g_free (nodir);

  g_unlink (path);
  g_free (path);
  g_free (tmp);
}

int
main (void)
{
  test_begin ("safetensors");
  GError *err = NULL;
  tmpdir = g_dir_make_tmp ("ns-test-st-XXXXXX", &err);
  if (!tmpdir)
    {
      fprintf (stderr, "no temp dir: %s\n", err->message);
      return 1;
    }
  test_malformed ();
  test_handmade_valid ();
  test_all_halves ();
  test_write_roundtrip ();
  CHECK (g_rmdir (tmpdir) == 0, "temp dir not empty (files left behind)");
  g_free (tmpdir);
  return test_finish ();
}
