/* image_check.h — what an image file's bytes say before any decoder sees it:
 * its format (by content, not by name), the size its header declares, and
 * for PNG and JPEG whether the file is complete.  GEGL's loaders turn a
 * truncated PNG into a black picture with a warning, and libjpeg calls
 * exit() on some truncated JPEGs (inside GEGL), so the CLI refuses such files
 * here, with a message. */
#ifndef NS_IMAGE_CHECK_H
#define NS_IMAGE_CHECK_H

#include <glib.h>

typedef enum
{
  NS_FILE_UNKNOWN = 0,   /* left to GEGL's generic loader */
  NS_FILE_PNG,
  NS_FILE_JPEG,
  NS_FILE_TIFF,
  NS_FILE_EXR,
  NS_FILE_GIF,
  NS_FILE_WEBP
} NsFileKind;

typedef struct
{
  NsFileKind kind;
  int width, height;     /* from the header (PNG, JPEG); 0 = not read */
} NsFileInfo;

/* The most pixels the CLI reads: the engine's own limit (engine/job.c). */
#define NS_IO_MAX_PIXELS ((gint64) 30000 * 30000 / 4)

/* Classify the len bytes at data and, for PNG and JPEG, walk their structure
 * (chunks up to IEND; segments and entropy-coded data up to EOI).  FALSE with
 * a message (without the file name) for an empty, text, truncated or
 * malformed file, or one whose header declares a size outside
 * 1..NS_IO_MAX_PIXELS. */
gboolean ns_image_bytes_check (const guint8 *data, gsize len, NsFileInfo *info,
                               GError **error);

/* ns_image_bytes_check on the file at path (mapped, not read into memory);
 * messages start with the path. */
gboolean ns_image_file_check (const char *path, NsFileInfo *info, GError **error);

const char *ns_file_kind_name (NsFileKind kind);

#endif
