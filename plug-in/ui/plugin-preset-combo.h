/* plugin-preset-combo.h — the "Preset" row of both dialogs: a combo with
 * Subtle · Balanced · Strong (plus Custom while the weights match none)
 * over the adjustments of the four settings a preset sets.  Choosing a
 * preset sets them from the engine's table (nsp_values_apply_preset);
 * editing one of them shows the matching preset, or Custom.
 *
 * GTK + libgimpwidgets only, in the API that GIMP 2.10 (GTK 2) and GIMP 3
 * (GTK 3) share: each plug-in compiles this file with its own toolkit. */
#ifndef PLUGIN_PRESET_COMBO_H
#define PLUGIN_PRESET_COMBO_H

#include <gtk/gtk.h>

/* A horizontal box "Preset: [combo]".  The adjustments are those of the
 * content, style and smoothness weights and the noise blend (not
 * referenced: they must outlive the row, as widgets of the same dialog
 * do). */
GtkWidget *nsp_preset_row_new   (GtkAdjustment *content_weight,
                                 GtkAdjustment *style_weight,
                                 GtkAdjustment *tv_weight,
                                 GtkAdjustment *noise_blend);

/* The combo inside the row (tests, screenshots). */
GtkWidget *nsp_preset_row_combo (GtkWidget *row);

#endif /* PLUGIN_PRESET_COMBO_H */
