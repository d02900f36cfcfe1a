/* plugin-dialog-regions.c — region and colour controls of the dialog (see
 * header). */
#include "plugin-dialog-regions.h"
#include "plugin-i18n.h"

GtkWidget *
nsp_mask_combo_new (gint32 image_id, gint32 drawable_id, const gchar *none_label,
                    gint32 active)
{
  GtkWidget *combo = gimp_int_combo_box_new (none_label, -1, NULL);
  gint32     selection = gimp_image_get_selection (image_id);
  gint32     layer_mask = gimp_item_is_layer (drawable_id) ? gimp_layer_get_mask (drawable_id) : -1;
  gint32    *channels;
  gint       n = 0;

  if (selection > 0)
    gimp_int_combo_box_append (GIMP_INT_COMBO_BOX (combo),
                               GIMP_INT_STORE_VALUE, selection,
                               GIMP_INT_STORE_LABEL, _("Selection"), -1);
  channels = gimp_image_get_channels (image_id, &n);
  for (gint i = 0; i < n; i++)
    {
      gchar *name  = gimp_item_get_name (channels[i]);
      /* TRANSLATORS: a channel of the image in the Region / Protect menus */
      gchar *label = g_strdup_printf (_("Channel “%s”"), name);

      gimp_int_combo_box_append (GIMP_INT_COMBO_BOX (combo),
                                 GIMP_INT_STORE_VALUE, channels[i],
                                 GIMP_INT_STORE_LABEL, label, -1);
      g_free (label);
      g_free (name);
    }
  g_free (channels);
  if (layer_mask > 0)
    gimp_int_combo_box_append (GIMP_INT_COMBO_BOX (combo),
                               GIMP_INT_STORE_VALUE, layer_mask,
                               GIMP_INT_STORE_LABEL, _("The content layer's mask"), -1);
  if (!gimp_int_combo_box_set_active (GIMP_INT_COMBO_BOX (combo), active))
    gimp_int_combo_box_set_active (GIMP_INT_COMBO_BOX (combo), -1);
  return combo;
}

gint32
nsp_mask_combo_get (GtkWidget *combo)
{
  gint v = -1;

  gimp_int_combo_box_get_active (GIMP_INT_COMBO_BOX (combo), &v);
  return v;
}

static void
attach (GtkWidget *table, gint row, const gchar *label, GtkWidget *w, const gchar *help)
{
  GtkWidget *l = gtk_label_new_with_mnemonic (label);

  gtk_misc_set_alignment (GTK_MISC (l), 0.0, 0.5);
  gtk_label_set_mnemonic_widget (GTK_LABEL (l), w);
  gtk_table_attach (GTK_TABLE (table), l, 0, 1, row, row + 1, GTK_FILL, GTK_FILL, 0, 0);
  gtk_table_attach (GTK_TABLE (table), w, 1, 2, row, row + 1, GTK_EXPAND | GTK_FILL, GTK_FILL, 0, 0);
  gimp_help_set_help_data (w, help, NULL);
}

GtkWidget *
nsp_region_controls_new (NspRegionControls *c, gint32 image_id, gint32 drawable_id,
                         const NspValues *vals, gint32 content_mask)
{
  GtkWidget *table = gtk_table_new (3, 2, FALSE);
  GtkWidget *spin;

  gtk_table_set_col_spacings (GTK_TABLE (table), 6);
  gtk_table_set_row_spacings (GTK_TABLE (table), 4);
  /* TRANSLATORS: Protect menu entry: no content mask */
  c->protect = nsp_mask_combo_new (image_id, drawable_id, _("Nothing"), content_mask);
  attach (table, 0, _("Pro_tect:"), c->protect,
          _("Where white, the photo is kept more strongly (its content loss weighs more)"));
  c->strength = gtk_adjustment_new (vals->content_mask_strength, 0.0, 100.0, 1.0, 5.0, 0.0);
  spin = gimp_spin_button_new (GTK_ADJUSTMENT (c->strength), 1.0, 1);
  attach (table, 1, _("Protection stren_gth:"), spin,
          _("How much more the protected parts keep the photo: the content loss there is "
            "weighted 1 + (strength − 1) × mask (1 = no protection, 10 = a good start)"));
  c->colours = gimp_int_combo_box_new (_("From the styles"), NS_COLOR_TRANSFER_NONE,
                                       _("Match the photo's colours"), NS_COLOR_TRANSFER_MEANCOV,
                                       _("Keep the photo's colours (luminance only)"),
                                       NS_COLOR_TRANSFER_LUMINANCE, NULL);
  gimp_int_combo_box_set_active (GIMP_INT_COMBO_BOX (c->colours), vals->color_transfer);
  attach (table, 2, _("Colo_urs:"), c->colours,
          _("From the styles: the paintings' colours. Match: each style is recoloured to the "
            "photo's colour mean and spread first. Keep: the transfer works on brightness "
            "only and the photo's colours are kept."));
  return table;
}

void
nsp_region_controls_get (const NspRegionControls *c, NspValues *vals, gint32 *content_mask)
{
  gint v = NS_COLOR_TRANSFER_NONE;

  *content_mask = nsp_mask_combo_get (c->protect);
  vals->content_mask_strength = gtk_adjustment_get_value (GTK_ADJUSTMENT (c->strength));
  gimp_int_combo_box_get_active (GIMP_INT_COMBO_BOX (c->colours), &v);
  vals->color_transfer = v;
}

void
nsp_region_controls_reset (NspRegionControls *c)
{
  gimp_int_combo_box_set_active (GIMP_INT_COMBO_BOX (c->protect), -1);
  gtk_adjustment_set_value (GTK_ADJUSTMENT (c->strength), NS_CONTENT_MASK_STRENGTH);
  gimp_int_combo_box_set_active (GIMP_INT_COMBO_BOX (c->colours), NS_COLOR_TRANSFER_NONE);
}
