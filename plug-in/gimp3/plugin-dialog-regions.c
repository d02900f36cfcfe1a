/* plugin-dialog-regions.c — region and colour controls of the GIMP 3
 * dialog (see header).  The combos hold item IDs (-1 = the whole image /
 * nothing), as the GIMP 2.10 dialog's. */
#include "plugin-dialog-regions.h"
#include "plugin-regions.h"
#include "plugin-i18n.h"

#include <stdlib.h>
#include <string.h>

#define REGION_COMBO_KEY  "nsp-region-combo"
#define PROTECT_COMBO_KEY "nsp-protect-combo"

static void
append_item (GtkWidget *combo, GimpItem *item, const gchar *label)
{
  gimp_int_combo_box_append (GIMP_INT_COMBO_BOX (combo),
                             GIMP_INT_STORE_VALUE, gimp_item_get_id (item),
                             GIMP_INT_STORE_LABEL, label, -1);
}

/* append_item with `format` (one %s) around the item's name. */
static void
append_named (GtkWidget *combo, GimpItem *item, const gchar *format)
{
  gchar *name  = gimp_item_get_name (item);     /* (transfer full) in GIMP 3 */
  gchar *label = g_strdup_printf (format, name);

  append_item (combo, item, label);
  g_free (label);
  g_free (name);
}

/* `none_label` (-1), Selection, the image's channels, the content layer's
 * mask; `active` chosen (appended by name when it is another drawable). */
static GtkWidget *
mask_combo_new (GimpImage *image, GimpDrawable *content, const gchar *none_label,
                GimpDrawable *active)
{
  GtkWidget     *combo     = gimp_int_combo_box_new (none_label, -1, NULL);
  GimpSelection *selection = gimp_image_get_selection (image);
  GimpChannel  **channels  = gimp_image_get_channels (image);
  GimpLayerMask *layer_mask = GIMP_IS_LAYER (content)
                              ? gimp_layer_get_mask (GIMP_LAYER (content)) : NULL;

  if (selection)
    append_item (combo, GIMP_ITEM (selection), _("Selection"));
  for (gint i = 0; channels && channels[i]; i++)
    /* TRANSLATORS: a channel of the image in the Region / Protect menus */
    append_named (combo, GIMP_ITEM (channels[i]), _("Channel “%s”"));
  g_free (channels);
  if (layer_mask)
    append_item (combo, GIMP_ITEM (layer_mask), _("The content layer's mask"));
  if (active && gimp_item_is_valid (GIMP_ITEM (active))
      && !gimp_int_combo_box_set_active (GIMP_INT_COMBO_BOX (combo),
                                         gimp_item_get_id (GIMP_ITEM (active))))
    {
      /* a layer, or a drawable of another image, given by a script */
      /* TRANSLATORS: a layer (or another drawable) in the Region / Protect menus */
      append_named (combo, GIMP_ITEM (active), _("Layer “%s”"));
      gimp_int_combo_box_set_active (GIMP_INT_COMBO_BOX (combo),
                                     gimp_item_get_id (GIMP_ITEM (active)));
    }
  else if (!active || !gimp_item_is_valid (GIMP_ITEM (active)))
    gimp_int_combo_box_set_active (GIMP_INT_COMBO_BOX (combo), -1);
  return combo;
}

static GimpDrawable *
mask_combo_get (GtkWidget *combo)
{
  gint      id = -1;
  GimpItem *item;

  gimp_int_combo_box_get_active (GIMP_INT_COMBO_BOX (combo), &id);
  item = id > 0 ? gimp_item_get_by_id (id) : NULL;
  return item && GIMP_IS_DRAWABLE (item) && gimp_item_is_valid (item) ? GIMP_DRAWABLE (item) : NULL;
}

GtkWidget *
nsp_region_combo_new (GimpProcedureConfig *config, GimpImage *image, GimpDrawable *content,
                      gint style, GCallback changed, gpointer data)
{
  GObject  **items  = gimp_procedure_config_get_core_object_array (config, "style-masks");
  gsize      n      = items ? gimp_core_object_array_get_length (items) : 0;
  GObject   *last   = style < (gint) n ? items[style] : NULL;
  GtkWidget *combo;

  /* TRANSLATORS: Region menu entry: the style applies everywhere */
  combo = mask_combo_new (image, content, _("Whole image"),
                          GIMP_IS_DRAWABLE (last) && last != G_OBJECT (content)
                          ? GIMP_DRAWABLE (last) : NULL);
  g_free (items);
  g_object_set_data (G_OBJECT (combo), REGION_COMBO_KEY, GINT_TO_POINTER (1));
  gimp_help_set_help_data (combo, _("Region: where this style applies (white parts of "
                                    "the selection, channel or layer mask)"), NULL);
  gtk_widget_set_size_request (combo, 130, -1);
  g_signal_connect_swapped (combo, "changed", changed, data);
  return combo;
}

