/* plugin-dialog.c — the interactive settings dialog (GIMP 3: a
 * GimpProcedureDialog on the procedure's config, GTK 3).
 *
 * Left column: the content layer, the list of style images (one row each:
 * image combo with thumbnail, weight slider with its normalised share in %,
 * scale, remove button; "Add Style Image"), the model file and the live
 * size / time / memory estimate.  Right column: every engine option, as
 * the config's own widgets (GimpProcedureDialog's Reset button restores
 * them).  The same controls as the GIMP 2.10 dialog.
 *
 * Style images may be closed while the dialog is open: rows are checked
 * with gimp_image_is_valid() before they are used.
 */
#include "plugin-dialog.h"
#include "plugin-config.h"
#include "plugin-dialog-regions.h"
#include "plugin-continue.h"
#include "plugin-continue-toggle.h"
#include "plugin-dialog-preview.h"
#include "plugin-help.h"
#include "plugin-io.h"
#include "plugin-labels.h"
#include "plugin-preset-combo.h"
#include "plugin-result-size.h"
#include "plugin-texts.h"
#include "plugin-speed.h"
#include "plugin-i18n.h"

#include <libgimp/gimpui.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_SIZE_CAP    512     /* default working size: layer size capped here */
#define THUMB_SIZE          48      /* content thumbnail */
#define ROW_THUMB_SIZE      32      /* style row thumbnails */
#define WEIGHT_MAX          100.0

typedef struct Dialog Dialog;

typedef struct
{
  Dialog        *dlg;
  GtkWidget     *box;          /* the row's hbox */
  GtkWidget     *combo;        /* GimpImageComboBox (image IDs) */
  GtkWidget     *thumb;        /* the chosen image's thumbnail */
  GtkWidget     *remove;
  GtkAdjustment *weight;       /* raw weight 0..100 */
  GtkWidget     *percent;      /* normalised share */
  GtkAdjustment *scale;        /* style scale */
  GtkWidget     *region;       /* where the style applies (plugin-dialog-regions) */
} StyleRow;

struct Dialog
{
  GimpProcedureConfig *config;
  GimpImage           *image;
  GimpDrawable        *drawable;             /* the content the run will use */
  GimpDrawable        *active;               /* the drawable the plug-in was called on */
  GimpLayer           *source;               /* active is a result: its source layer */
  GtkWidget           *continue_toggle;      /* "Continue from this layer" (plugin-continue.c) */
  gint                 region_w, region_h;   /* the processed part of the layer */
  GtkWidget           *content_label;
  GtkWidget           *scale_note;           /* "computed at … and enlarged …×" */

  GtkWidget           *dialog;
  GtkWidget           *rows_box;
  GList               *rows;                 /* StyleRow* */
  GtkWidget           *add_button;
  GtkWidget           *model_chooser;
  GtkWidget           *model_label;
  GtkWidget           *estimate;
  NspResultSize        result_size;          /* Working size (fast) / Full layer size */

  NsModel             *model;                /* loaded once, for the estimate */
  gchar               *model_path;
  NsSpeed              speed;          /* this machine's, for the estimate */
  gboolean             have_speed;
  gchar               *default_model;        /* ns_model_find_default(), shown in the chooser */
  gboolean             building;             /* suppress updates while constructing */
  NspDialogPreview    *preview;              /* plugin-dialog-preview.c */
};

/* ------------------------------------------------------------ values */

static GimpImage *
row_image (StyleRow *row)
{
  gint       id = -1;
  GimpImage *image;

  gimp_int_combo_box_get_active (GIMP_INT_COMBO_BOX (row->combo), &id);
  image = id > 0 ? gimp_image_get_by_id (id) : NULL;
  return (image && gimp_image_is_valid (image)) ? image : NULL;
}

/* The rows into the config (style-images, -weights, -scales). */
static void
store_rows (Dialog *dlg)
{
  GimpImage    *images[NSP_MAX_STYLES];
  GimpDrawable *masks[NSP_MAX_STYLES];
  gdouble       weights[NSP_MAX_STYLES], scales[NSP_MAX_STYLES];
  gint          n = 0;

  for (GList *l = dlg->rows; l && n < NSP_MAX_STYLES; l = l->next)
    {
      StyleRow  *row   = l->data;
      GimpImage *image = row_image (row);

      if (!image)
        continue;
      images[n]  = image;
      weights[n] = gtk_adjustment_get_value (row->weight);
      scales[n]  = gtk_adjustment_get_value (row->scale);
      masks[n]   = nsp_region_combo_get (row->region);
      n++;
    }
  nsp_config_set_styles (dlg->config, images, weights, scales, n);
  nsp_regions_set_style_masks (dlg->config, dlg->drawable, masks, n);
}

/* --------------------------------------------------- estimate, model */

/* The Result size choices, each labelled with its own time and memory
 * (tiled where the job would tile); the Working size scale (the config's
 * "size") only counts while its choice is on. */
static void
update_result_size (Dialog *dlg, const NspValues *vals, gint n_masked, gboolean protect)
{
  if (!dlg->result_size.full)
    return;
  nsp_result_size_update (&dlg->result_size, dlg->model, dlg->have_speed ? &dlg->speed : NULL,
                          vals, dlg->region_w, dlg->region_h, n_masked, protect);
  gtk_widget_set_sensitive (gimp_procedure_dialog_get_widget (GIMP_PROCEDURE_DIALOG (dlg->dialog),
                                                              "size", G_TYPE_NONE),
                            !nsp_result_size_full (&dlg->result_size));
}

