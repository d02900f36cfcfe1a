/* zip_reader.c — central-directory zip reader over a memory buffer.
 *
 * Layout (PKWARE APPNOTE 6.3): local headers + data ..., central directory,
 * [zip64 end record, zip64 locator], end-of-central-directory (EOCD) record
 * with an optional comment.  We trust only the central directory for sizes
 * and offsets, and check that every range lies inside the buffer.
 */
#include "zip_reader.h"

#include "neural_style.h"

#include <gio/gio.h>
#include <string.h>

#define SIG_LOCAL    0x04034b50u
#define SIG_CENTRAL  0x02014b50u
#define SIG_EOCD     0x06054b50u
#define SIG_EOCD64   0x06064b50u
#define SIG_LOC64    0x07064b50u

struct NsZip
{
  const guint8 *data;
  size_t        len;
  NsZipEntry   *entries;
  int           n_entries;
  GHashTable   *by_name;      /* name -> NsZipEntry* (borrowed) */
};

static guint16 rd16 (const guint8 *p) { return (guint16) (p[0] | (p[1] << 8)); }
static guint32 rd32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}
static guint64 rd64 (const guint8 *p) { return rd32 (p) | ((guint64) rd32 (p + 4) << 32); }

/* TRUE if [off, off+n) lies inside [0, limit). */
static gboolean
in_range (guint64 off, guint64 n, guint64 limit)
{
  return off <= limit && n <= limit - off;
}

guint32
ns_crc32 (const guint8 *data, size_t len)
{
  guint32 table[256];            /* reflected polynomial 0xEDB88320 */
  for (guint32 i = 0; i < 256; i++)
    {
      guint32 c = i;
      for (int k = 0; k < 8; k++)
        c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      table[i] = c;
    }
  guint32 crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < len; i++)
    crc = table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

static gboolean
fail (GError **error, int code, const char *msg, ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError **error, int code, const char *msg, ...)
{
  va_list ap;
  va_start (ap, msg);
  char *s = g_strdup_vprintf (msg, ap);
  va_end (ap);
  g_set_error (error, NS_ERROR, code, "zip: %s", s);
  g_free (s);
  return FALSE;
}

void
ns_zip_free (NsZip *zip)
{
  if (!zip)
    return;
  for (int i = 0; i < zip->n_entries; i++)
    g_free (zip->entries[i].name);
  g_free (zip->entries);
  if (zip->by_name)
    g_hash_table_destroy (zip->by_name);
  g_free (zip);
}

/* Locate the EOCD record: the last signature whose comment ends the file. */
static gboolean
find_eocd (const guint8 *d, size_t len, size_t *pos)
{
  if (len < 22)
    return FALSE;
  size_t lowest = len - 22 > 65535 ? len - 22 - 65535 : 0;
  for (size_t p = len - 22 + 1; p-- > lowest;)
    if (rd32 (d + p) == SIG_EOCD && p + 22 + rd16 (d + p + 20) == len)
      {
        *pos = p;
        return TRUE;
      }
  return FALSE;
}

/* Zip64 extended information extra field (id 0x0001): the 64-bit values of
 * the fields that were 0xFFFFFFFF in the header, in this fixed order. */
static gboolean
parse_zip64_extra (const guint8 *extra, guint16 n, guint64 *usize, guint64 *csize,
                   guint64 *offset, GError **error)
{
  guint32 p = 0;
  while (p + 4 <= n)
    {
      guint16 id = rd16 (extra + p), sz = rd16 (extra + p + 2);
      if (p + 4 + (guint32) sz > n)
        return fail (error, NS_ERROR_FORMAT, "extra field runs past its header");
      if (id == 0x0001)
        {
          const guint8 *f = extra + p + 4;
          guint32 q = 0;
          guint64 *fields[3] = { usize, csize, offset };
          for (int k = 0; k < 3; k++)
            if (*fields[k] == 0xFFFFFFFFu)
              {
                if (q + 8 > sz)
                  return fail (error, NS_ERROR_FORMAT, "zip64 extra field too short");
                *fields[k] = rd64 (f + q);
                q += 8;
              }
          return TRUE;
        }
      p += 4 + (guint32) sz;
    }
  if (*usize == 0xFFFFFFFFu || *csize == 0xFFFFFFFFu || *offset == 0xFFFFFFFFu)
    return fail (error, NS_ERROR_FORMAT, "zip64 sizes announced but no zip64 extra field");
  return TRUE;
}

