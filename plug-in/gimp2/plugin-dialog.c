/* plugin-dialog.c — the interactive settings dialog (GTK+ 2 / libgimpui).
 *
 * Left column: the content layer, the list of style images (one row each:
 * image combo with thumbnail, weight slider with its normalised share in %,
 * scale, remove button; "Add Style Image"), the model file and the time /
 * memory estimate.  Right column: every engine option.  "Reset" restores
 * the defaults of ns_params_init() (the style rows stay).
 *
 * Style image IDs may die while the dialog is open (the user closes an
 * image): they are only used after gimp_image_is_valid() said yes.
 */
#include "plugin-dialog.h"
#include "plugin-dialog-regions.h"
#include "plugin-continue.h"
#include "plugin-continue-toggle.h"
#include "plugin-preview.h"
#include "plugin-io.h"
#include "plugin-pdb.h"
#include "plugin-labels.h"
#include "plugin-texts.h"
#include "plugin-speed.h"
#include "plugin-preset-combo.h"
#include "plugin-result-size.h"
#include "plugin-i18n.h"

#include <libgimp/gimpui.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESPONSE_RESET      1
#define DEFAULT_SIZE_CAP    512     /* default working size: layer size capped here */
#define THUMB_SIZE          48      /* content thumbnail */
#define ROW_THUMB_SIZE      32      /* style row thumbnails */
#define WEIGHT_MAX          100.0

typedef struct Dialog Dialog;

typedef struct
{
  Dialog    *dlg;
  GtkWidget *box;          /* the row's hbox */
  GtkWidget *combo;        /* GimpImageComboBox */
  GtkWidget *thumb;        /* the chosen image's thumbnail */
  GtkObject *weight;       /* raw weight 0..100 */
  GtkWidget *percent;      /* normalised share */
  GtkObject *scale;        /* style scale */
  GtkWidget *region;       /* mask combo: where this style applies */
} StyleRow;

struct Dialog
{
  gint32      image_id;
  gint32      drawable_id;          /* the content the run will use */
  gint32      active_id;            /* the drawable the plug-in was called on */
  gint32      source_id;            /* active_id is a result: its source layer, else -1 */
  GtkWidget  *source_toggle;        /* "Stylise its source layer instead" */
  GtkWidget  *continue_toggle;      /* "Continue from this layer" (refine) */
  gint        region_w, region_h;   /* the processed part of the layer */
  GtkWidget  *content_label;
  GtkWidget  *scale_note;           /* "computed at … and enlarged …×" */

  GtkWidget  *dialog;
  GtkWidget  *scrolled, *columns;   /* screen_sized (); NULL while building */
  GtkWidget  *rows_box;
  GList      *rows;                 /* StyleRow* */
  GtkWidget  *add_button;

  GtkObject  *content_weight, *style_weight, *tv_weight;
  GtkObject  *content_blend, *layer_exp;
  GtkObject  *iterations, *tolerance, *multires;
  GtkWidget  *optimizer, *pooling, *init;
  GtkObject  *size, *noiseblend;
  NspResultSize result_size;        /* Working size (fast) / Full layer size */
  GtkWidget  *seed_box;
  guint32     seed;
  gboolean    random_seed;
  GtkWidget  *preserve;
  GtkWidget  *model_chooser;
  GtkWidget  *model_label;
  GtkWidget  *estimate;

  NsModel    *model;                /* loaded once, for the estimate */
  gchar      *model_path;
  NsSpeed     speed;               /* this machine's, for the estimate */
  gboolean    have_speed;
  gchar      *default_model;        /* ns_model_find_default(), shown in the chooser */
  gboolean    building;             /* suppress updates while constructing */
  NspRegionControls regions;        /* Protect, strength, Colours */
  const NspMasks   *masks_in;       /* the masks to start from */

  gint        n_masked;             /* masked styles and ...            */
  gboolean    protect;              /* ... Protect, as last estimated   */

  NspPreview *preview;              /* the live preview (plugin-preview.c) */
  NsImage    *preview_content;      /* the content at preview size, of ... */
  gint32      preview_content_id;   /* ... this drawable */
  gint        preview_content_side;
};

static void dialog_get_masks (Dialog *dlg, NspMasks *masks);

/* ------------------------------------------------------------ helpers */

static GtkWidget *
new_table (gint rows)
{
  GtkWidget *table = gtk_table_new (rows, 3, FALSE);

  gtk_table_set_col_spacings (GTK_TABLE (table), 6);
  gtk_table_set_row_spacings (GTK_TABLE (table), 4);
  return table;
}

/* The scrolled window holding both columns: as large as the columns ask,
 * but no taller than the screen's work area less room for the title bar
 * and the buttons (a GTK 2 scrolled window does not ask for its child's
 * height itself): on a 768 px laptop screen the columns scroll and OK
 * stays in view. */
static void
screen_sized (GtkWidget *scrolled, GtkWidget *child)
{
  GtkRequisition req;
  GdkScreen     *screen = gtk_widget_get_screen (scrolled);
  GdkRectangle   area   = { 0, 0, 0, G_MAXINT };

  gtk_widget_show_all (child);
  gtk_widget_size_request (child, &req);
  if (screen)
    gdk_screen_get_monitor_workarea (screen, gdk_screen_get_primary_monitor (screen), &area);
  /* (the width follows the child: GTK_POLICY_NEVER asks for its width) */
  gtk_widget_set_size_request (scrolled, -1, MIN (req.height, MAX (area.height - 160, 300)));
}

static GtkWidget *
add_frame (GtkWidget *box, const gchar *title, GtkWidget *child)
{
  GtkWidget *frame = gimp_frame_new (title);

  gtk_box_pack_start (GTK_BOX (box), frame, FALSE, FALSE, 0);
  gtk_container_add (GTK_CONTAINER (frame), child);
  return frame;
}

static GtkWidget *
add_combo_row (GtkTable *table, gint row, const gchar *label, GtkWidget *combo)
{
  gimp_table_attach_aligned (table, 0, row, label, 0.0, 0.5, combo, 2, FALSE);
  return combo;
}

static gdouble
adj_value (GtkObject *adj)
{
  return gtk_adjustment_get_value (GTK_ADJUSTMENT (adj));
}

/* The seed box's "value-changed": a value above G_MAXINT32 becomes its low
 * 31 bits, shown, so the box always holds the seed the run uses. */
static void
seed_fold (GtkAdjustment *adj, gpointer data)
{
  gdouble v = gtk_adjustment_get_value (adj);

  (void) data;
  if (v > G_MAXINT32)
    gtk_adjustment_set_value (adj, (gdouble) ((guint32) v & 0x7fffffffu));
}

static void
set_adj (GtkObject *adj, gdouble value)
{
  gtk_adjustment_set_value (GTK_ADJUSTMENT (adj), value);
}

static gint
combo_value (GtkWidget *combo)
{
  gint v = 0;

  gimp_int_combo_box_get_active (GIMP_INT_COMBO_BOX (combo), &v);
  return v;
}

/* ------------------------------------------------------------ values */


