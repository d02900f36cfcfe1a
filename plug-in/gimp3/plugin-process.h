/* plugin-process.h — one whole run in GIMP 3: the region, the pixels
 * (plugin-io), the engine (common/plugin-run) with progress and
 * cancellation, the result layer. */
#ifndef PLUGIN_PROCESS_H
#define PLUGIN_PROCESS_H

#include <libgimp/gimp.h>

#include "plugin-params.h"
#include "plugin-regions.h"

/* Returns the new layer, or NULL with error set (NSP_ERROR_CALLING for
 * bad input, NSP_ERROR_CANCELLED when stopped, NSP_ERROR_EXECUTION
 * otherwise).  On any failure or cancel the image is exactly as before.
 * `interactive` adds a small progress window with a Cancel button (needs
 * gimp_ui_init).  style_images[i] is the image of style i. */
GimpLayer *nsp_process (GimpImage        *image,
                        GimpDrawable     *drawable,
                        const NspValues  *vals,
                        GimpImage       **style_images,
                        gboolean          interactive,
                        GError          **error);

/* The same with masks (NULL: none). */
GimpLayer *nsp_process_regions (GimpImage        *image,
                                GimpDrawable     *drawable,
                                const NspValues  *vals,
                                GimpImage       **style_images,
                                const NspMasks   *masks,
                                gboolean          interactive,
                                GError          **error);

/* The same, continuing from the pixels of `start_layer` (a result layer;
 * refine) as they are, no noise; the parasite records it
 * (continued-from-tattoo).  start_layer NULL = nsp_process_regions. */
GimpLayer *nsp_process_from (GimpImage        *image,
                             GimpDrawable     *drawable,
                             GimpDrawable     *start_layer,
                             const NspValues  *vals,
                             GimpImage       **style_images,
                             const NspMasks   *masks,
                             gboolean          interactive,
                             GError          **error);

/* The procedure's return values: SUCCESS and `layer`, or the status of
 * `error` with its message (taken; a cancel without a message: GIMP shows
 * none for it). */
GimpValueArray *nsp_process_return_values (GimpProcedure *procedure,
                                           GimpLayer     *layer,
                                           GError        *error);

#endif /* PLUGIN_PROCESS_H */