NsZip *
ns_zip_open (const guint8 *d, size_t len, GError **error)
{
  size_t eocd;
  if (len == 0)
    {
      fail (error, NS_ERROR_FORMAT, "empty file");
      return NULL;
    }
  if (!find_eocd (d, len, &eocd))
    {
      fail (error, NS_ERROR_FORMAT, "not a zip archive (no end-of-central-directory record)");
      return NULL;
    }
  guint64 disk = rd16 (d + eocd + 4), cd_disk = rd16 (d + eocd + 6);
  guint64 n_disk = rd16 (d + eocd + 8), n_total = rd16 (d + eocd + 10);
  guint64 cd_size = rd32 (d + eocd + 12), cd_off = rd32 (d + eocd + 16);
  guint64 cd_limit = eocd;    /* the directory must end before this */

  if (n_total == 0xFFFF || cd_size == 0xFFFFFFFFu || cd_off == 0xFFFFFFFFu)
    {
      /* zip64: locator (20 bytes) right before the EOCD, pointing at the
       * zip64 end record (56 bytes fixed part). */
      if (eocd < 20 || rd32 (d + eocd - 20) != SIG_LOC64)
        {
          fail (error, NS_ERROR_FORMAT, "zip64 locator missing");
          return NULL;
        }
      guint64 rec = rd64 (d + eocd - 20 + 8);
      if (!in_range (rec, 56, eocd - 20) || rd32 (d + rec) != SIG_EOCD64)
        {
          fail (error, NS_ERROR_FORMAT, "zip64 end record points outside the file");
          return NULL;
        }
      disk = rd32 (d + rec + 16);
      cd_disk = rd32 (d + rec + 20);
      n_disk = rd64 (d + rec + 24);
      n_total = rd64 (d + rec + 32);
      cd_size = rd64 (d + rec + 40);
      cd_off = rd64 (d + rec + 48);
      cd_limit = rec;
    }
  if (disk != 0 || cd_disk != 0 || n_disk != n_total)
    {
      fail (error, NS_ERROR_UNSUPPORTED, "multi-disk archives are not supported");
      return NULL;
    }
  if (!in_range (cd_off, cd_size, cd_limit))
    {
      fail (error, NS_ERROR_FORMAT, "central directory (offset %" G_GUINT64_FORMAT
            ", %" G_GUINT64_FORMAT " bytes) lies outside the file", cd_off, cd_size);
      return NULL;
    }
  if (n_total > cd_size / 46)
    {
      fail (error, NS_ERROR_FORMAT, "central directory too small for %" G_GUINT64_FORMAT
            " entries", n_total);
      return NULL;
    }

  NsZip *zip = g_new0 (NsZip, 1);
  zip->data = d;
  zip->len = len;
  zip->entries = g_new0 (NsZipEntry, n_total ? n_total : 1);
  zip->by_name = g_hash_table_new (g_str_hash, g_str_equal);

  guint64 p = cd_off, cd_end = cd_off + cd_size;
  for (guint64 i = 0; i < n_total; i++)
    {
      if (!in_range (p, 46, cd_end) || rd32 (d + p) != SIG_CENTRAL)
        {
          fail (error, NS_ERROR_FORMAT, "central directory entry %" G_GUINT64_FORMAT
                " is corrupt", i);
          goto bad;
        }
      const guint8 *h = d + p;
      guint16 flags = rd16 (h + 8), method = rd16 (h + 10);
      guint32 crc = rd32 (h + 16);
      guint64 csize = rd32 (h + 20), usize = rd32 (h + 24);
      guint16 nlen = rd16 (h + 28), xlen = rd16 (h + 30), clen = rd16 (h + 32);
      guint64 disk_start = rd16 (h + 34), loff = rd32 (h + 42);
      if (!in_range (p + 46, (guint64) nlen + xlen + clen, cd_end))
        {
          fail (error, NS_ERROR_FORMAT, "central directory entry %" G_GUINT64_FORMAT
                " runs past the directory", i);
          goto bad;
        }
      char *name = g_strndup ((const char *) h + 46, nlen);
      NsZipEntry *e = &zip->entries[zip->n_entries++];
      e->name = name;
      if (strlen (name) != nlen || nlen == 0)
        {
          fail (error, NS_ERROR_FORMAT, "entry %" G_GUINT64_FORMAT " has an invalid name", i);
          goto bad;
        }
      if (!parse_zip64_extra (h + 46 + nlen, xlen, &usize, &csize, &loff, error))
        goto bad;
      if (disk_start != 0 && disk_start != 0xFFFF)
        {
          fail (error, NS_ERROR_UNSUPPORTED, "multi-disk archives are not supported");
          goto bad;
        }
      if (flags & 0x0001)
        {
          fail (error, NS_ERROR_UNSUPPORTED, "entry '%s' is encrypted", name);
          goto bad;
        }
      if (method != 0 && method != 8)
        {
          fail (error, NS_ERROR_UNSUPPORTED, "entry '%s' uses compression method %u "
                "(only stored and deflate are supported)", name, method);
          goto bad;
        }
      if (method == 0 && csize != usize)
        {
          fail (error, NS_ERROR_FORMAT, "stored entry '%s' has different sizes", name);
          goto bad;
        }
      /* Local header: its own name/extra lengths decide where data starts. */
      if (!in_range (loff, 30, cd_off) || rd32 (d + loff) != SIG_LOCAL)
        {
          fail (error, NS_ERROR_FORMAT, "local header of '%s' points outside the file", name);
          goto bad;
        }
      guint64 data = loff + 30 + rd16 (d + loff + 26) + (guint64) rd16 (d + loff + 28);
      if (!in_range (data, csize, cd_off))
        {
          fail (error, NS_ERROR_FORMAT, "data of '%s' (%" G_GUINT64_FORMAT
                " bytes) lies outside the file", name, csize);
          goto bad;
        }
      if (rd16 (d + loff + 26) != nlen || memcmp (d + loff + 30, name, nlen) != 0)
        {
          fail (error, NS_ERROR_FORMAT, "local and central names of '%s' differ", name);
          goto bad;
        }
      e->method = method;
      e->crc32 = crc;
      e->csize = csize;
      e->usize = usize;
      e->data_offset = data;
      if (g_hash_table_contains (zip->by_name, name))
        {
          fail (error, NS_ERROR_FORMAT, "duplicate entry '%s'", name);
          goto bad;
        }
      g_hash_table_insert (zip->by_name, name, e);
      p += 46 + (guint64) nlen + xlen + clen;
    }
  return zip;

bad:
  ns_zip_free (zip);
  return NULL;
}