static void
dialog_get_values (Dialog *dlg, NspValues *vals, gint32 *style_images)
{
  GList *l;
  gint   n = 0;

  for (l = dlg->rows; l && n < NSP_MAX_STYLES; l = l->next)
    {
      StyleRow *row = l->data;
      gint      id  = -1;

      gimp_int_combo_box_get_active (GIMP_INT_COMBO_BOX (row->combo), &id);
      style_images[n]        = id;
      vals->style_weights[n] = adj_value (row->weight);
      vals->style_scales[n]  = adj_value (row->scale);
      n++;
    }
  vals->n_styles = n;

  vals->content_weight         = adj_value (dlg->content_weight);
  vals->style_weight           = adj_value (dlg->style_weight);
  vals->tv_weight              = adj_value (dlg->tv_weight);
  vals->content_weight_blend   = adj_value (dlg->content_blend);
  vals->style_layer_weight_exp = adj_value (dlg->layer_exp);
  vals->iterations             = (gint) adj_value (dlg->iterations);
  vals->tolerance              = adj_value (dlg->tolerance);
  vals->multires               = (gint) adj_value (dlg->multires);
  vals->optimizer              = combo_value (dlg->optimizer);
  vals->pooling                = combo_value (dlg->pooling);
  vals->init                   = combo_value (dlg->init);
  vals->size                   = nsp_result_size_full (&dlg->result_size)
                                 ? 0 : (gint) adj_value (dlg->size);
  vals->initial_noiseblend     = adj_value (dlg->noiseblend);
  vals->seed                   = dlg->random_seed ? -1 : (gint32) (dlg->seed & 0x7fffffff);
  vals->preserve_colors        = gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (dlg->preserve)) ? 1 : 0;

  {
    gchar *file = gtk_file_chooser_get_filename (GTK_FILE_CHOOSER (dlg->model_chooser));

    /* The default model shown in the chooser stays "" (= the default). */
    if (file && nsp_same_file (file, dlg->default_model))
      g_clear_pointer (&file, g_free);
    g_strlcpy (vals->model, file ? file : "", sizeof vals->model);
    g_free (file);
  }
}

/* --------------------------------------------------- estimate, model */

/* The Result size choices, each labelled with its own time and memory
 * (tiled where the job would tile); the Working size scale only counts
 * while its choice is on. */
static void
update_result_size (Dialog *dlg, const NspValues *vals)
{
  NspValues v = *vals;

  v.size = (gint) adj_value (dlg->size);
  nsp_result_size_update (&dlg->result_size, dlg->model, dlg->have_speed ? &dlg->speed : NULL,
                          &v, dlg->region_w, dlg->region_h, dlg->n_masked, dlg->protect);
  gimp_scale_entry_set_sensitive (dlg->size, !nsp_result_size_full (&dlg->result_size));
}

static void
update_estimate (Dialog *dlg)
{
  NspValues vals;
  gint32    ids[NSP_MAX_STYLES];
  gchar    *text;

  if (dlg->building || !dlg->estimate)
    return;
  memset (&vals, 0, sizeof vals);
  dialog_get_values (dlg, &vals, ids);
  {
    NspMasks masks;
    gint     n_masked = 0;

    dialog_get_masks (dlg, &masks);
    nsp_region_controls_get (&dlg->regions, &vals, &masks.content_mask);
    for (gint i = 0; i < NSP_MAX_STYLES; i++)
      n_masked += masks.style_masks[i] != -1;
    dlg->n_masked = n_masked;
    dlg->protect  = masks.content_mask != -1;
    text = nsp_estimate_text_regions (dlg->model, dlg->have_speed ? &dlg->speed : NULL,
                                      &vals, dlg->region_w, dlg->region_h,
                                      n_masked, masks.content_mask != -1);
  }
  gtk_label_set_text (GTK_LABEL (dlg->estimate), text);
  g_free (text);
  update_result_size (dlg, &vals);
  if (dlg->scale_note)
    {
      NsParams p;
      gint     w, h;

      nsp_values_to_ns_params (&vals, 0, &p);
      ns_working_size (&p, dlg->region_w, dlg->region_h, &w, &h);
      text = nsp_scale_note_text (w, h, dlg->region_w, dlg->region_h);
      gtk_label_set_text (GTK_LABEL (dlg->scale_note), text);
      g_free (text);
    }
  nsp_preview_schedule (dlg->preview);   /* every change restarts the preview */
}

/* NspPreviewGather: the current settings and their pixels at preview size
 * (the content read once per drawable and size), with the masks of the
 * Region, Protect and Colours controls as the full run reads them. */
static gboolean
gather_preview (gpointer data, NspPreviewInput *in)
{
  Dialog   *dlg = data;
  gint32    ids[NSP_MAX_STYLES];
  NspMasks  masks;
  NspRegion region;
  gint      side, w, h;

  memset (in, 0, sizeof *in);
  for (gint i = 0; i < NSP_MAX_STYLES; i++)
    ids[i] = -1;
  dialog_get_values (dlg, &in->vals, ids);
  dialog_get_masks (dlg, &masks);
  nsp_region_controls_get (&dlg->regions, &in->vals, &masks.content_mask);
  if (!nsp_validate_with_images (&in->vals, ids, NULL)
      || !nsp_region_compute (dlg->image_id, dlg->drawable_id, &region, NULL))
    return FALSE;
  side = MIN (NSP_PREVIEW_SIDE, in->vals.size > 0 ? in->vals.size
                                                  : MAX (dlg->region_w, dlg->region_h));
  if (!dlg->preview_content || dlg->preview_content_id != dlg->drawable_id
      || dlg->preview_content_side != side)
    {
      NsImage *full;

      g_clear_pointer (&dlg->preview_content, ns_image_free);
      if (!(full = nsp_read_drawable (dlg->drawable_id, &region, NULL, NULL)))
        return FALSE;
      ns_image_fit_size (full->width, full->height, side, &w, &h);
      dlg->preview_content = ns_image_resize (full, w, h);
      dlg->preview_content_id = dlg->drawable_id;
      dlg->preview_content_side = side;
      ns_image_free (full);
    }
  in->content = ns_image_copy (dlg->preview_content);
  for (gint i = 0; in->content && i < in->vals.n_styles; i++)
    {
      if (!(in->styles[i] = nsp_read_image_composite (ids[i],
                              ns_style_read_side (in->content->width, in->content->height,
                                                  in->vals.style_scales[i]), NULL)))
        return FALSE;
      if (masks.style_masks[i] != -1
          && !(in->style_masks[i] = nsp_preview_fit_mask (
                 nsp_read_mask (masks.style_masks[i], dlg->drawable_id, &region, NULL),
                 in->content)))
        return FALSE;
    }
  if (in->content && masks.content_mask != -1
      && !(in->content_mask = nsp_preview_fit_mask (
             nsp_read_mask (masks.content_mask, dlg->drawable_id, &region, NULL), in->content)))
    return FALSE;
  return in->content != NULL;
}

static void
on_changed (gpointer widget, Dialog *dlg)
{
  (void) widget;
  update_estimate (dlg);
}

/* Load the model for the estimate: the chosen file, else the default
 * (once).  A failure leaves dlg->model NULL ("—"). */
static void
load_model (Dialog *dlg)
{
  gchar *file = gtk_file_chooser_get_filename (GTK_FILE_CHOOSER (dlg->model_chooser));
  gchar *path;
  gchar *text;

  if (file && nsp_same_file (file, dlg->default_model))
    g_clear_pointer (&file, g_free);   /* the default, shown */
  path = file ? g_strdup (file) : g_strdup (dlg->default_model);

  if (g_strcmp0 (path, dlg->model_path) == 0 && (dlg->model || !path))
    {
      g_free (path);
      g_free (file);
      return;
    }
  g_free (path);
  if (dlg->model)
    ns_model_free (dlg->model);
  g_free (dlg->model_path);
  dlg->model = nsp_model_for_dialog (file, &dlg->model_path, &text);
  dlg->have_speed = dlg->model
    && nsp_speed_lookup (dlg->model_path, dlg->model, &dlg->speed, NULL);

  gtk_label_set_text (GTK_LABEL (dlg->model_label), text);
  g_free (text);
  g_free (file);
  update_estimate (dlg);
}

/* The chooser shows the model that will run: the default one when none
 * was chosen ("(None)" only when there is no model at all). */
