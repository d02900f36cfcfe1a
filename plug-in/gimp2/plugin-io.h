/* plugin-io.h — pixels between GIMP (GEGL buffers) and NsImage. */
#ifndef PLUGIN_IO_H
#define PLUGIN_IO_H

#include <libgimp/gimp.h>

#include "neural_style.h"
#include "plugin-pixels.h"

/* The whole drawable, or the selection bounds plus NSP_SELECTION_MARGIN
 * when there is a selection.  FALSE + message if the selection does not
 * touch the drawable or the drawable cannot be used (not a layer,
 * indexed). */
gboolean nsp_region_compute  (gint32      image_id,
                              gint32      drawable_id,
                              NspRegion  *region,
                              GError    **error);

/* The region of the drawable as interleaved R'G'B' float (sRGB-encoded;
 * grayscale and high bit depths converted by babl).  `alpha` (optional)
 * receives width*height floats of the drawable's alpha, or NULL when it
 * has none; free with g_free. */
NsImage *nsp_read_drawable   (gint32           drawable_id,
                              const NspRegion *region,
                              gfloat         **alpha,
                              GError         **error);

/* The visible composite of a whole image, read from a flattened duplicate
 * (the image itself is never touched).  If its longest side exceeds
 * `max_side` (> 0) it is shrunk to that. */
NsImage *nsp_read_image_composite (gint32    image_id,
                                   gint      max_side,
                                   GError  **error);

/* Create the result layer: same size, offsets and type family as the
 * content drawable, placed directly above it, holding the content outside
 * `region` and `result` (already region-sized) inside it, with the
 * content's alpha.  With a selection it gets a mask from the selection.
 * The parasite text is attached.  Everything happens in one undo group.
 * Returns the layer ID, or -1 with error set (the image is then left as it
 * was). */
gint32   nsp_write_result    (gint32           image_id,
                              gint32           drawable_id,
                              const NspRegion *region,
                              const NsImage   *result,
                              const gfloat    *alpha,
                              const gchar     *layer_name,
                              const gchar     *parasite_text,
                              GError         **error);

#endif /* PLUGIN_IO_H */
