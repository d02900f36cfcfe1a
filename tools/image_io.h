/* image_io.h — read/write NsImage files through GEGL (PNG, JPEG, TIFF, EXR…). */
#ifndef NS_IMAGE_IO_H
#define NS_IMAGE_IO_H

#include "neural_style.h"

/* gegl_init() must have been called. */
NsImage *ns_io_load (const char *path, GError **error);
/* Values are clamped to 0..1; PNG is written with 8 bits per channel. */
gboolean ns_io_save (const NsImage *img, const char *path, GError **error);

#endif
