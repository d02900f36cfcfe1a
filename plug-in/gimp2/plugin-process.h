/* plugin-process.h — one whole run in GIMP 2.10: the region, the pixels
 * (plugin-io), the engine (common/plugin-run) with progress and
 * cancellation, the result layer. */
#ifndef PLUGIN_PROCESS_H
#define PLUGIN_PROCESS_H

#include "plugin-params.h"
#include "plugin-regions.h"

/* Returns the new layer, or -1 with error set (NSP_ERROR_CALLING for bad
 * input, NSP_ERROR_CANCELLED when stopped, NSP_ERROR_EXECUTION otherwise).
 * On any failure or cancel the image is exactly as before.  `interactive`
 * adds a small progress window with a Cancel button (needs gimp_ui_init).
 * style_images[i] is the image of style i. */
gint32 nsp_process (gint32            image_id,
                    gint32            drawable_id,
                    const NspValues  *vals,
                    const gint32     *style_images,
                    gboolean          interactive,
                    GError          **error);

/* The same with masks (plug-in-neural-style-regions; NULL = none). */
gint32 nsp_process_regions (gint32            image_id,
                            gint32            drawable_id,
                            const NspValues  *vals,
                            const gint32     *style_images,
                            const NspMasks   *masks,
                            gboolean          interactive,
                            GError          **error);
/* The same, starting from the pixels of start_layer as they are (no
 * noise): a result layer refined (plugin-continue.h).  -1 = the values'
 * start (content or noise). */
gint32 nsp_process_from (gint32            image_id,
                         gint32            drawable_id,
                         gint32            start_layer,
                         const NspValues  *vals,
                         const gint32     *style_images,
                         gboolean          interactive,
                         GError          **error);
/* Both: masks (NULL: none) and a start layer (-1: none). */
gint32 nsp_process_full (gint32            image_id,
                         gint32            drawable_id,
                         gint32            start_layer,
                         const NspValues  *vals,
                         const gint32     *style_images,
                         const NspMasks   *masks,
                         gboolean          interactive,
                         GError          **error);

#endif /* PLUGIN_PROCESS_H */