static void
show_default_model (Dialog *dlg)
{
  gboolean was_building = dlg->building;

  dlg->building = TRUE;
  if (dlg->default_model)
    gtk_file_chooser_set_filename (GTK_FILE_CHOOSER (dlg->model_chooser), dlg->default_model);
  else
    gtk_file_chooser_unselect_all (GTK_FILE_CHOOSER (dlg->model_chooser));
  dlg->building = was_building;
}

static void
on_model_changed (GtkFileChooser *chooser, Dialog *dlg)
{
  (void) chooser;
  if (!dlg->building)
    load_model (dlg);
}

static void
on_model_default (GtkButton *button, Dialog *dlg)
{
  (void) button;
  show_default_model (dlg);
  load_model (dlg);
}

/* ------------------------------------------------------------ styles */

static void
update_percentages (Dialog *dlg)
{
  GList  *l;
  gdouble sum = 0.0;

  for (l = dlg->rows; l; l = l->next)
    sum += adj_value (((StyleRow *) l->data)->weight);

  for (l = dlg->rows; l; l = l->next)
    {
      StyleRow *row = l->data;
      gchar    *text;

      if (sum > 0.0)
        text = g_strdup_printf ("%3.0f %%", 100.0 * adj_value (row->weight) / sum);
      else
        text = g_strdup ("— %");
      gtk_label_set_text (GTK_LABEL (row->percent), text);
      g_free (text);
    }
  gtk_widget_set_sensitive (dlg->add_button, g_list_length (dlg->rows) < NSP_MAX_STYLES);
  for (l = dlg->rows; l; l = l->next)
    {
      StyleRow  *row    = l->data;
      GtkWidget *remove = g_object_get_data (G_OBJECT (row->box), "remove");

      gtk_widget_set_sensitive (remove, dlg->rows->next != NULL);  /* keep one row */
    }
}

static void
on_weight_changed (GtkAdjustment *adj, Dialog *dlg)
{
  (void) adj;
  update_percentages (dlg);
}

/* Show the chosen image's thumbnail (only if the image is still open). */
static void
on_style_image_changed (GtkWidget *combo, StyleRow *row)
{
  gint       id = -1;
  GdkPixbuf *pixbuf = NULL;

  gimp_int_combo_box_get_active (GIMP_INT_COMBO_BOX (combo), &id);
  if (gimp_image_is_valid (id))
    pixbuf = gimp_image_get_thumbnail (id, ROW_THUMB_SIZE, ROW_THUMB_SIZE, GIMP_PIXBUF_SMALL_CHECKS);
  gtk_image_set_from_pixbuf (GTK_IMAGE (row->thumb), pixbuf);
  if (pixbuf)
    g_object_unref (pixbuf);
  update_estimate (row->dlg);
}

static void
on_remove_row (GtkButton *button, StyleRow *row)
{
  Dialog *dlg = row->dlg;

  (void) button;
  dlg->rows = g_list_remove (dlg->rows, row);
  gtk_widget_destroy (row->box);
  g_free (row);
  update_percentages (dlg);
  update_estimate (dlg);
  if (dlg->scrolled)
    screen_sized (dlg->scrolled, dlg->columns);
}

/* GimpImageComboBox labels images "kite.jpg-3" (or "[kite] (imported)-3");
 * show the name the result layer will use ("kite") with the ID only
 * where two open images share a name. */
static gboolean
relabel_one (GtkTreeModel *model, GtkTreePath *path, GtkTreeIter *iter, gpointer data)
{
  gint   id = -1;
  gchar *name, *label;

  (void) path;
  (void) data;
  gtk_tree_model_get (model, iter, GIMP_INT_STORE_VALUE, &id, -1);
  name = nsp_image_display_name (id);
  label = g_strdup_printf ("%s (%d)", name, id);
  gtk_list_store_set (GTK_LIST_STORE (model), iter, GIMP_INT_STORE_LABEL, label, -1);
  g_free (label);
  g_free (name);
  return FALSE;
}

static void
relabel_images (GtkWidget *combo)
{
  gtk_tree_model_foreach (gtk_combo_box_get_model (GTK_COMBO_BOX (combo)), relabel_one, NULL);
}

static void
add_row (Dialog *dlg, gint32 image_id, gdouble weight, gdouble scale)
{
  StyleRow  *row = g_new0 (StyleRow, 1);
  GtkWidget *hscale, *spin, *remove, *label;

  row->dlg = dlg;
  row->box = gtk_hbox_new (FALSE, 6);

  row->thumb = gtk_image_new ();
  gtk_widget_set_size_request (row->thumb, ROW_THUMB_SIZE, ROW_THUMB_SIZE);
  gtk_box_pack_start (GTK_BOX (row->box), row->thumb, FALSE, FALSE, 0);

  row->combo = gimp_image_combo_box_new (NULL, NULL);
  relabel_images (row->combo);
  if (image_id > 0)
    gimp_int_combo_box_set_active (GIMP_INT_COMBO_BOX (row->combo), image_id);
  gimp_help_set_help_data (row->combo, _("A style image; its visible layers are used"), NULL);
  gtk_widget_set_size_request (row->combo, 200, -1);
  gtk_box_pack_start (GTK_BOX (row->box), row->combo, TRUE, TRUE, 0);

  /* TRANSLATORS: Region menu entry: the style applies everywhere */
  row->region = nsp_mask_combo_new (dlg->image_id, dlg->drawable_id, _("Whole image"), -1);
  gimp_help_set_help_data (row->region, _("Region: where this style applies (white parts of "
                                          "the selection, channel or layer mask)"), NULL);
  gtk_widget_set_size_request (row->region, 130, -1);
  gtk_box_pack_start (GTK_BOX (row->box), row->region, FALSE, FALSE, 0);
  g_signal_connect (row->region, "changed", G_CALLBACK (on_changed), dlg);

  row->weight = gtk_adjustment_new (weight, 0.0, WEIGHT_MAX, 1.0, 10.0, 0.0);
  hscale = gtk_hscale_new (GTK_ADJUSTMENT (row->weight));
  gtk_scale_set_draw_value (GTK_SCALE (hscale), TRUE);
  gtk_scale_set_value_pos (GTK_SCALE (hscale), GTK_POS_LEFT);
  gtk_scale_set_digits (GTK_SCALE (hscale), 0);
  gtk_widget_set_size_request (hscale, 130, -1);
  gimp_help_set_help_data (hscale, _("Weight of this style (0–100). The weights are relative: "
                                     "the percentage beside shows this style's share of the blend."), NULL);
  gtk_box_pack_start (GTK_BOX (row->box), hscale, FALSE, FALSE, 0);

  row->percent = gtk_label_new ("100 %");
  gtk_label_set_width_chars (GTK_LABEL (row->percent), 6);
  gtk_misc_set_alignment (GTK_MISC (row->percent), 1.0, 0.5);
  gtk_box_pack_start (GTK_BOX (row->box), row->percent, FALSE, FALSE, 0);

  /* TRANSLATORS: label before the style scale spin button */
  label = gtk_label_new (_("Scale:"));
  gtk_box_pack_start (GTK_BOX (row->box), label, FALSE, FALSE, 0);
  row->scale = gtk_adjustment_new (scale, 0.1, NSP_MAX_STYLE_SCALE, 0.05, 0.25, 0.0);
  spin = gimp_spin_button_new (GTK_ADJUSTMENT (row->scale), 0.05, 2);
  gimp_help_set_help_data (spin, _("Size of the style image relative to the working size"), NULL);
  gtk_box_pack_start (GTK_BOX (row->box), spin, FALSE, FALSE, 0);

  remove = gtk_button_new ();
  gtk_container_add (GTK_CONTAINER (remove),
                     gtk_image_new_from_stock (GTK_STOCK_REMOVE, GTK_ICON_SIZE_MENU));
  gimp_help_set_help_data (remove, _("Remove this style image"), NULL);
  g_object_set_data (G_OBJECT (row->box), "remove", remove);
  gtk_box_pack_start (GTK_BOX (row->box), remove, FALSE, FALSE, 0);

  g_signal_connect (row->weight, "value-changed", G_CALLBACK (on_weight_changed), dlg);
  g_signal_connect (row->scale, "value-changed", G_CALLBACK (on_changed), dlg);
  g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_row), row);
  g_signal_connect (row->combo, "changed", G_CALLBACK (on_style_image_changed), row);
  on_style_image_changed (row->combo, row);

  gtk_box_pack_start (GTK_BOX (dlg->rows_box), row->box, FALSE, FALSE, 0);
  gtk_widget_show_all (row->box);
  dlg->rows = g_list_append (dlg->rows, row);
  update_percentages (dlg);
  update_estimate (dlg);
}

