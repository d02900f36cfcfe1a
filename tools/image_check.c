/* image_check.c — format sniffing and PNG/JPEG completeness checks
 * (see image_check.h).  Plain byte walks, no decoding and no allocation. */
#include "image_check.h"

#include <string.h>

static guint32
be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

static guint
be16 (const guint8 *p)
{
  return (guint) p[0] << 8 | p[1];
}

static gboolean
fail (GError **error, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (GError **error, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, msg);
  g_free (msg);
  return FALSE;
}

static gboolean
check_size (int w, int h, GError **error)
{
  if (w < 1 || h < 1)
    return fail (error, "the header declares an empty %dx%d image", w, h);
  if ((gint64) w * h > NS_IO_MAX_PIXELS)
    return fail (error, "the header declares %dx%d pixels, more than the %" G_GINT64_FORMAT
                 " million this tool reads", w, h, NS_IO_MAX_PIXELS / 1000000);
  return TRUE;
}

/* PNG (ISO/IEC 15948): 8-byte signature, then chunks (4-byte length, 4-byte
 * type, data, 4-byte CRC); IHDR first (13 bytes: width, height, ...), IDAT
 * data, IEND last.  A file cut anywhere ends inside a chunk or before IEND. */
static gboolean
check_png (const guint8 *p, gsize len, NsFileInfo *info, GError **error)
{
  gsize pos = 8;
  gboolean idat = FALSE;
  for (int n = 0;; n++)
    {
      if (len < pos || len - pos < 12)
        return fail (error, "truncated PNG: the file ends after %" G_GSIZE_FORMAT
                     " bytes, before the IEND chunk", len);
      guint32 clen = be32 (p + pos);
      const guint8 *type = p + pos + 4;
      for (int i = 0; i < 4; i++)
        if (!g_ascii_isalpha (type[i]))
          return fail (error, "corrupt PNG: invalid chunk type at byte %" G_GSIZE_FORMAT, pos);
      if (clen > 0x7fffffffu)
        return fail (error, "corrupt PNG: chunk %.4s claims %u bytes", (const char *) type, clen);
      if (clen > len - pos - 12)
        return fail (error, "truncated PNG: chunk %.4s needs %u bytes but the file ends after %"
                     G_GSIZE_FORMAT, (const char *) type, clen, len);
      if (n == 0)
        {
          if (memcmp (type, "IHDR", 4) != 0 || clen != 13)
            return fail (error, "corrupt PNG: the first chunk is not a 13-byte IHDR");
          guint32 w = be32 (p + pos + 8), h = be32 (p + pos + 12);
          if (w > G_MAXINT || h > G_MAXINT)
            return fail (error, "the header declares %ux%u pixels", w, h);
          info->width = (int) w;
          info->height = (int) h;
          if (!check_size (info->width, info->height, error))
            return FALSE;
        }
      if (memcmp (type, "IDAT", 4) == 0)
        idat = TRUE;
      if (memcmp (type, "IEND", 4) == 0)
        break;
      pos += 12 + (gsize) clen;
    }
  if (!idat)
    return fail (error, "corrupt PNG: no image data (IDAT chunk)");
  return TRUE;
}

