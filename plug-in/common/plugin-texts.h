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

/* A style image's display name after its file: the file's name without
 * extension ("/photos/scream.jpg" -> "scream"); without a file (a new,
 * unsaved image) nsp_style_display_name (image_name, image_id).  GIMP's
 * image names ("[scream] (imported)") are only the fallback. */
gchar *nsp_style_name_for_file     (const gchar *file_path,
                                    const gchar *image_name,
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

/* The outcome lines appended to the parasite text:
 * "iterations-run=N\nstop-reason=<ns_stop_reason_to_string>\n"
 * "loss-start=L0\nloss-end=L\n" (total loss of the start image and of the
 * last iteration, %.6g). */
gchar *nsp_outcome_parasite_text   (gint         iterations_run,
                                    NsStopReason reason,
                                    gdouble      loss_start,
                                    gdouble      loss_end);

/* The parasite text of a result made from the layer with tattoo
 * `source_tattoo`: `text` + "source-layer-tattoo=N\n", so a later run on
 * the result can offer its source layer. */
gchar *nsp_parasite_with_source    (const gchar *text,
                                    guint        source_tattoo);

/* The source layer's tattoo recorded in a result's parasite text, 0 when
 * there is none (not a result, or an older one). */
guint  nsp_parasite_source_tattoo  (const gchar *text);

/* The value of `key` in key=value lines (a parasite text), or NULL. */
gchar *nsp_parasite_text_get       (const gchar *text,
                                    const gchar *key);

/* Why the run stopped, in words for the user ("the picture stopped
 * changing", …). */
const gchar *nsp_stop_reason_text  (NsStopReason reason);

/* The message for a model file that ns_model_load() refused with `err`:
 * "'<path>' is not a safetensors model file (<details>)" when the file does
 * not even start like one (a text file, an image), else "Could not load
 * the model '<path>': <details>". */
gchar *nsp_model_error_text        (const gchar  *path,
                                    const GError *err);

/* TRUE when `path` starts like a safetensors file: an 8-byte little-endian
 * header length of at most 100 MiB, then '{'. */
gboolean nsp_file_looks_like_safetensors (const gchar *path);

/* The dialog's content line: "dog.jpg — Background\n768 × 576 pixels",
 * and "; the selection (300 × 200 with margin) is processed" when the
 * processed region is smaller than the layer (NULL names show as "?"). */
gchar *nsp_content_label_text      (const gchar *image_name, const gchar *layer_name,
                                    gint layer_w, gint layer_h,
                                    gint region_w, gint region_h);

/* The note beside the working size: "The result is computed at 512 × 384
 * and enlarged 3.9× to the layer." (or "…at the layer's size." when it is
 * not enlarged). */
gchar *nsp_scale_note_text         (gint work_w, gint work_h,
                                    gint region_w, gint region_h);

/* nsp_scale_note_text() for the working size these values give on a
 * region_w x region_h region. */
gchar *nsp_values_scale_note       (const NspValues *vals,
                                    gint             region_w,
                                    gint             region_h);

/* "Level 2/3 · Iteration 40/100 · loss 0.31 · ETA 0:12" (no level part
 * for a single-scale run). */
gchar *nsp_progress_text           (const NsProgress *p);

/* The dialog's estimate line for these values on a region_w x region_h
 * region: "Working size 512 × 384 · estimated time: 40 s · memory: 480 MB"
 * (dashes without a model), "… · in 3 × 2 tiles" where the job would tile
 * to stay under the memory limit, "… · more than the memory limit of 8 GB"
 * where it would be refused; the time at speed, this machine's measured
 * speed (plugin-speed.h; NULL: the reference machine's). */
gchar *nsp_estimate_text           (const NsModel   *model,
                                    const NsSpeed   *speed,
                                    const NspValues *vals,
                                    gint             region_w,
                                    gint             region_h);
/* The same with n_masked styles having a region mask and an optional
 * content (protect) mask. */
gchar *nsp_estimate_text_regions   (const NsModel   *model,
                                    const NsSpeed   *speed,
                                    const NspValues *vals,
                                    gint             region_w,
                                    gint             region_h,
                                    gint             n_masked,
                                    gboolean         content_mask);

/* "40 s", "3 min 05 s", "1 h 02 min" ("—" when not a time). */
gchar *nsp_duration_text           (gdouble          seconds);

/* The job's memory plan for these values on a region_w x region_h region
 * (ns_estimate_plan: working size, memory limit, automatic tiles, the
 * memory and time estimates with them); FALSE when it cannot be planned. */
gboolean nsp_estimate_plan         (const NsModel   *model,
                                    const NsSpeed   *speed,
                                    const NspValues *vals,
                                    gint             region_w,
                                    gint             region_h,
                                    gint             n_masked,
                                    gboolean         content_mask,
                                    NsEstimatePlan  *plan);

/* The label of a Result size choice: "Working size (fast) — about 40 s,
 * 300 MB" (vals->size) or, full, "Full layer size (4000 × 3000) — about
 * 25 min, 2.6 GB, in 3 × 2 tiles" (size 0); "— needs 12 GB, more than the
 * memory limit of 8 GB" when even tiles do not fit (the run is refused). */
gchar *nsp_result_size_text        (const NsModel   *model,
                                    const NsSpeed   *speed,
                                    const NspValues *vals,
                                    gboolean         full,
                                    gint             region_w,
                                    gint             region_h,
                                    gint             n_masked,
                                    gboolean         content_mask);

/* The model the dialog estimates with: `file` (the chosen one) or, when
 * NULL, the default model.  Returns it (NULL when none can be loaded) and
 * sets *path (the file tried, or NULL) and *label (what to show). */
NsModel *nsp_model_for_dialog      (const gchar *file,
                                    gchar      **path,
                                    gchar      **label);

/* TRUE when a and b name the same file (a file chooser gives canonical
 * paths; $NEURAL_STYLE_MODEL may hold "..", symlinks). */
gboolean nsp_same_file             (const gchar *a,
                                    const gchar *b);

/* The URI of the plug-in's help page: $NEURAL_STYLE_DOCDIR (an uninstalled
 * build) or NS_DOCDIR, file plugin.md; NULL when it is not there. */
gchar *nsp_help_uri                (void);

#endif /* PLUGIN_TEXTS_H */