static gboolean
image_in_rows (Dialog *dlg, gint32 id)
{
  for (GList *l = dlg->rows; l; l = l->next)
    {
      gint v = -1;

      gimp_int_combo_box_get_active (GIMP_INT_COMBO_BOX (((StyleRow *) l->data)->combo), &v);
      if (v == id)
        return TRUE;
    }
  return FALSE;
}

/* A new row shows the first open image other than the content that is not
 * used yet. */
static void
on_add_row (GtkButton *button, Dialog *dlg)
{
  gint    n;
  gint32 *ids = gimp_image_list (&n);
  gint32  pick = -1;

  (void) button;
  gdouble sum = 0.0;
  gint    rows = 0;

  /* An image not used yet; none (the user picks one) rather than the same
   * image twice. */
  for (gint i = 0; i < n && pick < 0; i++)
    if (ids[i] != dlg->image_id && !image_in_rows (dlg, ids[i]))
      pick = ids[i];
  g_free (ids);
  /* The new style gets an equal share: the mean of the weights so far. */
  for (GList *l = dlg->rows; l; l = l->next, rows++)
    sum += adj_value (((StyleRow *) l->data)->weight);
  add_row (dlg, pick, rows > 0 && sum > 0.0 ? sum / rows : 50.0, 1.0);
  if (dlg->scrolled)   /* the dialog grows with the row (up to the screen) */
    screen_sized (dlg->scrolled, dlg->columns);
}

/* Rows from the last values if their images are still open, else one row
 * per other open image (at most 4). */
static void
build_rows (Dialog *dlg, const NspValues *vals, const gint32 *style_images)
{
  gdouble sum = 0.0;
  gint    n_valid = 0;

  for (gint i = 0; i < vals->n_styles && i < NSP_MAX_STYLES; i++)
    if (gimp_image_is_valid (style_images[i]))
      {
        sum += vals->style_weights[i];
        n_valid++;
      }

  if (n_valid > 0)
    {
      for (gint i = 0; i < vals->n_styles && i < NSP_MAX_STYLES; i++)
        if (gimp_image_is_valid (style_images[i]))
          {
            add_row (dlg, style_images[i],
                     sum > 0.0 ? WEIGHT_MAX * vals->style_weights[i] / sum : 50.0,
                     CLAMP (vals->style_scales[i], 0.1, NSP_MAX_STYLE_SCALE));
            if (dlg->masks_in && gimp_item_is_valid (dlg->masks_in->style_masks[i]))
              gimp_int_combo_box_set_active (GIMP_INT_COMBO_BOX (((StyleRow *) g_list_last (dlg->rows)->data)->region),
                                             dlg->masks_in->style_masks[i]);
          }
      return;
    }

  {
    gint    n;
    gint32 *ids = gimp_image_list (&n);
    gint    added = 0;

    for (gint i = 0; i < n && added < 4; i++)
      if (ids[i] != dlg->image_id)
        {
          add_row (dlg, ids[i], 50.0, 1.0);
          added++;
        }
    g_free (ids);
    if (added == 0)
      add_row (dlg, -1, 50.0, 1.0);
  }
}

/* ------------------------------------------------------- set / reset */

static void
set_parameters (Dialog *dlg, const NspValues *vals)
{
  gint default_size = MIN (MAX (dlg->region_w, dlg->region_h), DEFAULT_SIZE_CAP);

  set_adj (dlg->content_weight, vals->content_weight);
  set_adj (dlg->style_weight, vals->style_weight);
  set_adj (dlg->tv_weight, vals->tv_weight);
  set_adj (dlg->content_blend, vals->content_weight_blend);
  set_adj (dlg->layer_exp, vals->style_layer_weight_exp);
  set_adj (dlg->iterations, vals->iterations);
  set_adj (dlg->tolerance, vals->tolerance);
  set_adj (dlg->multires, vals->multires);
  gimp_int_combo_box_set_active (GIMP_INT_COMBO_BOX (dlg->optimizer), vals->optimizer);
  gimp_int_combo_box_set_active (GIMP_INT_COMBO_BOX (dlg->pooling), vals->pooling);
  gimp_int_combo_box_set_active (GIMP_INT_COMBO_BOX (dlg->init), vals->init);
  /* size 0: Full layer size (the scale keeps a working size to go back
   * to); < 0: a first run, the default working size */
  set_adj (dlg->size, vals->size > 0 ? vals->size : MAX (default_size, NSP_MIN_SIZE));
  nsp_result_size_set (&dlg->result_size, vals->size == 0);
  set_adj (dlg->noiseblend, vals->initial_noiseblend);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (GIMP_RANDOM_SEED_TOGGLE (dlg->seed_box)),
                                vals->seed < 0);
  if (vals->seed >= 0)
    gtk_adjustment_set_value (gtk_spin_button_get_adjustment
                                (GTK_SPIN_BUTTON (GIMP_RANDOM_SEED_SPINBUTTON (dlg->seed_box))),
                              vals->seed);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (dlg->preserve), vals->preserve_colors != 0);
  if (vals->model[0])
    gtk_file_chooser_set_filename (GTK_FILE_CHOOSER (dlg->model_chooser), vals->model);
  else
    show_default_model (dlg);
}

static void
reset_parameters (Dialog *dlg)
{
  NspValues defaults;

  nsp_values_init (&defaults);
  defaults.size = NSP_DIALOG_SIZE_DEFAULT;
  dlg->building = TRUE;
  set_parameters (dlg, &defaults);
  for (GList *l = dlg->rows; l; l = l->next)
    {
      set_adj (((StyleRow *) l->data)->weight, 50.0);
      set_adj (((StyleRow *) l->data)->scale, 1.0);
      gimp_int_combo_box_set_active (GIMP_INT_COMBO_BOX (((StyleRow *) l->data)->region), -1);
    }
  nsp_region_controls_reset (&dlg->regions);
  dlg->building = FALSE;
  load_model (dlg);
  update_percentages (dlg);
  update_estimate (dlg);
}

/* ------------------------------------------------------------ build */

/* The processed region of dlg->drawable_id. */
static void
compute_region (Dialog *dlg)
{
  NspRegion region;

  if (nsp_region_compute (dlg->image_id, dlg->drawable_id, &region, NULL))
    {
      dlg->region_w = region.width;
      dlg->region_h = region.height;
    }
  else
    {
      dlg->region_w = MAX (1, gimp_drawable_width (dlg->drawable_id));
      dlg->region_h = MAX (1, gimp_drawable_height (dlg->drawable_id));
    }
}

static void
update_content_label (Dialog *dlg)
{
  gchar *image_name = gimp_image_get_name (dlg->image_id);
  gchar *layer_name = gimp_item_get_name (dlg->drawable_id);
  gchar *text;

  text = nsp_content_label_text (image_name, layer_name, gimp_drawable_width (dlg->drawable_id),
                                 gimp_drawable_height (dlg->drawable_id),
                                 dlg->region_w, dlg->region_h);
  gtk_label_set_text (GTK_LABEL (dlg->content_label), text);
  g_free (text);
  g_free (image_name);
  g_free (layer_name);
}