GimpDrawable *
nsp_region_combo_get (GtkWidget *combo)
{
  return mask_combo_get (combo);
}

static void
on_protect_changed (GtkWidget *combo, GimpProcedureConfig *config)
{
  g_object_set (config, "content-mask", mask_combo_get (combo), NULL);
}

/* The config's content-mask changed (the dialog's Reset): show it. */
static void
on_content_mask_notify (GimpProcedureConfig *config, GParamSpec *pspec, GtkWidget *combo)
{
  GimpDrawable *mask = NULL;

  (void) pspec;
  g_object_get (config, "content-mask", &mask, NULL);
  if (mask != mask_combo_get (combo))
    gimp_int_combo_box_set_active (GIMP_INT_COMBO_BOX (combo),
                                   mask ? gimp_item_get_id (GIMP_ITEM (mask)) : -1);
  g_clear_object (&mask);
}

GtkWidget *
nsp_dialog_regions_frame (GimpProcedureDialog *dialog, GimpProcedureConfig *config,
                          GimpImage *image, GimpDrawable *content)
{
  GimpDrawable *last = NULL;
  GtkWidget    *protect, *hbox, *label, *box, *frame, *entry, *colours;

  g_object_get (config, "content-mask", &last, NULL);
  /* TRANSLATORS: Protect menu entry: no content mask */
  protect = mask_combo_new (image, content, _("Nothing"),
                            last != content ? last : NULL);
  g_clear_object (&last);
  g_object_set_data (G_OBJECT (protect), PROTECT_COMBO_KEY, GINT_TO_POINTER (1));
  on_protect_changed (protect, config);     /* a stale or foreign last value: as shown */
  g_signal_connect (protect, "changed", G_CALLBACK (on_protect_changed), config);
  g_signal_connect_object (config, "notify::content-mask", G_CALLBACK (on_content_mask_notify),
                           protect, 0);
  gimp_help_set_help_data (protect, _("Where white, the photo is kept more strongly (its "
                                      "content loss weighs more)"), NULL);
  hbox  = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  label = gtk_label_new_with_mnemonic (_("Pro_tect:"));
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), protect);
  gtk_box_pack_start (GTK_BOX (hbox), label, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (hbox), protect, TRUE, TRUE, 0);
  gtk_widget_show_all (hbox);

  entry = gimp_procedure_dialog_get_scale_entry (dialog, "content-mask-strength", 1.0);
  gimp_scale_entry_set_bounds (GIMP_SCALE_ENTRY (entry), 0.0, 100.0, TRUE);
  gimp_label_spin_set_digits (GIMP_LABEL_SPIN (entry), 1);
  gtk_widget_set_size_request (gimp_scale_entry_get_range (GIMP_SCALE_ENTRY (entry)), 120, -1);
  gimp_help_set_help_data (entry, _("How much more the protected parts keep the photo: the "
                                    "content loss there is weighted 1 + (strength − 1) × mask "
                                    "(1 = no protection, 10 = a good start)"), NULL);
  colours = gimp_procedure_dialog_get_widget (dialog, "color-transfer", G_TYPE_NONE);
  gimp_help_set_help_data (colours, _("From the styles: the paintings' colours. Match: each "
                                      "style is recoloured to the photo's colour mean and spread "
                                      "first. Keep: the transfer works on brightness only and "
                                      "the photo's colours are kept."), NULL);

  box = gimp_procedure_dialog_fill_box (dialog, "regions-box", "content-mask-strength",
                                        "color-transfer", NULL);
  gtk_box_pack_start (GTK_BOX (box), hbox, FALSE, FALSE, 0);
  gtk_box_reorder_child (GTK_BOX (box), hbox, 0);
  frame = gimp_procedure_dialog_fill_frame (dialog, "regions-frame", NULL, FALSE, "regions-box");
  gtk_frame_set_label (GTK_FRAME (frame), _("Regions and Colours"));
  return frame;
}

