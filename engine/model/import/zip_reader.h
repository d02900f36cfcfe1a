/* zip_reader.h — minimal, bounds-checked reader for zip archives held in
 * memory (the container of torch.save >= 1.6 files).
 *
 * Reads the central directory (zip64 included), supports stored entries
 * (what torch writes) and raw-deflate entries (via GIO's GZlibDecompressor),
 * checks each entry's CRC-32 when its data is read.  Multi-disk, encrypted
 * and other compression methods are refused with NS_ERROR_UNSUPPORTED;
 * every structural problem is NS_ERROR_FORMAT.  The buffer must outlive the
 * NsZip.
 */
#ifndef NS_ZIP_READER_H
#define NS_ZIP_READER_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

typedef struct
{
  char    *name;
  int      method;        /* 0 stored, 8 deflate */
  guint32  crc32;
  guint64  csize;         /* compressed size */
  guint64  usize;         /* uncompressed size */
  guint64  data_offset;   /* start of the (compressed) data in the buffer */
} NsZipEntry;

typedef struct NsZip NsZip;

/* Parse the archive's directory.  NULL + error if it is not a valid zip. */
NsZip            *ns_zip_open      (const guint8 *data, size_t len, GError **error);
void              ns_zip_free      (NsZip *zip);
int               ns_zip_n_entries (const NsZip *zip);
const NsZipEntry *ns_zip_entry_at  (const NsZip *zip, int i);
const NsZipEntry *ns_zip_find      (const NsZip *zip, const char *name); /* NULL if absent */

/* The entry's uncompressed bytes.  Stored entries point into the buffer
 * (*owned = NULL); deflated ones are decompressed into *owned (g_free it).
 * The CRC-32 is verified. */
gboolean          ns_zip_read      (const NsZip *zip, const NsZipEntry *entry,
                                    const guint8 **bytes, size_t *len,
                                    guint8 **owned, GError **error);

/* CRC-32 (IEEE 802.3, the zip polynomial) of a buffer. */
guint32           ns_crc32         (const guint8 *data, size_t len);

#endif