/* The active layer is a result: stylise its source (ticked) or the result. */
static void
on_use_source (GtkToggleButton *toggle, Dialog *dlg)
{
  dlg->drawable_id = gtk_toggle_button_get_active (toggle) ? dlg->source_id : dlg->active_id;
  compute_region (dlg);
  update_content_label (dlg);
  update_estimate (dlg);
}

static GtkWidget *
build_content (Dialog *dlg)
{
  GtkWidget *vbox  = gtk_vbox_new (FALSE, 6);
  GtkWidget *hbox  = gtk_hbox_new (FALSE, 12);
  GdkPixbuf *thumb = gimp_drawable_get_thumbnail (dlg->drawable_id, THUMB_SIZE, THUMB_SIZE,
                                                  GIMP_PIXBUF_SMALL_CHECKS);

  gtk_box_pack_start (GTK_BOX (vbox), hbox, FALSE, FALSE, 0);
  if (thumb)
    {
      gtk_box_pack_start (GTK_BOX (hbox), gtk_image_new_from_pixbuf (thumb), FALSE, FALSE, 0);
      g_object_unref (thumb);
    }
  dlg->content_label = gtk_label_new ("");
  gtk_misc_set_alignment (GTK_MISC (dlg->content_label), 0.0, 0.5);
  gtk_box_pack_start (GTK_BOX (hbox), dlg->content_label, TRUE, TRUE, 0);
  update_content_label (dlg);

  if (dlg->source_id > 0)
    {
      gchar     *name = gimp_item_get_name (dlg->source_id);
      gchar     *text = g_strdup_printf (_("The active layer is a Neural Style result. "
                                           "Stylise its _source layer “%s” instead"), name);
      GtkWidget *toggle = gtk_check_button_new_with_mnemonic (text);

      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (toggle), TRUE);
      gimp_help_set_help_data (toggle,
                               _("Untick to stylise the result itself again (a second pass "
                                 "over an already stylised picture)."), NULL);
      g_signal_connect (toggle, "toggled", G_CALLBACK (on_use_source), dlg);
      gtk_box_pack_start (GTK_BOX (vbox), toggle, FALSE, FALSE, 0);
      dlg->source_toggle = toggle;
      g_free (text);
      g_free (name);

      dlg->continue_toggle = nsp_continue_toggle_new (toggle);
      gtk_box_pack_start (GTK_BOX (vbox), dlg->continue_toggle, FALSE, FALSE, 0);
    }
  return vbox;
}

static GtkWidget *
build_styles (Dialog *dlg, const NspValues *vals, const gint32 *style_images)
{
  GtkWidget *vbox = gtk_vbox_new (FALSE, 6);
  GtkWidget *hbox;

  dlg->rows_box = gtk_vbox_new (FALSE, 4);
  gtk_box_pack_start (GTK_BOX (vbox), dlg->rows_box, FALSE, FALSE, 0);

  hbox = gtk_hbox_new (FALSE, 6);
  gtk_box_pack_start (GTK_BOX (vbox), hbox, FALSE, FALSE, 0);
  dlg->add_button = gtk_button_new_with_mnemonic (_("_Add Style Image"));
  gtk_button_set_image (GTK_BUTTON (dlg->add_button),
                        gtk_image_new_from_stock (GTK_STOCK_ADD, GTK_ICON_SIZE_BUTTON));
  gimp_help_set_help_data (dlg->add_button,
                           _("Blend several styles; the percentages show each one's share"), NULL);
  gtk_box_pack_start (GTK_BOX (hbox), dlg->add_button, FALSE, FALSE, 0);
  g_signal_connect (dlg->add_button, "clicked", G_CALLBACK (on_add_row), dlg);

  build_rows (dlg, vals, style_images);
  return vbox;
}