int
ns_zip_n_entries (const NsZip *zip)
{
  return zip->n_entries;
}

const NsZipEntry *
ns_zip_entry_at (const NsZip *zip, int i)
{
  return (i >= 0 && i < zip->n_entries) ? &zip->entries[i] : NULL;
}

const NsZipEntry *
ns_zip_find (const NsZip *zip, const char *name)
{
  return g_hash_table_lookup (zip->by_name, name);
}

/* Raw deflate (RFC 1951) into a buffer of exactly usize bytes. */
static guint8 *
inflate_entry (const guint8 *src, guint64 csize, guint64 usize, const char *name,
               GError **error)
{
  /* deflate cannot expand more than ~1032:1; larger claims are bombs. */
  if (usize > (csize + 1) * 1032 || usize > G_MAXSIZE - 1)
    {
      fail (error, NS_ERROR_FORMAT, "entry '%s' claims an impossible compression ratio", name);
      return NULL;
    }
  GConverter *conv = G_CONVERTER (g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_RAW));
  guint8 *out = g_try_malloc (usize ? usize : 1);
  if (!out)
    {
      g_object_unref (conv);
      fail (error, NS_ERROR_NO_MEMORY, "cannot allocate %" G_GUINT64_FORMAT " bytes for '%s'",
            usize, name);
      return NULL;
    }
  guint64 in_pos = 0, out_pos = 0;
  gboolean done = FALSE;
  guint8 spare[64];
  while (!done)
    {
      gsize nread = 0, nwritten = 0;
      GError *e = NULL;
      /* Offer a little spare room past usize so over-long streams are caught. */
      gboolean use_spare = out_pos >= usize;
      GConverterResult r = g_converter_convert (conv, src + in_pos, csize - in_pos,
                                                use_spare ? spare : out + out_pos,
                                                use_spare ? sizeof spare : usize - out_pos,
                                                G_CONVERTER_INPUT_AT_END, &nread, &nwritten, &e);
      if (r == G_CONVERTER_ERROR)
        {
          fail (error, NS_ERROR_FORMAT, "entry '%s': bad deflate data (%s)", name, e->message);
          g_error_free (e);
          goto bad;
        }
      in_pos += nread;
      if (use_spare && nwritten > 0)
        {
          fail (error, NS_ERROR_FORMAT, "entry '%s' inflates to more than its declared size", name);
          goto bad;
        }
      out_pos += use_spare ? 0 : nwritten;
      if (r == G_CONVERTER_FINISHED)
        done = TRUE;
      else if (nread == 0 && nwritten == 0)
        {
          fail (error, NS_ERROR_FORMAT, "entry '%s': truncated deflate data", name);
          goto bad;
        }
    }
  if (out_pos != usize)
    {
      fail (error, NS_ERROR_FORMAT, "entry '%s' inflates to %" G_GUINT64_FORMAT
            " bytes, not %" G_GUINT64_FORMAT, name, out_pos, usize);
      goto bad;
    }
  g_object_unref (conv);
  return out;

bad:
  g_object_unref (conv);
  g_free (out);
  return NULL;
}

gboolean
ns_zip_read (const NsZip *zip, const NsZipEntry *e, const guint8 **bytes, size_t *len,
             guint8 **owned, GError **error)
{
  *owned = NULL;
  const guint8 *src = zip->data + e->data_offset;
  if (e->method == 0)
    *bytes = src;
  else
    {
      *owned = inflate_entry (src, e->csize, e->usize, e->name, error);
      if (!*owned)
        return FALSE;
      *bytes = *owned;
    }
  *len = (size_t) e->usize;
  if (ns_crc32 (*bytes, *len) != e->crc32)
    {
      g_free (*owned);
      *owned = NULL;
      return fail (error, NS_ERROR_FORMAT, "entry '%s' fails its CRC-32 check "
                   "(corrupt or truncated download?)", e->name);
    }
  return TRUE;
}