static gboolean
is_sof (guint m)   /* start of frame: C0..CF except DHT (C4), JPG (C8), DAC (CC) */
{
  return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

/* JPEG (ITU T.81 Annex B): SOI, then marker segments (FF xx, 2-byte length
 * including itself); after each SOS comes entropy-coded data in which FF is
 * followed only by 00 (a stuffed byte) or D0..D7 (restart markers), so the
 * next other FF xx is the next marker.  The image ends with EOI (FF D9);
 * SOFn gives the size (height, then width, after a 1-byte precision). */
static gboolean
check_jpeg (const guint8 *p, gsize len, NsFileInfo *info, GError **error)
{
  gsize pos = MIN (len, 2);
  gboolean sof = FALSE, sos = FALSE;
  for (;;)
    {
      if (pos >= len)
        return fail (error, "truncated JPEG: the file ends after %" G_GSIZE_FORMAT
                     " bytes, before the end-of-image marker", len);
      if (p[pos] != 0xFF)
        return fail (error, "corrupt JPEG: no marker at byte %" G_GSIZE_FORMAT, pos);
      while (pos < len && p[pos] == 0xFF)   /* fill bytes */
        pos++;
      if (pos >= len)
        continue;   /* reported as truncated above */
      guint m = p[pos++];
      if (m == 0xD9)
        break;
      if (m == 0x01 || (m >= 0xD0 && m <= 0xD7))
        continue;   /* segments without a length */
      if (m == 0x00 || m == 0xD8)
        return fail (error, "corrupt JPEG: unexpected marker FF %02X at byte %" G_GSIZE_FORMAT,
                     m, pos - 2);
      if (len - pos < 2)
        { pos = len; continue; }
      guint seg = be16 (p + pos);
      if (seg < 2)
        return fail (error, "corrupt JPEG: segment FF %02X of length %u", m, seg);
      if (seg > len - pos)
        return fail (error, "truncated JPEG: segment FF %02X needs %u bytes but the file ends "
                     "after %" G_GSIZE_FORMAT, m, seg, len);
      if (is_sof (m) && !sof)
        {
          if (seg < 8)
            return fail (error, "corrupt JPEG: frame header of %u bytes", seg);
          sof = TRUE;
          info->height = (int) be16 (p + pos + 3);
          info->width = (int) be16 (p + pos + 5);
          if (!check_size (info->width, info->height, error))
            return FALSE;
        }
      pos += seg;
      if (m == 0xDA)
        {
          if (!sof)
            return fail (error, "corrupt JPEG: scan before the frame header");
          sos = TRUE;
          while (pos + 1 < len && !(p[pos] == 0xFF && p[pos + 1] != 0x00
                                    && !(p[pos + 1] >= 0xD0 && p[pos + 1] <= 0xD7)))
            pos++;
          if (pos + 1 >= len)
            pos = len;   /* the scan runs to the end of the file: truncated */
        }
    }
  if (!sof || !sos)
    return fail (error, "corrupt JPEG: no %s", sof ? "scan (SOS)" : "frame header (SOF)");
  return TRUE;
}

/* Printable ASCII, whitespace or UTF-8 bytes only, in the first 512 bytes. */
static gboolean
looks_like_text (const guint8 *p, gsize len)
{
  gsize n = MIN (len, 512);
  for (gsize i = 0; i < n; i++)
    if (p[i] < 0x20 && p[i] != '\n' && p[i] != '\r' && p[i] != '\t' && p[i] != '\f')
      return FALSE;
  return TRUE;
}

gboolean
ns_image_bytes_check (const guint8 *p, gsize len, NsFileInfo *info, GError **error)
{
  *info = (NsFileInfo) { NS_FILE_UNKNOWN, 0, 0 };
  if (len == 0)
    return fail (error, "the file is empty (0 bytes)");
  /* a prefix of a signature is a cut file of that format */
  if (memcmp (p, "\x89PNG\r\n\x1a\n", MIN (len, 8)) == 0)
    {
      info->kind = NS_FILE_PNG;
      return check_png (p, len, info, error);
    }
  if (memcmp (p, "\xFF\xD8\xFF", MIN (len, 3)) == 0)
    {
      info->kind = NS_FILE_JPEG;
      return check_jpeg (p, len, info, error);
    }
  if (len >= 4 && (memcmp (p, "II*\0", 4) == 0 || memcmp (p, "MM\0*", 4) == 0))
    info->kind = NS_FILE_TIFF;
  else if (len >= 4 && memcmp (p, "\x76\x2f\x31\x01", 4) == 0)
    info->kind = NS_FILE_EXR;
  else if (len >= 6 && (memcmp (p, "GIF87a", 6) == 0 || memcmp (p, "GIF89a", 6) == 0))
    info->kind = NS_FILE_GIF;
  else if (len >= 12 && memcmp (p, "RIFF", 4) == 0 && memcmp (p + 8, "WEBP", 4) == 0)
    info->kind = NS_FILE_WEBP;
  else if (looks_like_text (p, len))
    {
      char start[25];   /* its first line, up to 24 ASCII characters */
      gsize n = 0;
      for (; n < MIN (len, sizeof start - 1) && p[n] != '\n' && p[n] != '\r'; n++)
        start[n] = p[n] < 0x80 ? (char) p[n] : '?';
      start[n] = '\0';
      return fail (error, "a text file, not an image (it starts with \"%s\")", start);
    }
  return TRUE;
}

gboolean
ns_image_file_check (const char *path, NsFileInfo *info, GError **error)
{
  GError *err = NULL;
  GMappedFile *map = g_mapped_file_new (path, FALSE, &err);
  if (!map)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: %s", path, err->message);
      g_error_free (err);
      return FALSE;
    }
  gboolean ok = ns_image_bytes_check ((const guint8 *) g_mapped_file_get_contents (map),
                                      g_mapped_file_get_length (map), info, &err);
  g_mapped_file_unref (map);
  if (!ok)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s", path, err->message);
      g_error_free (err);
    }
  return ok;
}

const char *
ns_file_kind_name (NsFileKind kind)
{
  static const char *const names[] = { "unknown", "PNG", "JPEG", "TIFF", "OpenEXR", "GIF", "WebP" };
  return (unsigned) kind < G_N_ELEMENTS (names) ? names[kind] : "unknown";
}