static GtkWidget *
build_model (Dialog *dlg)
{
  GtkWidget     *vbox = gtk_vbox_new (FALSE, 6);
  GtkWidget     *hbox = gtk_hbox_new (FALSE, 6);
  GtkWidget     *button;
  GtkFileFilter *filter;

  gtk_box_pack_start (GTK_BOX (vbox), hbox, FALSE, FALSE, 0);
  dlg->model_chooser = gtk_file_chooser_button_new (_("Select a Network Model"),
                                                    GTK_FILE_CHOOSER_ACTION_OPEN);
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Safetensors models (*.safetensors)"));
  gtk_file_filter_add_pattern (filter, "*.safetensors");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dlg->model_chooser), filter);
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("All files"));
  gtk_file_filter_add_pattern (filter, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dlg->model_chooser), filter);
  gimp_help_set_help_data (dlg->model_chooser,
                           _("VGG-19, VGG-16 or SqueezeNet 1.1 weights (.safetensors); "
                             "none chosen = the default model"), NULL);
  gtk_box_pack_start (GTK_BOX (hbox), dlg->model_chooser, TRUE, TRUE, 0);
  g_signal_connect (dlg->model_chooser, "selection-changed", G_CALLBACK (on_model_changed), dlg);

  button = gtk_button_new_with_mnemonic (_("Use _Default"));
  gimp_help_set_help_data (button, _("Use the installed default model"), NULL);
  gtk_box_pack_start (GTK_BOX (hbox), button, FALSE, FALSE, 0);
  g_signal_connect (button, "clicked", G_CALLBACK (on_model_default), dlg);

  dlg->model_label = gtk_label_new ("");
  gtk_misc_set_alignment (GTK_MISC (dlg->model_label), 0.0, 0.5);
  gtk_label_set_ellipsize (GTK_LABEL (dlg->model_label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_box_pack_start (GTK_BOX (vbox), dlg->model_label, FALSE, FALSE, 0);

  dlg->estimate = gtk_label_new ("");
  gtk_misc_set_alignment (GTK_MISC (dlg->estimate), 0.0, 0.5);
  gimp_label_set_attributes (GTK_LABEL (dlg->estimate), PANGO_ATTR_WEIGHT, PANGO_WEIGHT_BOLD, -1);
  gtk_box_pack_start (GTK_BOX (vbox), dlg->estimate, FALSE, FALSE, 0);
  return vbox;
}

/* The tooltip of the setting `property` on `widget`. */
static void
set_tooltip (GtkWidget *widget, const gchar *property)
{
  gchar *tooltip = nsp_control_tooltip (property);

  gimp_help_set_help_data (widget, tooltip, NULL);
  g_free (tooltip);
}

/* A scale entry for the setting `property` (label and tooltip from
 * plug-in/common/plugin-labels.c). */
static GtkObject *
scale_entry (GtkWidget *table, gint row, const gchar *property, gdouble value,
             gdouble lower, gdouble upper, gdouble step, gdouble page, guint digits,
             gboolean logarithmic, Dialog *dlg)
{
  gchar     *tooltip = nsp_control_tooltip (property);
  GtkObject *adj = gimp_scale_entry_new (GTK_TABLE (table), 0, row, nsp_control_label (property),
                                         120, 6, value, lower, upper, step, page, digits,
                                         TRUE, 0, 0, tooltip, NULL);
  g_free (tooltip);
  if (logarithmic)
    gimp_scale_entry_set_logarithmic (adj, TRUE);
  g_signal_connect (adj, "value-changed", G_CALLBACK (on_changed), dlg);
  return adj;
}

/* The picture-level wording (what changes in the result) is the label;
 * the technical name follows in the tooltip. */
static GtkWidget *
build_loss (Dialog *dlg)
{
  GtkWidget *table = new_table (5);

  dlg->content_weight = scale_entry (table, 0, "content-weight", 1.0, 0.0, 1000.0, 0.1, 1.0, 2, TRUE, dlg);
  dlg->style_weight = scale_entry (table, 1, "style-weight", 10.0, 0.0, 10000.0, 1.0, 10.0, 2, TRUE, dlg);
  dlg->tv_weight = scale_entry (table, 2, "tv-weight", 1.0, 0.0, 1000.0, 0.1, 1.0, 3, TRUE, dlg);
  dlg->content_blend = scale_entry (table, 3, "content-weight-blend", 1.0, 0.0, 1.0, 0.05, 0.1, 2, FALSE, dlg);
  dlg->layer_exp = scale_entry (table, 4, "style-layer-weight-exp", 1.0, 0.1, 10.0, 0.1, 0.5, 2, FALSE, dlg);
  return table;
}

static GtkWidget *
build_optimisation (Dialog *dlg)
{
  GtkWidget *table = new_table (5);
  gchar     *tip;

  /* One limit: the slider covers the usual range, the entry takes up to
   * the PDB's maximum. */
  tip = nsp_control_tooltip ("iterations");
  dlg->iterations = GTK_OBJECT (gimp_scale_entry_new (GTK_TABLE (table), 0, 0,
                                                      nsp_control_label ("iterations"), 120, 6,
                                                      50, 0, 2000, 1, 10, 0,
                                                      FALSE, 0, NSP_MAX_ITERATIONS, tip, NULL));
  g_signal_connect (dlg->iterations, "value-changed", G_CALLBACK (on_changed), dlg);
  g_free (tip);
  dlg->tolerance = scale_entry (table, 1, "tolerance", 0.0, 0.0, 0.1, 0.0001, 0.001, 4, FALSE, dlg);
  dlg->multires = scale_entry (table, 2, "multires", 0, 0, NSP_MAX_MULTIRES, 1, 1, 0, FALSE, dlg);

  dlg->optimizer = gimp_int_combo_box_new (_("L-BFGS"), NS_OPTIMIZER_LBFGS,
                                           _("Adam"), NS_OPTIMIZER_ADAM, NULL);
  add_combo_row (GTK_TABLE (table), 3, nsp_control_label ("optimizer"), dlg->optimizer);
  set_tooltip (dlg->optimizer, "optimizer");
  g_signal_connect (dlg->optimizer, "changed", G_CALLBACK (on_changed), dlg);

  dlg->pooling = gimp_int_combo_box_new (_("Max"), NS_POOLING_MAX,
                                         _("Average"), NS_POOLING_AVG, NULL);
  add_combo_row (GTK_TABLE (table), 4, nsp_control_label ("pooling"), dlg->pooling);
  set_tooltip (dlg->pooling, "pooling");
  return table;
}

static GtkWidget *
build_output (Dialog *dlg)
{
  GtkWidget *table = new_table (9);
  GtkWidget *label;
  gint       longest = MAX (dlg->region_w, dlg->region_h);

  /* Result size: the working size (scale) or the layer's own (size 0) */
  label = gtk_label_new (_("Result size:"));
  gtk_misc_set_alignment (GTK_MISC (label), 0.0, 0.5);
  gtk_table_attach (GTK_TABLE (table), label, 0, 3, 0, 1, GTK_FILL, GTK_FILL, 0, 0);
  nsp_result_size_init (&dlg->result_size, FALSE);
  gtk_table_attach (GTK_TABLE (table), dlg->result_size.working, 0, 3, 1, 2, GTK_FILL, GTK_FILL,
                    0, 0);
  dlg->size = scale_entry (table, 2, "size", MIN (longest, DEFAULT_SIZE_CAP),
                           NSP_MIN_SIZE, MAX (MIN (longest, NSP_MAX_SIZE), NSP_MIN_SIZE + 1),
                           1, 64, 0, FALSE, dlg);
  gtk_table_attach (GTK_TABLE (table), dlg->result_size.full, 0, 3, 3, 4, GTK_FILL, GTK_FILL,
                    0, 0);
  g_signal_connect (dlg->result_size.full, "toggled", G_CALLBACK (on_changed), dlg);
  dlg->scale_note = gtk_label_new ("");
  gtk_misc_set_alignment (GTK_MISC (dlg->scale_note), 0.0, 0.5);
  gtk_table_attach (GTK_TABLE (table), dlg->scale_note, 0, 3, 4, 5, GTK_FILL, GTK_FILL, 0, 0);

  dlg->init = gimp_int_combo_box_new (_("Content"), NS_INIT_CONTENT,
                                      _("Noise"), NS_INIT_NOISE, NULL);
  add_combo_row (GTK_TABLE (table), 5, nsp_control_label ("init"), dlg->init);
  set_tooltip (dlg->init, "init");

  dlg->noiseblend = scale_entry (table, 6, "initial-noiseblend", 0.0, 0.0, 1.0, 0.05, 0.1, 2, FALSE, dlg);

  dlg->seed = g_random_int () & 0x7fffffff;
  dlg->seed_box = gimp_random_seed_new (&dlg->seed, &dlg->random_seed);
  {
    GtkAdjustment *adj = gtk_spin_button_get_adjustment
                           (GTK_SPIN_BUTTON (GIMP_RANDOM_SEED_SPINBUTTON (dlg->seed_box)));

    /* The box takes GimpRandomSeed's full 32-bit values (New Seed and
     * Randomize put g_random_int () in it; an upper bound of G_MAXINT32
     * clamped half of them to 2147483647) and seed_fold keeps it at the
     * non-negative INT32 the PDB's seed is. */
    gtk_adjustment_set_upper (adj, G_MAXUINT32);
    g_signal_connect (adj, "value-changed", G_CALLBACK (seed_fold), NULL);
    gtk_adjustment_set_value (adj, g_random_int () & 0x7fffffff);
  }
  gimp_table_attach_aligned (GTK_TABLE (table), 0, 7, nsp_control_label ("seed"), 0.0, 0.5,
                             dlg->seed_box, 2, TRUE);

  dlg->preserve = gtk_check_button_new_with_mnemonic (nsp_control_label ("preserve-colors"));
  set_tooltip (dlg->preserve, "preserve-colors");
  gtk_table_attach (GTK_TABLE (table), dlg->preserve, 0, 3, 8, 9, GTK_FILL, GTK_FILL, 0, 0);
  return table;
}

/* Help: the plug-in's own page (GIMP's manual has none), opened in the
 * web browser through GIMP's plug-in-web-browser. */
static void
show_help (const gchar *help_id, gpointer help_data)
{
  gchar *uri = nsp_help_uri ();
  gint   n_return = 0;

  (void) help_id;
  (void) help_data;
  if (uri)
    gimp_destroy_params (gimp_run_procedure ("plug-in-web-browser", &n_return,
                                             GIMP_PDB_STRING, uri, GIMP_PDB_END),
                         n_return);
  else
    g_message (_("The Neural Style help page is not installed; see the section "
                 "“The GIMP plug-in” of README.md in the plug-in's sources."));
  g_free (uri);
}

/* Test hook (tests/gimp under Xvfb): $NEURAL_STYLE_TEST_DIALOG is a comma
 * separated list of steps ("reset", "ok", "cancel" responses; "preset=N"
 * chooses preset N; "wait"; "change" raises the content weight; "continue"
 * ticks Continue from this layer; "small" sets 8 iterations at size 64;
 * "iterations=N" sets N iterations; "add" presses Add Style Image;
 * "seed=N" unticks Randomize, types N
 * into the seed box and logs the box's value; "full" / "working" choose the Result
 * size; "sizes" appends both
 * Result size labels and the estimate line to
 * $NEURAL_STYLE_TEST_PREVIEW_LOG;
 * "protect" / "unprotect" choose the image's first channel / nothing in
 * Protect) the dialog takes itself, one every 300 ms, once it is shown. */
typedef struct
{
  GtkWidget *dialog;
  gchar    **steps;
  gint       next;
  GtkWidget *continue_toggle;   /* NULL when not offered */
  GtkObject *change;            /* the control "change" moves */
  gint64     last;              /* monotonic µs of the previous step */
  Dialog    *dlg;               /* "small", "protect", "unprotect" */
} AutoResponse;

/* The steps "small", "iterations=N", "add", "seed=N", "full", "working",
 * "sizes", "protect", "unprotect"; FALSE for any other. */
static gboolean
auto_settings_step (Dialog *dlg, const gchar *step)
{
  if (g_strcmp0 (step, "small") == 0)
    {
      set_adj (dlg->iterations, 8);
      set_adj (dlg->size, 64);
    }
  else if (g_str_has_prefix (step, "iterations="))
    set_adj (dlg->iterations, atoi (step + 11));
  else if (g_strcmp0 (step, "add") == 0)
    gtk_button_clicked (GTK_BUTTON (dlg->add_button));
  else if (g_str_has_prefix (step, "seed="))
    {
      /* Randomize off, N typed into the box (as New Seed would put it);
       * the box's value goes to $NEURAL_STYLE_TEST_PREVIEW_LOG */
      GtkSpinButton *spin = GTK_SPIN_BUTTON (GIMP_RANDOM_SEED_SPINBUTTON (dlg->seed_box));
      const gchar   *log  = g_getenv ("NEURAL_STYLE_TEST_PREVIEW_LOG");
      FILE          *f;

      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (GIMP_RANDOM_SEED_TOGGLE (dlg->seed_box)),
                                    FALSE);
      gtk_spin_button_set_value (spin, g_ascii_strtod (step + 5, NULL));
      if (log && *log && (f = fopen (log, "a")))
        {
          fprintf (f, "seed-box %.0f\n", gtk_spin_button_get_value (spin));
          fclose (f);
        }
    }
  else if (nsp_result_size_test_step (&dlg->result_size, step, dlg->estimate))
    ;
  else if (g_strcmp0 (step, "protect") == 0 || g_strcmp0 (step, "unprotect") == 0)
    {
      gint    n = 0;
      gint32 *channels = gimp_image_get_channels (dlg->image_id, &n);

      gimp_int_combo_box_set_active (GIMP_INT_COMBO_BOX (dlg->regions.protect),
                                     step[0] == 'p' && n > 0 ? channels[0] : -1);
      g_free (channels);
    }
  else
    return FALSE;
  return TRUE;
}

