/* image_io.h — read/write NsImage files through GEGL (PNG, JPEG, TIFF, EXR…). */
#ifndef NS_IMAGE_IO_H
#define NS_IMAGE_IO_H

#include "neural_style.h"

/* gegl_init() must have been called.  Refuses, with a message naming the
 * file: missing, empty, text, truncated or corrupt PNG/JPEG files (checked
 * before decoding), images over NS_IO_MAX_PIXELS (before any pixel is
 * decoded), files GEGL decodes only with a warning, and pictures that are
 * fully transparent or only in the alpha channel.  The format is taken from
 * the content, so a PNG named .jpg loads. */
NsImage *ns_io_load (const char *path, GError **error);
/* Values are clamped to 0..1; PNG is written with 8 bits per channel.  The
 * file is replaced atomically (temporary file in the same folder, fsync,
 * rename): on any error the old file is left as it was. */
gboolean ns_io_save (const NsImage *img, const char *path, GError **error);
/* The temporary file ns_io_save is writing ("" when none): for a signal
 * handler that exits at once, to unlink it. */
const char *ns_io_pending_temp (void);

#endif
