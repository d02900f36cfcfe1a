/* test_image_check.c — tools/image_check.c on real and hostile bytes:
 * the complete PNG and JPEG photos of ../shared pass with the size their
 * header declares; every cut of them (each of the first 4096 byte counts,
 * then 300 spread over the rest, and the last 16) is refused as truncated;
 * empty, text, huge-header and zero-size files are refused; the other
 * formats are recognised by their content, whatever the name. */
#include "image_check.h"
#include "test_util.h"

#include <stdint.h>

static void
expect_refused (const guint8 *p, gsize len, const char *pattern, const char *what)
{
  NsFileInfo info;
  GError *err = NULL;
  gboolean ok = ns_image_bytes_check (p, len, &info, &err);
  CHECK (!ok && err && strstr (err->message, pattern), "%s: %s (expected \"%s\")", what,
         ok ? "accepted" : err->message, pattern);
  g_clear_error (&err);
}

/* Every cut of a complete file is refused (as truncated, or, when the cut
 * leaves too little to recognise the format, as "not an image"). */
static void
check_cuts (const guint8 *p, gsize len, const char *kind)
{
  int refused = 0, tried = 0;
  for (gsize cut = 1; cut < len; cut++)
    {
      if (cut > 4096 && cut < len - 16 && cut % (len / 300 + 1) != 0)
        continue;
      NsFileInfo info;
      GError *err = NULL;
      /* a copy of exactly cut bytes, so an overread is caught by ASan */
      guint8 *copy = g_memdup2 (p, cut);
      gboolean ok = ns_image_bytes_check (copy, cut, &info, &err);
      g_free (copy);
      tried++;
      if (!ok)
        refused++;
      else if (refused == tried - 1)   /* report the first only */
        CHECK (!ok, "%s cut at %zu of %zu bytes accepted", kind, cut, len);
      g_clear_error (&err);
    }
  CHECK (refused == tried, "%s: %d of %d cuts refused", kind, refused, tried);
  printf ("  %s: %d cut points, all refused\n", kind, tried);
}

static void
check_photo (const char *path, NsFileKind kind, int w, int h)
{
  gchar *data;
  gsize len;
  CHECK (g_file_get_contents (path, &data, &len, NULL), "%s readable", path);
  NsFileInfo info;
  GError *err = NULL;
  CHECK (ns_image_bytes_check ((guint8 *) data, len, &info, &err), "%s: %s", path,
         err ? err->message : "");
  g_clear_error (&err);
  CHECK (info.kind == kind && info.width == w && info.height == h, "%s: kind %d %dx%d",
         path, info.kind, info.width, info.height);
  check_cuts ((guint8 *) data, len, ns_file_kind_name (kind));
  g_free (data);
}

static void
put32 (guint8 *p, guint32 v)
{
  p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

/* A structurally complete PNG (IHDR, one IDAT, IEND; CRCs not checked
 * here) declaring w x h. */
static gsize
make_png (guint8 *out, guint32 w, guint32 h)
{
  static const guint8 sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  gsize n = 0;
  memcpy (out, sig, 8); n += 8;
  put32 (out + n, 13); memcpy (out + n + 4, "IHDR", 4);
  put32 (out + n + 8, w); put32 (out + n + 12, h);
  memcpy (out + n + 16, "\x08\x02\0\0\0", 5); n += 12 + 13;
  put32 (out + n, 2); memcpy (out + n + 4, "IDAT", 4); memset (out + n + 8, 0, 6); n += 14;
  put32 (out + n, 0); memcpy (out + n + 4, "IEND", 4); memset (out + n + 8, 0, 4); n += 12;
  return n;
}

int
main (void)
{
  test_begin ("image_check");
  const char *shared = test_shared_dir ();
  char *dog = g_build_filename (shared, "images", "dog.jpg", NULL);
  char *brick = g_build_filename (shared, "images", "pattern-brick.png", NULL);
  check_photo (dog, NS_FILE_JPEG, 768, 576);
  check_photo (brick, NS_FILE_PNG, 384, 384);
  g_free (dog);
  g_free (brick);

  guint8 png[64];
  gsize n = make_png (png, 4, 3);
  NsFileInfo info;
  CHECK (ns_image_bytes_check (png, n, &info, NULL) && info.width == 4 && info.height == 3,
         "minimal PNG accepted");
  n = make_png (png, 100000, 100000);
  expect_refused (png, n, "declares 100000x100000 pixels", "100000x100000 PNG header");
  n = make_png (png, 0x80000000u, 1);
  expect_refused (png, n, "declares", "2^31 wide PNG header");
  n = make_png (png, 0, 7);
  expect_refused (png, n, "empty 0x7", "0-wide PNG header");
  n = make_png (png, 1, 20000);
  CHECK (ns_image_bytes_check (png, n, &info, NULL) && info.height == 20000, "1x20000 PNG");
  memcpy (png + 12, "IHDX", 4);
  expect_refused (png, n, "first chunk is not", "PNG without IHDR");
  png[12] = '1';
  expect_refused (png, n, "invalid chunk type", "PNG with a digit in a chunk type");

  expect_refused ((const guint8 *) "", 0, "empty (0 bytes)", "empty file");
  const char *text = "hello, I am a text file\nnamed picture.png\n";
  expect_refused ((const guint8 *) text, strlen (text), "a text file", "text");
  /* JPEG: SOI, SOF0 with a 0 height, EOI */
  static const guint8 jpeg0[] = { 0xFF, 0xD8, 0xFF, 0xC0, 0, 11, 8, 0, 0, 0, 16, 1, 1, 0x11, 0,
                                  0xFF, 0xD9 };
  expect_refused (jpeg0, sizeof jpeg0, "empty 16x0", "JPEG declaring height 0");
  static const guint8 jpeg_nosos[] = { 0xFF, 0xD8, 0xFF, 0xC0, 0, 11, 8, 0, 2, 0, 2, 1, 1, 0x11,
                                       0, 0xFF, 0xD9 };
  expect_refused (jpeg_nosos, sizeof jpeg_nosos, "no scan", "JPEG without a scan");

  static const struct { const char *bytes; gsize len; NsFileKind kind; } other[] = {
    { "II*\0\x08\0\0\0", 8, NS_FILE_TIFF },
    { "MM\0*\0\0\0\x08", 8, NS_FILE_TIFF },
    { "\x76\x2f\x31\x01\x02\0\0\0", 8, NS_FILE_EXR },
    { "GIF89a\x01\0\x01\0", 10, NS_FILE_GIF },
    { "RIFF\x10\0\0\0WEBPVP8 ", 16, NS_FILE_WEBP },
    { "P6\n1 1\n255\n\0\0\0", 14, NS_FILE_UNKNOWN },   /* left to gegl:load */
  };
  for (size_t i = 0; i < G_N_ELEMENTS (other); i++)
    CHECK (ns_image_bytes_check ((const guint8 *) other[i].bytes, other[i].len, &info, NULL)
           && info.kind == other[i].kind, "format %zu: kind %d", i, info.kind);
  return test_finish ();
}