static void
update_estimate (Dialog *dlg)
{
  NspValues  vals;
  GimpImage *images[NSP_MAX_STYLES];
  gchar     *text;
  gint       n_masked;
  gboolean   protect;

  if (dlg->building || !dlg->estimate)
    return;
  store_rows (dlg);
  if (!nsp_config_get_values (dlg->config, &vals, images, NULL))
    return;
  nsp_dialog_regions_count (dlg->config, dlg->drawable, &vals, &n_masked, &protect);
  update_result_size (dlg, &vals, n_masked, protect);
  if (nsp_result_size_full (&dlg->result_size))
    vals.size = 0;
  text = nsp_estimate_text_regions (dlg->model, dlg->have_speed ? &dlg->speed : NULL, &vals,
                                    dlg->region_w, dlg->region_h, n_masked, protect);
  gtk_label_set_text (GTK_LABEL (dlg->estimate), text);
  g_free (text);
  text = nsp_values_scale_note (&vals, dlg->region_w, dlg->region_h);
  gtk_label_set_text (GTK_LABEL (dlg->scale_note), text);
  g_free (text);
}

static void
on_config_changed (GObject *config, GParamSpec *pspec, Dialog *dlg)
{
  (void) config;
  /* The style arrays are written by store_rows (from update_estimate). */
  if (g_str_has_prefix (pspec->name, "style-"))
    return;
  if (g_strcmp0 (pspec->name, "full-layer-size") == 0 && dlg->result_size.full)
    {
      gboolean full = FALSE;   /* (GIMP's Reset menu sets it too) */

      g_object_get (config, "full-layer-size", &full, NULL);
      if (full != nsp_result_size_full (&dlg->result_size))
        nsp_result_size_set (&dlg->result_size, full);
    }
  update_estimate (dlg);
}

/* The Result size buttons write the config's "full-layer-size". */
static void
on_result_size_toggled (GtkToggleButton *button, Dialog *dlg)
{
  (void) button;
  g_object_set (dlg->config, "full-layer-size", nsp_result_size_full (&dlg->result_size), NULL);
}

/* Load the model for the estimate: the config's "model", else the
 * default (once).  A failure leaves dlg->model NULL ("—"). */
