/* plugin-process.h — one whole run: read the pixels, run the engine with
 * progress and cancellation, write the result layer. */
#ifndef PLUGIN_PROCESS_H
#define PLUGIN_PROCESS_H

#include "plugin-params.h"

/* Returns the new layer, or -1 with error set (NSP_ERROR_CALLING for bad
 * input, NSP_ERROR_CANCELLED when stopped, NSP_ERROR_EXECUTION otherwise).
 * On any failure or cancel the image is exactly as before.  `interactive`
 * adds a small progress window with a Cancel button (needs gimp_ui_init). */
gint32 nsp_process (gint32            image_id,
                    gint32            drawable_id,
                    const NspValues  *vals,
                    gboolean          interactive,
                    GError          **error);

#endif /* PLUGIN_PROCESS_H */
