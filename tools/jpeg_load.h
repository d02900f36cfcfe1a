/* jpeg_load.h — JPEG decoding with libjpeg (see jpeg_load.c for why). */
#ifndef NS_JPEG_LOAD_H
#define NS_JPEG_LOAD_H

#include "neural_style.h"

/* The JPEG at path as sRGB, or NULL with an error naming the file.  For a
 * CMYK/YCCK file returns NULL with *not_rgb set and no error: the caller
 * decodes it some other way.  babl must be initialised (gegl_init). */
NsImage *ns_jpeg_load (const char *path, gboolean *not_rgb, GError **error);

#endif
