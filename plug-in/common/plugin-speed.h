/* plugin-speed.h — the dialog's time estimate runs at this machine's
 * measured speed (issue 19: the reference machine's rates were 1.5–3.3×
 * optimistic elsewhere).  The measurement (ns_speed_measure: about 1 s
 * with VGG-19, 0.2 s with SqueezeNet) is made the first time a model is
 * used on a machine and kept in a small key file,
 * $XDG_CACHE_HOME/neural-style/speed.ini ($NEURAL_STYLE_SPEED_CACHE
 * overrides), keyed by the model file's real path, size and time, the
 * kernels' instruction set and the CPU; delete it to measure again. */
#ifndef NSP_SPEED_H
#define NSP_SPEED_H

#include <glib.h>
#include "neural_style.h"

G_BEGIN_DECLS

/* The cache file's path (newly allocated). */
gchar   *nsp_speed_cache_file (void);

/* *speed for model (loaded from model_path): from the cache, else measured
 * now and saved (then *measured, if not NULL, is TRUE).  FALSE when neither works; the caller
 * then estimates at the reference speed. */
gboolean nsp_speed_lookup     (const gchar   *model_path,
                               const NsModel *model,
                               NsSpeed       *speed,
                               gboolean      *measured);

G_END_DECLS

#endif
