/* plugin-io.h — pixels between GIMP 3 (GEGL buffers) and NsImage: the
 * processed region, reading the content and the style composites, writing
 * the result layer. */
#ifndef PLUGIN_IO_H
#define PLUGIN_IO_H

#include <libgimp/gimp.h>

#include "neural_style.h"
#include "plugin-pixels.h"

/* The whole drawable, or the selection bounds plus NSP_SELECTION_MARGIN
 * when there is a selection.  FALSE + message if the selection does not
 * touch the drawable or the drawable cannot be used (not a layer of
 * `image`, indexed). */
gboolean   nsp_region_compute       (GimpImage     *image,
                                     GimpDrawable  *drawable,
                                     NspRegion     *region,
                                     GError       **error);

/* The region of the drawable as interleaved R'G'B' float (sRGB-encoded;
 * grayscale and high bit depths converted by babl).  `alpha` (optional)
 * receives width*height floats of the drawable's alpha, or NULL when it
 * has none; free with g_free. */
NsImage   *nsp_read_drawable        (GimpDrawable     *drawable,
                                     const NspRegion  *region,
                                     gfloat          **alpha,
                                     GError          **error);

/* The visible composite of a whole image, read from a flattened duplicate
 * (the image itself is never touched), shrunk to `max_side` (> 0) when
 * its longest side is larger. */
NsImage   *nsp_read_image_composite (GimpImage  *image,
                                     gint        max_side,
                                     GError    **error);

/* Create the result layer: same size, offsets and type family as the
 * content drawable, directly above it, holding the content outside
 * `region` and `result` (region-sized) inside it, with the content's
 * alpha; with a selection a mask from the selection; the parasite text
 * attached.  Everything in one undo group.  NULL with error set on failure
 * (the image is then as it was). */
GimpLayer *nsp_write_result         (GimpImage        *image,
                                     GimpDrawable     *drawable,
                                     const NspRegion  *region,
                                     const NsImage    *result,
                                     const gfloat     *alpha,
                                     const gchar      *layer_name,
                                     const gchar      *parasite_text,
                                     GError          **error);

#endif /* PLUGIN_IO_H */