static gboolean
auto_respond (gpointer data)
{
  AutoResponse *ar   = data;
  const gchar  *step = ar->steps[ar->next];

  if (!step)
    return G_SOURCE_REMOVE;
  ar->next++;
  {
    /* with $NEURAL_STYLE_TEST_PREVIEW_LOG: when each step ran (the steps
     * are 300 ms apart while the main loop is free) */
    const gchar *log = g_getenv ("NEURAL_STYLE_TEST_PREVIEW_LOG");
    gint64       now = g_get_monotonic_time ();
    FILE        *f;

    if (log && *log && (f = fopen (log, "a")))
      {
        fprintf (f, "step %s gap %.3f s\n", step, ar->last ? (now - ar->last) / 1e6 : 0.0);
        fclose (f);
      }
    ar->last = now;
  }
  if (g_str_has_prefix (step, "preset="))
    /* choose a preset as a user would (the combo's "changed") */
    gimp_int_combo_box_set_active (GIMP_INT_COMBO_BOX (g_object_get_data (G_OBJECT (ar->dialog),
                                                                          "nsp-preset-combo")),
                                   atoi (step + 7));
  else if (g_strcmp0 (step, "reset") == 0)
    gtk_dialog_response (GTK_DIALOG (ar->dialog), RESPONSE_RESET);
  else if (g_strcmp0 (step, "wait") == 0 || auto_settings_step (ar->dlg, step))
    ;
  else if (g_strcmp0 (step, "change") == 0)     /* a control changes (the preview restarts) */
    gtk_adjustment_set_value (GTK_ADJUSTMENT (ar->change), adj_value (ar->change) + 5.0);
  else if (g_strcmp0 (step, "continue") == 0)   /* tick it where it is offered */
    {
      if (ar->continue_toggle)
        gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (ar->continue_toggle), TRUE);
    }
  else if (g_strcmp0 (step, "ok") == 0)
    gtk_dialog_response (GTK_DIALOG (ar->dialog), GTK_RESPONSE_OK);
  else
    gtk_dialog_response (GTK_DIALOG (ar->dialog), GTK_RESPONSE_CANCEL);
  return ar->steps[ar->next] ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* Drop rows whose image has been closed meanwhile; FALSE if none is left. */
static gboolean
prune_closed_images (Dialog *dlg)
{
  GList *l = dlg->rows;

  while (l)
    {
      StyleRow *row  = l->data;
      GList    *next = l->next;
      gint      id   = -1;

      gimp_int_combo_box_get_active (GIMP_INT_COMBO_BOX (row->combo), &id);
      if (!gimp_image_is_valid (id))
        {
          dlg->rows = g_list_delete_link (dlg->rows, l);
          gtk_widget_destroy (row->box);
          g_free (row);
        }
      l = next;
    }
  return dlg->rows != NULL;
}

/* The source layer of a result layer (by the tattoo in its parasite), or -1. */
static gint32
result_source_layer (gint32 image_id, gint32 drawable_id)
{
  GimpParasite *parasite = gimp_item_get_parasite (drawable_id, PLUG_IN_PARASITE);
  gint32        source = -1;

  if (parasite)
    {
      gchar *text   = g_strndup (gimp_parasite_data (parasite), gimp_parasite_data_size (parasite));
      guint  tattoo = nsp_parasite_source_tattoo (text);

      if (tattoo)
        source = gimp_image_get_layer_by_tattoo (image_id, (gint) tattoo);
      if (source == drawable_id || (source > 0 && !gimp_item_is_valid (source)))
        source = -1;
      g_free (text);
      gimp_parasite_free (parasite);
    }
  return source > 0 ? source : -1;
}

/* The region of each style row, in the rows' order. */
static void
dialog_get_masks (Dialog *dlg, NspMasks *masks)
{
  gint n = 0;

  nsp_masks_init (masks);
  for (GList *l = dlg->rows; l && n < NSP_MAX_STYLES; l = l->next)
    masks->style_masks[n++] = nsp_mask_combo_get (((StyleRow *) l->data)->region);
}

/* A result layer: its own settings (parasite) replace the last values;
 * styles whose images are closed stay out (all closed: the last styles). */
static void
values_from_result (gint32 image_id, gint32 layer, NspValues *vals, gint32 *style_images)
{
  NspValues refined;
  gint32    ids[NSP_MAX_STYLES], source, n = 0;

  if (!nsp_refine_lookup (image_id, layer, &refined, ids, &source, NULL))
    return;
  for (gint i = 0; i < refined.n_styles; i++)
    if (ids[i] >= 0)
      {
        refined.style_weights[n] = refined.style_weights[i];
        refined.style_scales[n] = refined.style_scales[i];
        ids[n++] = ids[i];
      }
  if (n == 0)
    return;
  refined.n_styles = n;
  for (gint i = n; i < NSP_MAX_STYLES; i++)
    ids[i] = -1;
  *vals = refined;
  memcpy (style_images, ids, sizeof ids);
}

gboolean
nsp_dialog_run (gint32     image_id,
                gint32    *drawable_id,
                gint32    *start_layer,
                NspValues *vals,
                gint32    *style_images)
{
  NspMasks masks;

  nsp_masks_init (&masks);
  return nsp_dialog_run_regions (image_id, drawable_id, start_layer, vals, style_images, &masks);
}