void
nsp_dialog_regions_count (GimpProcedureConfig *config, GimpDrawable *content, NspValues *vals,
                          gint *n_masked, gboolean *content_mask)
{
  NspMasks masks;

  if (!nsp_regions_get (config, content, vals, &masks, NULL))
    memset (&masks, 0, sizeof masks);
  *n_masked = 0;
  for (gint i = 0; i < vals->n_styles; i++)
    *n_masked += masks.style_masks[i] != NULL;
  *content_mask = masks.content_mask != NULL;
}

/* ------------------------------------------------------------ test hook */

/* Choose the entry called `name` (see the header); FALSE if there is none. */
static gboolean
choose_by_name (GtkWidget *combo, const gchar *name)
{
  GtkTreeModel *model = gtk_combo_box_get_model (GTK_COMBO_BOX (combo));
  GtkTreeIter   iter;
  gboolean      more;

  for (more = gtk_tree_model_get_iter_first (model, &iter); more;
       more = gtk_tree_model_iter_next (model, &iter))
    {
      gint      id = -1;
      GimpItem *item;
      gboolean  match;

      gtk_tree_model_get (model, &iter, GIMP_INT_STORE_VALUE, &id, -1);
      item = id > 0 ? gimp_item_get_by_id (id) : NULL;
      if (!item)
        match = g_strcmp0 (name, "whole") == 0;
      else if (GIMP_IS_SELECTION (item))
        match = g_strcmp0 (name, "selection") == 0;
      else if (GIMP_IS_LAYER_MASK (item))
        match = g_strcmp0 (name, "mask") == 0;
      else
        {
          gchar *item_name = gimp_item_get_name (item);

          match = g_strcmp0 (name, item_name) == 0;
          g_free (item_name);
        }
      if (match)
        {
          gimp_int_combo_box_set_active (GIMP_INT_COMBO_BOX (combo), id);
          return TRUE;
        }
    }
  return FALSE;
}

typedef struct
{
  const gchar *key;
  GPtrArray   *found;
} Search;

/* The widgets tagged `key` below `widget`, in packing order. */
static void
collect (GtkWidget *widget, gpointer data)
{
  Search *s = data;

  if (g_object_get_data (G_OBJECT (widget), s->key))
    g_ptr_array_add (s->found, widget);
  if (GTK_IS_CONTAINER (widget))
    gtk_container_forall (GTK_CONTAINER (widget), collect, s);
}

static GtkWidget *
tagged (GtkWidget *dialog, const gchar *key, gint index)
{
  Search     s = { key, g_ptr_array_new () };
  GtkWidget *w = NULL;

  collect (dialog, &s);
  if (index >= 0 && (guint) index < s.found->len)
    w = g_ptr_array_index (s.found, index);
  g_ptr_array_free (s.found, TRUE);
  return w;
}

gboolean
nsp_dialog_regions_test_step (GtkWidget *dialog, const gchar *step)
{
  GimpProcedureDialog *pd = GIMP_PROCEDURE_DIALOG (dialog);
  const gchar         *colon;
  GtkWidget           *w;

  if (g_str_has_prefix (step, "region=") && (colon = strchr (step, ':')))
    {
      w = tagged (dialog, REGION_COMBO_KEY, atoi (step + 7) - 1);
      if (!w || !choose_by_name (w, colon + 1))
        g_printerr ("test step %s: no such row or region\n", step);
    }
  else if (g_str_has_prefix (step, "protect="))
    {
      w = tagged (dialog, PROTECT_COMBO_KEY, 0);
      if (!w || !choose_by_name (w, step + 8))
        g_printerr ("test step %s: no such mask\n", step);
    }
  else if (g_str_has_prefix (step, "strength="))
    {
      w = gimp_procedure_dialog_get_widget (pd, "content-mask-strength", GIMP_TYPE_SCALE_ENTRY);
      gimp_label_spin_set_value (GIMP_LABEL_SPIN (w), g_ascii_strtod (step + 9, NULL));
    }
  else if (g_str_has_prefix (step, "colours="))
    {
      w = gimp_procedure_dialog_get_widget (pd, "color-transfer", G_TYPE_NONE);
      gimp_string_combo_box_set_active
        (GIMP_STRING_COMBO_BOX (gimp_label_string_widget_get_widget (GIMP_LABEL_STRING_WIDGET (w))),
         step + 8);
    }
  else
    return FALSE;
  return TRUE;
}
