/* plugin-dialog-regions.h — the GIMP 3 dialog's region and colour
 * controls (issue 14), as in the GIMP 2.10 dialog: a Region combo per
 * style row, the "Regions and Colours" frame (Protect + its strength,
 * Colours).  They write the procedure's config (style-masks,
 * content-mask, content-mask-strength, color-transfer), so an OK runs the
 * path of plug-in-neural-style-regions (nsp_regions_get ->
 * nsp_process_regions). */
#ifndef PLUGIN_DIALOG_REGIONS_H
#define PLUGIN_DIALOG_REGIONS_H

#include <libgimp/gimpui.h>

#include "plugin-params.h"
#include "plugin-regions.h"

/* A style row's Region combo: Whole image, Selection, each channel of
 * `image`, the content layer's mask; the style's mask of the config's
 * style-masks (index `style`, when it fits the config's styles) chosen.
 * Its "changed" calls `changed` (data). */
GtkWidget    *nsp_region_combo_new         (GimpProcedureConfig *config,
                                            GimpImage           *image,
                                            GimpDrawable        *content,
                                            gint                 style,
                                            GCallback            changed,
                                            gpointer             data);
/* The chosen mask; NULL = the whole image. */
GimpDrawable *nsp_region_combo_get         (GtkWidget           *combo);

/* The "Regions and Colours" frame (Protect, Protection strength, Colours). */
GtkWidget    *nsp_dialog_regions_frame     (GimpProcedureDialog *dialog,
                                            GimpProcedureConfig *config,
                                            GimpImage           *image,
                                            GimpDrawable        *content);

/* For the estimate line (nsp_estimate_text_regions): how many styles
 * have a mask and whether there is a content mask; vals' region values
 * set from the config. */
void          nsp_dialog_regions_count     (GimpProcedureConfig *config,
                                            GimpDrawable        *content,
                                            NspValues           *vals,
                                            gint                *n_masked,
                                            gboolean            *content_mask);

/* $NEURAL_STYLE_TEST_DIALOG steps for these controls: "region=N:NAME"
 * (style row N, from 1: NAME = a channel's name, "selection", "mask" or
 * "whole"), "protect=NAME" (the same names, "whole" = nothing),
 * "strength=S", "colours=none|meancov|luminance".  FALSE: not such a step. */
gboolean      nsp_dialog_regions_test_step (GtkWidget           *dialog,
                                            const gchar         *step);

#endif /* PLUGIN_DIALOG_REGIONS_H */
