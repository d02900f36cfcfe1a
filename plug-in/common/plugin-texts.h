/* plugin-texts.h — texts the plug-in derives from its settings, the same in
 * both GIMP versions: style display names, the result layer's name, the
 * "neural-style-parameters" parasite, the progress line. */
#ifndef PLUGIN_TEXTS_H
#define PLUGIN_TEXTS_H

#include "plugin-params.h"

/* A style image's display name: `image_name` without its file extension,
 * or "Image <id>" when it has no name. */
gchar *nsp_style_display_name      (const gchar *image_name,
                                    gint         image_id);

/* "Neural Style: Scream 75% + Dog 25%" (one style: no percentage);
 * style_names[i] is style i's display name. */
gchar *nsp_layer_name              (const NspValues    *vals,
                                    const gchar *const *style_names);

/* key=value lines describing the run (stored as the layer parasite). */
gchar *nsp_values_to_parasite_text (const NspValues    *vals,
                                    const gchar *const *style_names,
                                    const gchar        *model_path,
                                    guint32             seed,
                                    gint                work_width,
                                    gint                work_height);

/* "Level 2/3 · Iteration 40/100 · loss 0.31 · ETA 0:12" (no level part
 * for a single-scale run). */
gchar *nsp_progress_text           (const NsProgress *p);

/* The dialog's estimate line for these values on a region_w x region_h
 * region: "Working size 512 × 384 · estimated time: 40 s · memory: 480 MB"
 * (dashes without a model). */
gchar *nsp_estimate_text           (const NsModel   *model,
                                    const NspValues *vals,
                                    gint             region_w,
                                    gint             region_h);

/* The model the dialog estimates with: `file` (the chosen one) or, when
 * NULL, the default model.  Returns it (NULL when none can be loaded) and
 * sets *path (the file tried, or NULL) and *label (what to show). */
NsModel *nsp_model_for_dialog      (const gchar *file,
                                    gchar      **path,
                                    gchar      **label);

#endif /* PLUGIN_TEXTS_H */
