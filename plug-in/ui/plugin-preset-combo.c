/* plugin-preset-combo.c — the dialogs' Preset row (see header). */
#include "plugin-preset-combo.h"
#include "plugin-preset.h"
#include "plugin-i18n.h"

#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>

enum { N_ADJ = 4 };

typedef struct
{
  GtkWidget     *combo;
  GtkAdjustment *adj[N_ADJ];   /* content, style, tv, noise blend */
  gboolean       updating;     /* our own changes: no feedback */
} PresetRow;

static void
read_values (PresetRow *row, NspValues *v)
{
  nsp_values_init (v);
  v->content_weight     = gtk_adjustment_get_value (row->adj[0]);
  v->style_weight       = gtk_adjustment_get_value (row->adj[1]);
  v->tv_weight          = gtk_adjustment_get_value (row->adj[2]);
  v->initial_noiseblend = gtk_adjustment_get_value (row->adj[3]);
}

/* "Custom" is in the list only while it is the state. */
static void
set_custom_entry (PresetRow *row, gboolean present)
{
  GtkTreeModel *model = gtk_combo_box_get_model (GTK_COMBO_BOX (row->combo));
  GtkTreeIter   iter;
  gboolean      there = gimp_int_store_lookup_by_value (model, NSP_PRESET_CUSTOM, &iter);

  if (present && !there)
    gimp_int_combo_box_append (GIMP_INT_COMBO_BOX (row->combo),
                               GIMP_INT_STORE_VALUE, NSP_PRESET_CUSTOM,
                               GIMP_INT_STORE_LABEL, nsp_preset_label (NSP_PRESET_CUSTOM),
                               -1);
  else if (!present && there)
    gtk_list_store_remove (GTK_LIST_STORE (model), &iter);
}

/* Show the preset the adjustments hold. */
static void
sync_combo (PresetRow *row)
{
  NspValues v;
  gint      preset;

  read_values (row, &v);
  preset = nsp_values_preset (&v);
  row->updating = TRUE;
  set_custom_entry (row, preset == NSP_PRESET_CUSTOM);
  gimp_int_combo_box_set_active (GIMP_INT_COMBO_BOX (row->combo), preset);
  row->updating = FALSE;
  gimp_help_set_help_data (row->combo, nsp_preset_tooltip (preset), NULL);
}

/* Connected with g_signal_connect_object: `combo` (and so the row) is
 * alive whenever it runs. */
static void
on_adjustment_changed (GtkAdjustment *adj, GtkWidget *combo)
{
  PresetRow *row = g_object_get_data (G_OBJECT (combo), "nsp-preset-row");

  (void) adj;
  if (row && !row->updating)
    sync_combo (row);
}

static void
on_combo_changed (GtkComboBox *combo, PresetRow *row)
{
  gint      preset = NSP_PRESET_CUSTOM;
  NspValues v;

  (void) combo;
  if (row->updating
      || !gimp_int_combo_box_get_active (GIMP_INT_COMBO_BOX (row->combo), &preset)
      || preset == NSP_PRESET_CUSTOM)
    return;
  read_values (row, &v);
  nsp_values_apply_preset (&v, (NsPreset) preset);
  row->updating = TRUE;
  gtk_adjustment_set_value (row->adj[0], v.content_weight);
  gtk_adjustment_set_value (row->adj[1], v.style_weight);
  gtk_adjustment_set_value (row->adj[2], v.tv_weight);
  gtk_adjustment_set_value (row->adj[3], v.initial_noiseblend);
  row->updating = FALSE;
  sync_combo (row);
}

GtkWidget *
nsp_preset_row_new (GtkAdjustment *content_weight,
                    GtkAdjustment *style_weight,
                    GtkAdjustment *tv_weight,
                    GtkAdjustment *noise_blend)
{
  PresetRow *row  = g_new0 (PresetRow, 1);
#if GTK_CHECK_VERSION (3, 0, 0)
  GtkWidget *box  = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
#else
  GtkWidget *box  = gtk_hbox_new (FALSE, 6);
#endif
  GtkWidget *label;

  row->adj[0] = content_weight;
  row->adj[1] = style_weight;
  row->adj[2] = tv_weight;
  row->adj[3] = noise_blend;

  /* TRANSLATORS: the combo of presets above the weights */
  label = gtk_label_new_with_mnemonic (_("_Preset:"));
  gtk_box_pack_start (GTK_BOX (box), label, FALSE, FALSE, 0);
  row->combo = gimp_int_combo_box_new (nsp_preset_label (NS_PRESET_SUBTLE),   NS_PRESET_SUBTLE,
                                       nsp_preset_label (NS_PRESET_BALANCED), NS_PRESET_BALANCED,
                                       nsp_preset_label (NS_PRESET_STRONG),   NS_PRESET_STRONG,
                                       NULL);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), row->combo);
  gtk_box_pack_start (GTK_BOX (box), row->combo, TRUE, TRUE, 0);
  g_object_set_data_full (G_OBJECT (row->combo), "nsp-preset-row", row, g_free);
  g_object_set_data (G_OBJECT (box), "nsp-preset-combo", row->combo);

  for (gint i = 0; i < N_ADJ; i++)
    g_signal_connect_object (row->adj[i], "value-changed", G_CALLBACK (on_adjustment_changed),
                             row->combo, 0);
  g_signal_connect (row->combo, "changed", G_CALLBACK (on_combo_changed), row);
  sync_combo (row);
  gtk_widget_show_all (box);
  return box;
}

GtkWidget *
nsp_preset_row_combo (GtkWidget *row)
{
  return g_object_get_data (G_OBJECT (row), "nsp-preset-combo");
}