gboolean
nsp_dialog_run_regions (gint32     image_id,
                        gint32    *drawable_id,
                        gint32    *start_layer,
                        NspValues *vals,
                        gint32    *style_images,
                        NspMasks  *masks)
{
  Dialog     dlg;
  GtkWidget *main_hbox, *scrolled, *left, *right, *loss, *preset;
  gboolean   ok = FALSE;
  AutoResponse auto_resp = { NULL, NULL, 0, NULL, NULL, 0, NULL };
  guint      auto_source = 0;

  memset (&dlg, 0, sizeof dlg);
  dlg.image_id    = image_id;
  dlg.active_id   = *drawable_id;
  dlg.source_id   = result_source_layer (image_id, *drawable_id);
  dlg.drawable_id = dlg.source_id > 0 ? dlg.source_id : *drawable_id;
  if (dlg.source_id > 0)
    values_from_result (image_id, *drawable_id, vals, style_images);
  dlg.default_model = ns_model_find_default (NULL);
  dlg.building    = TRUE;
  dlg.masks_in    = masks;
  compute_region (&dlg);

  dlg.dialog = gimp_dialog_new (_("Neural Style"), PLUG_IN_ROLE,
                                NULL, 0,
                                show_help, PLUG_IN_PROC,
                                _("_Reset"),  RESPONSE_RESET,
                                _("_Cancel"), GTK_RESPONSE_CANCEL,
                                _("_OK"),     GTK_RESPONSE_OK,
                                NULL);
  gtk_dialog_set_alternative_button_order (GTK_DIALOG (dlg.dialog),
                                           RESPONSE_RESET, GTK_RESPONSE_OK,
                                           GTK_RESPONSE_CANCEL, -1);
  gimp_window_set_transient (GTK_WINDOW (dlg.dialog));

  main_hbox = gtk_hbox_new (FALSE, 12);
  gtk_container_set_border_width (GTK_CONTAINER (main_hbox), 12);
  scrolled = gtk_scrolled_window_new (NULL, NULL);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_add_with_viewport (GTK_SCROLLED_WINDOW (scrolled), main_hbox);
  gtk_viewport_set_shadow_type (GTK_VIEWPORT (gtk_bin_get_child (GTK_BIN (scrolled))),
                                GTK_SHADOW_NONE);
  gtk_box_pack_start (GTK_BOX (gtk_dialog_get_content_area (GTK_DIALOG (dlg.dialog))),
                      scrolled, TRUE, TRUE, 0);
  left  = gtk_vbox_new (FALSE, 12);
  right = gtk_vbox_new (FALSE, 12);
  gtk_box_pack_start (GTK_BOX (main_hbox), left, TRUE, TRUE, 0);
  gtk_box_pack_start (GTK_BOX (main_hbox), right, TRUE, TRUE, 0);

  add_frame (left, _("Content"), build_content (&dlg));
  add_frame (left, _("Style Images"), build_styles (&dlg, vals, style_images));
  add_frame (left, _("Model"), build_model (&dlg));
  loss = gtk_vbox_new (FALSE, 6);
  gtk_box_pack_start (GTK_BOX (loss), build_loss (&dlg), FALSE, FALSE, 0);
  add_frame (right, _("Loss Weights"), loss);
  add_frame (right, _("Optimization"), build_optimisation (&dlg));
  add_frame (right, _("Output"), build_output (&dlg));
  /* The Preset row on top of the weights (its settings exist only now). */
  preset = nsp_preset_row_new (GTK_ADJUSTMENT (dlg.content_weight), GTK_ADJUSTMENT (dlg.style_weight),
                               GTK_ADJUSTMENT (dlg.tv_weight), GTK_ADJUSTMENT (dlg.noiseblend));
  gtk_box_pack_start (GTK_BOX (loss), preset, FALSE, FALSE, 0);
  gtk_box_reorder_child (GTK_BOX (loss), preset, 0);
  g_object_set_data (G_OBJECT (dlg.dialog), "nsp-preset-combo", nsp_preset_row_combo (preset));
  dlg.preview = nsp_preview_new (gather_preview, &dlg);
  add_frame (left, _("Preview"), nsp_preview_widget (dlg.preview));
  /* under the preview: the columns come out about as tall as each other */
  add_frame (left, _("Regions and Colours"),
             nsp_region_controls_new (&dlg.regions, image_id, dlg.drawable_id, vals,
                                      gimp_item_is_valid (masks->content_mask)
                                      ? masks->content_mask : -1));
  screen_sized (scrolled, main_hbox);
  dlg.scrolled = scrolled;
  dlg.columns  = main_hbox;

  set_parameters (&dlg, vals);
  /* Connect the rest only now, so building does not trigger updates. */
  g_signal_connect (dlg.init, "changed", G_CALLBACK (on_changed), &dlg);
  g_signal_connect (dlg.pooling, "changed", G_CALLBACK (on_changed), &dlg);
  g_signal_connect (dlg.regions.protect, "changed", G_CALLBACK (on_changed), &dlg);
  g_signal_connect (dlg.regions.colours, "changed", G_CALLBACK (on_changed), &dlg);
  dlg.building = FALSE;
  load_model (&dlg);             /* the default model once, for the estimate */
  update_percentages (&dlg);
  update_estimate (&dlg);

  gtk_widget_show_all (dlg.dialog);

  {
    const gchar *script = g_getenv ("NEURAL_STYLE_TEST_DIALOG");

    if (script && *script)
      {
        auto_resp.dialog = dlg.dialog;
        auto_resp.continue_toggle = dlg.continue_toggle;
        auto_resp.change = dlg.content_weight;
        auto_resp.dlg    = &dlg;
        auto_resp.steps  = g_strsplit (script, ",", 64);
        auto_source = g_timeout_add (300, auto_respond, &auto_resp);
      }
  }

  for (;;)
    {
      gint response = gimp_dialog_run (GIMP_DIALOG (dlg.dialog));

      if (response == RESPONSE_RESET)
        {
          reset_parameters (&dlg);
          continue;
        }
      if (response != GTK_RESPONSE_OK)
        break;

      if (!prune_closed_images (&dlg))
        {
          g_message (_("All style images have been closed. Open a style image and add it."));
          add_row (&dlg, -1, 50.0, 1.0);
          continue;
        }
      {
        NspValues tmp = *vals;
        gint32    ids[NSP_MAX_STYLES];
        NspMasks  tmp_masks;
        GError   *err = NULL;

        for (gint i = 0; i < NSP_MAX_STYLES; i++)
          ids[i] = -1;
        dialog_get_values (&dlg, &tmp, ids);
        dialog_get_masks (&dlg, &tmp_masks);
        nsp_region_controls_get (&dlg.regions, &tmp, &tmp_masks.content_mask);
        if (!nsp_validate_with_images (&tmp, ids, &err)
            || !nsp_masks_validate (&tmp, &tmp_masks, &err))
          {
            g_message ("%s", err->message);
            g_clear_error (&err);
            continue;
          }
        *vals = tmp;
        *masks = tmp_masks;
        memcpy (style_images, ids, sizeof ids);
        *drawable_id = dlg.drawable_id;
        *start_layer = dlg.continue_toggle
                       && gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (dlg.continue_toggle))
                       ? dlg.active_id : -1;
        ok = TRUE;
        break;
      }
    }

  if (auto_source && auto_resp.steps[auto_resp.next])
    g_source_remove (auto_source);
  g_strfreev (auto_resp.steps);
  dlg.building = TRUE;            /* no more updates while tearing down */
  nsp_preview_free (dlg.preview);  /* closing the dialog cancels the preview */
  dlg.preview = NULL;
  g_clear_pointer (&dlg.preview_content, ns_image_free);
  gtk_widget_destroy (dlg.dialog);
  g_list_free_full (dlg.rows, g_free);
  if (dlg.model)
    ns_model_free (dlg.model);
  g_free (dlg.model_path);
  g_free (dlg.default_model);
  return ok;
}