static void
load_model (Dialog *dlg)
{
  gchar *file = NULL;
  gchar *path, *text;

  g_object_get (dlg->config, "model", &file, NULL);
  if (file && !*file)
    g_clear_pointer (&file, g_free);
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

static void
on_model_changed (GtkFileChooser *chooser, Dialog *dlg)
{
  gchar *file = gtk_file_chooser_get_filename (chooser);

  if (dlg->building)
    {
      g_free (file);
      return;
    }
  /* The default model shown in the chooser stays "" (= the default). */
  if (file && nsp_same_file (file, dlg->default_model))
    g_clear_pointer (&file, g_free);
  g_object_set (dlg->config, "model", file ? file : "", NULL);
  g_free (file);
  load_model (dlg);
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
on_model_default (GtkButton *button, Dialog *dlg)
{
  (void) button;
  show_default_model (dlg);
  g_object_set (dlg->config, "model", "", NULL);
  load_model (dlg);
}

/* ------------------------------------------------------------ styles */

static void
update_percentages (Dialog *dlg)
{
  gdouble sum = 0.0;

  for (GList *l = dlg->rows; l; l = l->next)
    sum += gtk_adjustment_get_value (((StyleRow *) l->data)->weight);

  for (GList *l = dlg->rows; l; l = l->next)
    {
      StyleRow *row = l->data;
      gchar    *text;

      if (sum > 0.0)
        text = g_strdup_printf ("%3.0f %%", 100.0 * gtk_adjustment_get_value (row->weight) / sum);
      else
        text = g_strdup ("— %");
      gtk_label_set_text (GTK_LABEL (row->percent), text);
      g_free (text);
      gtk_widget_set_sensitive (row->remove, dlg->rows->next != NULL);  /* keep one row */
    }
  gtk_widget_set_sensitive (dlg->add_button, g_list_length (dlg->rows) < NSP_MAX_STYLES);
}

static void
on_row_changed (GtkAdjustment *adj, Dialog *dlg)
{
  (void) adj;
  update_percentages (dlg);
  update_estimate (dlg);
}

static void
on_style_image_changed (GtkWidget *combo, StyleRow *row)
{
  GimpImage *image  = row_image (row);
  GdkPixbuf *pixbuf = NULL;

  (void) combo;
  if (image)
    pixbuf = gimp_image_get_thumbnail (image, ROW_THUMB_SIZE, ROW_THUMB_SIZE,
                                       GIMP_PIXBUF_SMALL_CHECKS);
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
}

/* GimpImageComboBox labels images "[scream] (imported)-3" (or
 * "[Untitled]-3"); show the name the result layer will use ("scream") and
 * the ID. */
static gboolean
relabel_one (GtkTreeModel *model, GtkTreePath *path, GtkTreeIter *iter, gpointer data)
{
  gint       id = -1;
  GimpImage *image;
  gchar     *name, *label;

  (void) path;
  (void) data;
  gtk_tree_model_get (model, iter, GIMP_INT_STORE_VALUE, &id, -1);
  image = gimp_image_get_by_id (id);
  if (!image)
    return FALSE;
  name  = nsp_image_display_name (image);
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

/* The combo refills its list when it pops up: label it again after that. */
static void
on_combo_popup (GObject *combo, GParamSpec *pspec, gpointer data)
{
  (void) pspec;
  (void) data;
  relabel_images (GTK_WIDGET (combo));
}

static void
add_row (Dialog *dlg, GimpImage *image, gdouble weight, gdouble scale)
{
  StyleRow  *row = g_new0 (StyleRow, 1);
  GtkWidget *hscale, *spin, *label;

  row->dlg = dlg;
  row->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  row->thumb = gtk_image_new ();
  gtk_widget_set_size_request (row->thumb, ROW_THUMB_SIZE, ROW_THUMB_SIZE);
  gtk_box_pack_start (GTK_BOX (row->box), row->thumb, FALSE, FALSE, 0);

  row->combo = gimp_image_combo_box_new (NULL, NULL, NULL);
  relabel_images (row->combo);
  g_signal_connect_after (row->combo, "notify::popup-shown", G_CALLBACK (on_combo_popup), NULL);
  if (image)
    gimp_int_combo_box_set_active (GIMP_INT_COMBO_BOX (row->combo), gimp_image_get_id (image));
  gimp_help_set_help_data (row->combo, _("A style image; its visible layers are used"), NULL);
  gtk_widget_set_size_request (row->combo, 200, -1);
  gtk_box_pack_start (GTK_BOX (row->box), row->combo, TRUE, TRUE, 0);

  row->weight = gtk_adjustment_new (weight, 0.0, WEIGHT_MAX, 1.0, 10.0, 0.0);
  hscale = gtk_scale_new (GTK_ORIENTATION_HORIZONTAL, row->weight);
  gtk_scale_set_draw_value (GTK_SCALE (hscale), TRUE);
  gtk_scale_set_value_pos (GTK_SCALE (hscale), GTK_POS_LEFT);
  gtk_scale_set_digits (GTK_SCALE (hscale), 0);
  gtk_widget_set_size_request (hscale, 130, -1);
  gimp_help_set_help_data (hscale, _("Weight of this style (0–100). The weights are relative: "
                                     "the percentage beside shows this style's share of the blend."), NULL);
  gtk_box_pack_start (GTK_BOX (row->box), hscale, FALSE, FALSE, 0);

  row->percent = gtk_label_new ("100 %");
  gtk_label_set_width_chars (GTK_LABEL (row->percent), 6);
  gtk_label_set_xalign (GTK_LABEL (row->percent), 1.0);
  gtk_box_pack_start (GTK_BOX (row->box), row->percent, FALSE, FALSE, 0);

  /* TRANSLATORS: label before the style scale spin button */
  label = gtk_label_new (_("Scale:"));
  gtk_box_pack_start (GTK_BOX (row->box), label, FALSE, FALSE, 0);
  row->scale = gtk_adjustment_new (scale, 0.1, NSP_MAX_STYLE_SCALE, 0.05, 0.25, 0.0);
  spin = gimp_spin_button_new (row->scale, 0.05, 2);
  gimp_help_set_help_data (spin, _("Size of the style image relative to the working size"), NULL);
  gtk_box_pack_start (GTK_BOX (row->box), spin, FALSE, FALSE, 0);

  row->region = nsp_region_combo_new (dlg->config, dlg->image, dlg->drawable,
                                      g_list_length (dlg->rows), G_CALLBACK (update_estimate), dlg);
  gtk_box_pack_start (GTK_BOX (row->box), row->region, FALSE, FALSE, 0);

  row->remove = gtk_button_new_from_icon_name ("list-remove", GTK_ICON_SIZE_MENU);
  gimp_help_set_help_data (row->remove, _("Remove this style image"), NULL);
  gtk_box_pack_start (GTK_BOX (row->box), row->remove, FALSE, FALSE, 0);

  g_signal_connect (row->weight, "value-changed", G_CALLBACK (on_row_changed), dlg);
  g_signal_connect (row->scale, "value-changed", G_CALLBACK (on_row_changed), dlg);
  g_signal_connect (row->remove, "clicked", G_CALLBACK (on_remove_row), row);
  g_signal_connect (row->combo, "changed", G_CALLBACK (on_style_image_changed), row);

  gtk_box_pack_start (GTK_BOX (dlg->rows_box), row->box, FALSE, FALSE, 0);
  gtk_widget_show_all (row->box);
  dlg->rows = g_list_append (dlg->rows, row);
  on_style_image_changed (row->combo, row);
  update_percentages (dlg);
}

static gboolean
image_in_rows (Dialog *dlg, GimpImage *image)
{
  for (GList *l = dlg->rows; l; l = l->next)
    if (row_image (l->data) == image)
      return TRUE;
  return FALSE;
}

static void
on_add_row (GtkButton *button, Dialog *dlg)
{
  GimpImage **images = gimp_get_images ();
  GimpImage  *pick = NULL;
  gdouble     sum = 0.0;
  gint        rows = 0;

  (void) button;
  /* An image not used yet; none (the user picks one) rather than the same
   * image twice. */
  for (gint i = 0; images[i] && !pick; i++)
    if (images[i] != dlg->image && !image_in_rows (dlg, images[i]))
      pick = images[i];
  g_free (images);
  /* The new style gets an equal share: the mean of the weights so far. */
  for (GList *l = dlg->rows; l; l = l->next, rows++)
    sum += gtk_adjustment_get_value (((StyleRow *) l->data)->weight);
  add_row (dlg, pick, rows > 0 && sum > 0.0 ? sum / rows : 50.0, 1.0);
  update_estimate (dlg);
}

/* Rows from the config if its images are still open, else one row per
 * other open image (at most 4). */
static void
build_rows (Dialog *dlg)
{
  NspValues   vals;
  GimpImage  *images[NSP_MAX_STYLES];
  gdouble     sum = 0.0;
  gint        n_valid = 0;
  GimpImage **open;
  gint        added = 0;

  if (nsp_config_get_values (dlg->config, &vals, images, NULL))
    for (gint i = 0; i < vals.n_styles; i++)
      if (images[i] && gimp_image_is_valid (images[i]))
        {
          sum += vals.style_weights[i];
          n_valid++;
        }

  if (n_valid > 0)
    {
      for (gint i = 0; i < vals.n_styles; i++)
        if (images[i] && gimp_image_is_valid (images[i]))
          add_row (dlg, images[i],
                   sum > 0.0 ? WEIGHT_MAX * vals.style_weights[i] / sum : 50.0,
                   CLAMP (vals.style_scales[i], 0.1, NSP_MAX_STYLE_SCALE));
      return;
    }

  open = gimp_get_images ();
  for (gint i = 0; open[i] && added < 4; i++)
    if (open[i] != dlg->image)
      {
        add_row (dlg, open[i], 50.0, 1.0);
        added++;
      }
  g_free (open);
  if (added == 0)
    add_row (dlg, NULL, 50.0, 1.0);
}

/* ------------------------------------------------------------ layout */

static GtkWidget *
add_frame (GtkWidget *box, const gchar *title, GtkWidget *child)
{
  GtkWidget *frame = gimp_frame_new (title);

  gtk_container_add (GTK_CONTAINER (frame), child);
  gtk_box_pack_start (GTK_BOX (box), frame, FALSE, FALSE, 0);
  return frame;
}

/* The processed region of dlg->drawable. */
static void
compute_region (Dialog *dlg)
{
  NspRegion region;

  if (nsp_region_compute (dlg->image, dlg->drawable, &region, NULL))
    {
      dlg->region_w = region.width;
      dlg->region_h = region.height;
    }
  else
    {
      dlg->region_w = MAX (1, gimp_drawable_get_width (dlg->drawable));
      dlg->region_h = MAX (1, gimp_drawable_get_height (dlg->drawable));
    }
}

static void
update_content_label (Dialog *dlg)
{
  gchar *image_name = gimp_image_get_name (dlg->image);
  gchar *layer_name = gimp_item_get_name (GIMP_ITEM (dlg->drawable));   /* transfer full */
  gint   w = gimp_drawable_get_width (dlg->drawable);
  gint   h = gimp_drawable_get_height (dlg->drawable);
  gchar *text;

  text = nsp_content_label_text (image_name, layer_name, w, h, dlg->region_w, dlg->region_h);
  gtk_label_set_text (GTK_LABEL (dlg->content_label), text);
  g_free (text);
  g_free (image_name);
  g_free (layer_name);
}

/* The source layer of a result layer (by the tattoo in its parasite), or
 * NULL. */
static GimpLayer *
result_source_layer (GimpImage *image, GimpDrawable *drawable)
{
  GimpParasite *parasite = gimp_item_get_parasite (GIMP_ITEM (drawable), PLUG_IN_PARASITE);
  GimpLayer    *source = NULL;

  if (parasite)
    {
      guint32       size = 0;
      gconstpointer data = gimp_parasite_get_data (parasite, &size);
      gchar        *text = g_strndup (data, size);
      guint         tattoo = nsp_parasite_source_tattoo (text);

      if (tattoo)
        source = gimp_image_get_layer_by_tattoo (image, tattoo);
      if (source && (GIMP_DRAWABLE (source) == drawable
                     || !gimp_item_is_valid (GIMP_ITEM (source))))
        source = NULL;
      g_free (text);
      gimp_parasite_free (parasite);
    }
  return source;
}

/* The active layer is a result: stylise its source (ticked) or the result. */
static void
on_use_source (GtkToggleButton *toggle, Dialog *dlg)
{
  dlg->drawable = gtk_toggle_button_get_active (toggle) ? GIMP_DRAWABLE (dlg->source) : dlg->active;
  compute_region (dlg);
  update_content_label (dlg);
  update_estimate (dlg);
}

static GtkWidget *
build_content (Dialog *dlg)
{
  GtkWidget *vbox   = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *hbox   = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GdkPixbuf *thumb  = gimp_drawable_get_thumbnail (dlg->drawable, THUMB_SIZE, THUMB_SIZE,
                                                   GIMP_PIXBUF_SMALL_CHECKS);

  gtk_box_pack_start (GTK_BOX (vbox), hbox, FALSE, FALSE, 0);
  if (thumb)
    {
      gtk_box_pack_start (GTK_BOX (hbox), gtk_image_new_from_pixbuf (thumb), FALSE, FALSE, 0);
      g_object_unref (thumb);
    }
  dlg->content_label = gtk_label_new ("");
  gtk_label_set_xalign (GTK_LABEL (dlg->content_label), 0.0);
  gtk_box_pack_start (GTK_BOX (hbox), dlg->content_label, TRUE, TRUE, 0);
  update_content_label (dlg);

  if (dlg->source)
    {
      gchar     *source_name = gimp_item_get_name (GIMP_ITEM (dlg->source));
      gchar     *text = g_strdup_printf (_("The active layer is a Neural Style result. "
                                           "Stylise its _source layer “%s” instead"),
                                         source_name);
      GtkWidget *toggle = gtk_check_button_new_with_mnemonic (text);

      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (toggle), TRUE);
      gimp_help_set_help_data (toggle,
                               _("Untick to stylise the result itself again (a second pass "
                                 "over an already stylised picture)."), NULL);
      g_signal_connect (toggle, "toggled", G_CALLBACK (on_use_source), dlg);
      gtk_box_pack_start (GTK_BOX (vbox), toggle, FALSE, FALSE, 0);
      g_free (text);
      g_free (source_name);
      dlg->continue_toggle = nsp_continue_toggle_new (toggle);
      gtk_box_pack_start (GTK_BOX (vbox), dlg->continue_toggle, FALSE, FALSE, 0);
    }
  return vbox;
}

static GtkWidget *
build_styles (Dialog *dlg)
{
  GtkWidget *vbox = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *hbox;

  dlg->rows_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_box_pack_start (GTK_BOX (vbox), dlg->rows_box, FALSE, FALSE, 0);

  hbox = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_pack_start (GTK_BOX (vbox), hbox, FALSE, FALSE, 0);
  dlg->add_button = gtk_button_new_with_mnemonic (_("_Add Style Image"));
  gtk_button_set_image (GTK_BUTTON (dlg->add_button),
                        gtk_image_new_from_icon_name ("list-add", GTK_ICON_SIZE_BUTTON));
  gtk_button_set_always_show_image (GTK_BUTTON (dlg->add_button), TRUE);
  gimp_help_set_help_data (dlg->add_button,
                           _("Blend several styles; the percentages show each one's share"), NULL);
  gtk_box_pack_start (GTK_BOX (hbox), dlg->add_button, FALSE, FALSE, 0);
  g_signal_connect (dlg->add_button, "clicked", G_CALLBACK (on_add_row), dlg);
  return vbox;
}

static GtkWidget *
build_model (Dialog *dlg)
{
  GtkWidget     *vbox = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget     *hbox = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget     *button;
  GtkFileFilter *filter;
  gchar         *model = NULL;

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
  g_object_get (dlg->config, "model", &model, NULL);
  if (model && *model)
    gtk_file_chooser_set_filename (GTK_FILE_CHOOSER (dlg->model_chooser), model);
  else
    show_default_model (dlg);
  g_free (model);
  gtk_box_pack_start (GTK_BOX (hbox), dlg->model_chooser, TRUE, TRUE, 0);
  g_signal_connect (dlg->model_chooser, "selection-changed", G_CALLBACK (on_model_changed), dlg);

  button = gtk_button_new_with_mnemonic (_("Use _Default"));
  gimp_help_set_help_data (button, _("Use the installed default model"), NULL);
  gtk_box_pack_start (GTK_BOX (hbox), button, FALSE, FALSE, 0);
  g_signal_connect (button, "clicked", G_CALLBACK (on_model_default), dlg);

  dlg->model_label = gtk_label_new ("");
  gtk_label_set_xalign (GTK_LABEL (dlg->model_label), 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (dlg->model_label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_box_pack_start (GTK_BOX (vbox), dlg->model_label, FALSE, FALSE, 0);

  dlg->estimate = gtk_label_new ("");
  gtk_label_set_xalign (GTK_LABEL (dlg->estimate), 0.0);
  gimp_label_set_attributes (GTK_LABEL (dlg->estimate), PANGO_ATTR_WEIGHT, PANGO_WEIGHT_BOLD, -1);
  gtk_box_pack_start (GTK_BOX (vbox), dlg->estimate, FALSE, FALSE, 0);

  dlg->scale_note = gtk_label_new ("");
  gtk_label_set_xalign (GTK_LABEL (dlg->scale_note), 0.0);
  gtk_box_pack_start (GTK_BOX (vbox), dlg->scale_note, FALSE, FALSE, 0);
  return vbox;
}

/* A config number as a scale entry with the 2.10 dialog's slider range
 * (a logarithmic slider starts above 0; its spin button still takes 0). */
static GtkAdjustment *
scale_entry (GimpProcedureDialog *dialog, const gchar *property, gdouble lower,
             gdouble upper, gint digits, gboolean logarithmic)
{
  GtkWidget *entry   = gimp_procedure_dialog_get_scale_entry (dialog, property, 1.0);
  gchar     *tooltip = nsp_control_tooltip (property);

  gimp_scale_entry_set_bounds (GIMP_SCALE_ENTRY (entry), lower, upper, TRUE);
  gimp_label_spin_set_digits (GIMP_LABEL_SPIN (entry), digits);
  if (logarithmic)
    {
      /* The log mapping is set up from the current bounds: set them again
       * after it (GIMP 3.0 otherwise keeps the property's lower bound 0). */
      gimp_scale_entry_set_logarithmic (GIMP_SCALE_ENTRY (entry), TRUE);
      gimp_scale_entry_set_bounds (GIMP_SCALE_ENTRY (entry), lower, upper, TRUE);
    }
  /* Big ranges make wide spin buttons; keep room for the slider. */
  gtk_widget_set_size_request (gimp_scale_entry_get_range (GIMP_SCALE_ENTRY (entry)), 120, -1);
  gimp_help_set_help_data (entry, tooltip, NULL);
  g_free (tooltip);
  /* The spin button's adjustment: bound to the config property. */
  return gtk_spin_button_get_adjustment
           (GTK_SPIN_BUTTON (gimp_label_spin_get_spin_button (GIMP_LABEL_SPIN (entry))));
}

/* The plain tooltip of a config widget that is not a scale entry. */
static void
widget_tooltip (GimpProcedureDialog *dialog, const gchar *property)
{
  gchar *tooltip = nsp_control_tooltip (property);

  gimp_help_set_help_data (gimp_procedure_dialog_get_widget (dialog, property, G_TYPE_NONE),
                           tooltip, NULL);
  g_free (tooltip);
}

/* A titled frame "<id>-frame" holding five config widgets. */
static void
options_frame (GimpProcedureDialog *dialog, const gchar *id, const gchar *title,
               const gchar *p1, const gchar *p2, const gchar *p3, const gchar *p4,
               const gchar *p5)
{
  gchar *box   = g_strconcat (id, "-box", NULL);
  gchar *frame = g_strconcat (id, "-frame", NULL);

  gimp_procedure_dialog_fill_box (dialog, box, p1, p2, p3, p4, p5, NULL);
  gimp_procedure_dialog_fill_frame (dialog, frame, NULL, FALSE, box);
  gtk_frame_set_label (GTK_FRAME (gimp_procedure_dialog_get_widget (dialog, frame, G_TYPE_NONE)),
                       title);
  g_free (box);
  g_free (frame);
}

/* Result size above and below the Working size scale (the box's first
 * child): "Working size (fast)" (the scale) or "Full layer size" (size 0
 * on OK, the scale greyed), kept in the config's aux "full-layer-size". */
static void
result_size_choice (Dialog *dlg, GtkWidget *box)
{
  GtkWidget *label = gtk_label_new (_("Result size:"));
  gboolean   full  = FALSE;

  g_object_get (dlg->config, "full-layer-size", &full, NULL);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  nsp_result_size_init (&dlg->result_size, full);
  gtk_box_pack_start (GTK_BOX (box), label, FALSE, FALSE, 0);
  gtk_box_reorder_child (GTK_BOX (box), label, 0);
  gtk_box_pack_start (GTK_BOX (box), dlg->result_size.working, FALSE, FALSE, 0);
  gtk_box_reorder_child (GTK_BOX (box), dlg->result_size.working, 1);
  gtk_box_pack_start (GTK_BOX (box), dlg->result_size.full, FALSE, FALSE, 0);
  gtk_box_reorder_child (GTK_BOX (box), dlg->result_size.full, 3);    /* below the scale */
  g_signal_connect (dlg->result_size.full, "toggled", G_CALLBACK (on_result_size_toggled), dlg);
  g_object_set_data (G_OBJECT (dlg->dialog), "nsp-result-size", &dlg->result_size);
}

/* The right column: the config's widgets in three frames. */
static GtkWidget *
build_options (Dialog *dlg)
{
  GimpProcedureDialog *dialog  = GIMP_PROCEDURE_DIALOG (dlg->dialog);
  gint                 longest = MAX (dlg->region_w, dlg->region_h);

  GtkAdjustment       *content, *style, *tv, *noise;
  GtkWidget           *preset;

  /* The iterations slider covers the usual range; the spin button takes
   * the argument's whole range (its tooltip says so). */
  content = scale_entry (dialog, "content-weight", 0.01, 1000.0, 2, TRUE);
  style   = scale_entry (dialog, "style-weight", 0.01, 10000.0, 2, TRUE);
  tv      = scale_entry (dialog, "tv-weight", 0.001, 1000.0, 3, TRUE);
  scale_entry (dialog, "content-weight-blend", 0.0, 1.0, 2, FALSE);
  scale_entry (dialog, "style-layer-weight-exp", 0.1, 10.0, 2, FALSE);
  scale_entry (dialog, "iterations", 0, 2000, 0, FALSE);
  scale_entry (dialog, "tolerance", 0.0, 0.1, 4, FALSE);
  scale_entry (dialog, "multires", 0, NSP_MAX_MULTIRES, 0, FALSE);
  scale_entry (dialog, "size", 0, MAX (MIN (longest, NSP_MAX_SIZE), NSP_MIN_SIZE + 1), 0, FALSE);
  noise   = scale_entry (dialog, "initial-noiseblend", 0.0, 1.0, 2, FALSE);
  widget_tooltip (dialog, "optimizer");
  widget_tooltip (dialog, "pooling");
  widget_tooltip (dialog, "init");
  widget_tooltip (dialog, "seed");
  widget_tooltip (dialog, "preserve-colors");

  options_frame (dialog, "loss", _("Loss Weights"), "content-weight", "style-weight",
                 "tv-weight", "content-weight-blend", "style-layer-weight-exp");
  options_frame (dialog, "optim", _("Optimization"), "iterations", "tolerance", "multires",
                 "optimizer", "pooling");
  options_frame (dialog, "output", _("Output"), "size", "init", "initial-noiseblend",
                 "seed", "preserve-colors");
  result_size_choice (dlg, gimp_procedure_dialog_get_widget (dialog, "output-box", G_TYPE_NONE));
  /* The Preset row on top of the weights. */
  preset = nsp_preset_row_new (content, style, tv, noise);
  gtk_box_pack_start (GTK_BOX (gimp_procedure_dialog_get_widget (dialog, "loss-box", G_TYPE_NONE)),
                      preset, FALSE, FALSE, 0);
  gtk_box_reorder_child (GTK_BOX (gimp_procedure_dialog_get_widget (dialog, "loss-box", G_TYPE_NONE)),
                         preset, 0);
  g_object_set_data (G_OBJECT (dialog), "nsp-preset-combo", nsp_preset_row_combo (preset));
  return gimp_procedure_dialog_fill_box (dialog, "right-box", "loss-frame", "optim-frame",
                                         "output-frame", NULL);
}

/* The two columns in a scrolled window as tall as they are, but no taller
 * than the screen's work area less room for the title bar and the buttons:
 * on a 768 px laptop screen the dialog scrolls instead of reaching below
 * the screen with OK out of reach. */
static GtkWidget *
screen_sized (GtkWidget *child)
{
  GtkWidget  *scrolled = gtk_scrolled_window_new (NULL, NULL);
  GdkDisplay *display  = gdk_display_get_default ();
  GdkMonitor *monitor  = NULL;

  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_width (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  if (display)
    monitor = gdk_display_get_primary_monitor (display);
  if (!monitor && display && gdk_display_get_n_monitors (display) > 0)
    monitor = gdk_display_get_monitor (display, 0);
  if (monitor)
    {
      GdkRectangle area;

      gdk_monitor_get_workarea (monitor, &area);
      gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled),
                                                  MAX (area.height - 160, 300));
    }
  gtk_container_add (GTK_CONTAINER (scrolled), child);
  return scrolled;
}

/* ------------------------------------------------------------ test hook */

/* $NEURAL_STYLE_TEST_DIALOG (tests under Xvfb) is a comma separated list
 * of steps the dialog takes itself, one every 300 ms, once it is shown:
 * responses ("ok", "cancel"), "help" (clicks Help), "preset=N" (chooses
 * preset N in the Preset combo), the region steps of
 * nsp_dialog_regions_test_step, "continue" (ticks Continue from this
 * layer where offered), "wait" and "change" (plugin-dialog-preview.c),
 * "full" / "working" (choose the Result size), "sizes" (append both
 * Result size labels and the estimate line to
 * $NEURAL_STYLE_TEST_PREVIEW_LOG). */
typedef struct
{
  GtkWidget *dialog;
  gchar    **steps;
  gint       next;
} AutoResponse;

static gboolean
auto_respond (gpointer data)
{
  AutoResponse *ar   = data;
  const gchar  *step = ar->steps[ar->next];

  if (!step)
    return G_SOURCE_REMOVE;
  ar->next++;
  if (nsp_dialog_regions_test_step (ar->dialog, step))
    ;   /* a Region, Protect, strength or Colours step */
  else if (nsp_result_size_test_step (g_object_get_data (G_OBJECT (ar->dialog), "nsp-result-size"),
                                      step, g_object_get_data (G_OBJECT (ar->dialog), "nsp-estimate")))
    ;   /* "full", "working", "sizes" */
  else if (nsp_dialog_preview_test_step (ar->dialog, step))
    ;                             /* "wait", "change": the preview's test steps */
  else if (g_str_has_prefix (step, "preset="))
    {
      /* choose a preset as a user would (the combo's "changed") */
      GtkWidget *combo = g_object_get_data (G_OBJECT (ar->dialog), "nsp-preset-combo");

      gimp_int_combo_box_set_active (GIMP_INT_COMBO_BOX (combo), atoi (step + 7));
    }
  else if (g_strcmp0 (step, "continue") == 0)   /* tick it where it is offered */
    {
      GtkWidget *toggle = g_object_get_data (G_OBJECT (ar->dialog), "nsp-continue-toggle");

      if (toggle)
        gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (toggle), TRUE);
    }
  else if (g_strcmp0 (step, "help") == 0)
    {
      GtkWidget *help = gtk_dialog_get_widget_for_response (GTK_DIALOG (ar->dialog),
                                                            GTK_RESPONSE_HELP);
      if (help)
        gtk_button_clicked (GTK_BUTTON (help));
    }
  else
    gtk_dialog_response (GTK_DIALOG (ar->dialog),
                         g_strcmp0 (step, "ok") == 0 ? GTK_RESPONSE_OK : GTK_RESPONSE_CANCEL);
  return ar->steps[ar->next] ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------ run */

/* Drop rows whose image has been closed meanwhile; FALSE if none is left. */
static gboolean
prune_closed_images (Dialog *dlg)
{
  GList *l = dlg->rows;

  while (l)
    {
      StyleRow *row  = l->data;
      GList    *next = l->next;

      if (!row_image (row))
        {
          dlg->rows = g_list_delete_link (dlg->rows, l);
          gtk_widget_destroy (row->box);
          g_free (row);
        }
      l = next;
    }
  return dlg->rows != NULL;
}

gboolean
nsp_dialog_run (GimpProcedure       *procedure,
                GimpProcedureConfig *config,
                GimpImage           *image,
                GimpDrawable       **drawable,
                GimpDrawable       **start_layer)
{
  Dialog       dlg;
  GtkWidget   *main_hbox, *left;
  gboolean     ok = FALSE;
  AutoResponse auto_resp = { NULL, NULL, 0 };
  guint        auto_source = 0;
  gint         size = 0;
  gboolean     full = FALSE;
  gulong       notify;

  memset (&dlg, 0, sizeof dlg);
  dlg.config   = config;
  dlg.image    = image;
  dlg.active   = *drawable;
  dlg.source   = result_source_layer (image, *drawable);
  dlg.drawable = dlg.source ? GIMP_DRAWABLE (dlg.source) : *drawable;
  *start_layer = NULL;
  if (dlg.source)                /* a result: open with the settings that made it */
    nsp_refine_config_from_result (config, image, *drawable);
  dlg.default_model = ns_model_find_default (NULL);
  dlg.building = TRUE;
  compute_region (&dlg);

  /* First interactive run: a working size that finishes in minutes, as
   * in the 2.10 dialog (0 = the layer's size stays available). */
  g_object_get (config, "size", &size, NULL);
  if (size == 0)
    {
      /* size 0 from the last run's Full layer size or from the result's
       * settings: that choice, the scale at the default working size */
      g_object_get (config, "full-layer-size", &full, NULL);
      g_object_set (config, "full-layer-size", full || dlg.source != NULL, "size",
                    MAX (MIN (MAX (dlg.region_w, dlg.region_h), DEFAULT_SIZE_CAP), NSP_MIN_SIZE),
                    NULL);
    }
  else
    g_object_set (config, "full-layer-size", FALSE, NULL);

  dlg.dialog = nsp_help_procedure_dialog_new (procedure, config, _("Neural Style"));

  main_hbox = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_container_set_border_width (GTK_CONTAINER (main_hbox), 12);
  gtk_box_pack_start (GTK_BOX (gtk_dialog_get_content_area (GTK_DIALOG (dlg.dialog))),
                      screen_sized (main_hbox), TRUE, TRUE, 0);
  left = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_box_pack_start (GTK_BOX (main_hbox), left, TRUE, TRUE, 0);
  gtk_box_pack_start (GTK_BOX (main_hbox), build_options (&dlg), TRUE, TRUE, 0);

  add_frame (left, _("Content"), build_content (&dlg));
  g_object_set_data (G_OBJECT (dlg.dialog), "nsp-continue-toggle", dlg.continue_toggle);
  add_frame (left, _("Style Images"), build_styles (&dlg));
  add_frame (left, _("Model"), build_model (&dlg));
  g_object_set_data (G_OBJECT (dlg.dialog), "nsp-estimate", dlg.estimate);
  dlg.preview = nsp_dialog_preview_new (dlg.dialog, config, image, &dlg.drawable);
  add_frame (left, _("Preview"), nsp_dialog_preview_widget (dlg.preview));
  /* Regions and Colours under the preview: the columns come out about as
   * tall as each other (on the right it made the dialog 962 px high) */
  gtk_box_pack_start (GTK_BOX (left),
                      nsp_dialog_regions_frame (GIMP_PROCEDURE_DIALOG (dlg.dialog), config,
                                                image, dlg.drawable),
                      FALSE, FALSE, 0);
  build_rows (&dlg);

  dlg.building = FALSE;
  load_model (&dlg);             /* the default model once, for the estimate */
  update_percentages (&dlg);
  update_estimate (&dlg);
  notify = g_signal_connect (config, "notify", G_CALLBACK (on_config_changed), &dlg);

  gtk_widget_show_all (dlg.dialog);

  {
    const gchar *script = g_getenv ("NEURAL_STYLE_TEST_DIALOG");

    if (script && *script)
      {
        auto_resp.dialog = dlg.dialog;
        auto_resp.steps  = g_strsplit (script, ",", 0);
        auto_source = g_timeout_add (300, auto_respond, &auto_resp);
      }
  }

  while (gimp_procedure_dialog_run (GIMP_PROCEDURE_DIALOG (dlg.dialog)))
    {
      NspValues  vals;
      NspMasks   masks;
      GimpImage *images[NSP_MAX_STYLES];
      GError    *err = NULL;

      if (!prune_closed_images (&dlg))
        {
          g_message (_("All style images have been closed. Open a style image and add it."));
          add_row (&dlg, NULL, 50.0, 1.0);
          continue;
        }
      store_rows (&dlg);
      if (!nsp_config_get_values (config, &vals, images, &err)
          || !nsp_regions_get (config, dlg.drawable, &vals, &masks, &err)
          || !nsp_validate_with_images (&vals, images, &err))
        {
          g_message ("%s", err->message);
          g_clear_error (&err);
          continue;
        }
      *drawable = dlg.drawable;
      if (dlg.continue_toggle
          && gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (dlg.continue_toggle)))
        *start_layer = dlg.active;
      ok = TRUE;
      break;
    }

  if (auto_source && auto_resp.steps[auto_resp.next])
    g_source_remove (auto_source);
  g_strfreev (auto_resp.steps);
  g_signal_handler_disconnect (config, notify);
  if (ok && nsp_result_size_full (&dlg.result_size))
    g_object_set (config, "size", 0, NULL);   /* Full layer size: the layer's own size */
  nsp_dialog_preview_free (dlg.preview);   /* closing the dialog cancels the preview */
  dlg.building = TRUE;            /* no more updates while tearing down */
  gtk_widget_destroy (dlg.dialog);
  g_list_free_full (dlg.rows, g_free);
  if (dlg.model)
    ns_model_free (dlg.model);
  g_free (dlg.model_path);
  g_free (dlg.default_model);
  return ok;
}
