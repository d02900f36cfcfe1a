/* plugin-main.c — GIMP 2.10 entry points: query() registers the PDB
 * procedure plug-in-neural-style, run() dispatches on the run mode. */
#include "plugin-continue.h"
#include "plugin-pdb.h"
#include "plugin-process.h"
#include "plugin-host.h"
#include "plugin-regions.h"
#include "plugin-dialog.h"
#include "plugin-i18n.h"

#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>

static void query (void);
static void run   (const gchar      *name,
                   gint              n_params,
                   const GimpParam  *param,
                   gint             *n_return_vals,
                   GimpParam       **return_vals);

const GimpPlugInInfo PLUG_IN_INFO =
{
  NULL,   /* init  */
  NULL,   /* quit  */
  query,
  run,
};

/* GIMP's MAIN () with one addition: ns_process_init () re-executes the
 * plug-in once with OMP_WAIT_POLICY=PASSIVE (see engine/process.c; the
 * pipe descriptors GIMP passes in argv survive exec). */
int
main (int argc, char *argv[])
{
  ns_process_init (argv);
  return gimp_main (&PLUG_IN_INFO, argc, argv);
}

static void
query (void)
{
  const GimpParamDef *args, *return_vals;
  gint                n_args, n_return_vals;

  NSP_INIT_I18N ();
  args        = nsp_pdb_args (&n_args);
  return_vals = nsp_pdb_return_vals (&n_return_vals);

  gimp_install_procedure (PLUG_IN_PROC,
                          N_("Repaint a layer in the style of other images (neural style transfer)"),
                          "Neural style transfer after Gatys, Ecker and Bethge, "
                          "\"Image Style Transfer Using Convolutional Neural Networks\" "
                          "(CVPR 2016).  The active layer is the content; the visible "
                          "composite of each style image provides the style (textures, "
                          "colours, brush strokes).  A pretrained convolutional network "
                          "(VGG-19, VGG-16 or SqueezeNet 1.1 in safetensors format) "
                          "measures content and style; the picture is optimised with "
                          "L-BFGS or Adam.  The result is a new layer above the content "
                          "layer, named after the styles, with the parameters stored in the "
                          "parasite \"" PLUG_IN_PARASITE "\"; the content layer and the style "
                          "images are not modified.  With a selection, only its bounding "
                          "box (plus a margin) is processed and the new layer gets a mask "
                          "from the selection.  Empty weight or scale arrays mean 1.0 for "
                          "every style.  On a calling or execution error a second return "
                          "value holds the error message.",
                          "Neural Style for GIMP contributors",
                          "Neural Style for GIMP contributors, GPL-3.0-or-later",
                          "2024",
                          N_("Neural _Style..."),
                          "RGB*, GRAY*",
                          GIMP_PLUGIN,
                          n_args, n_return_vals,
                          args, return_vals);

  gimp_plugin_menu_register (PLUG_IN_PROC, "<Image>/Filters/Artistic");
  nsp_regions_install ();
  nsp_refine_install ();
  gimp_plugin_domain_register (GETTEXT_PACKAGE, nsp_localedir ());
}

/* The last values stored by an interactive run, if there are any. */
static gboolean
last_values_get (NspLastValues *last)
{
  return gimp_get_data_size (PLUG_IN_PROC) == (gint) sizeof *last
         && gimp_get_data (PLUG_IN_PROC, last);
}

/* The dialog's last Region / Protect choices (kept under the regions
 * procedure's name); IDs no longer valid become -1. */
static void
last_masks_get (NspMasks *masks)
{
  if (gimp_get_data_size (PLUG_IN_PROC_REGIONS) != (gint) sizeof *masks
      || !gimp_get_data (PLUG_IN_PROC_REGIONS, masks))
    nsp_masks_init (masks);
  for (gint i = 0; i < NSP_MAX_STYLES; i++)
    if (!gimp_item_is_valid (masks->style_masks[i]))
      masks->style_masks[i] = -1;
  if (!gimp_item_is_valid (masks->content_mask))
    masks->content_mask = -1;
}

/* RUN-INTERACTIVE without a display: the arguments given, else the last
 * values; a clear error when neither is usable. */
static gboolean
values_without_display (NspLastValues *last, gint n_params, const GimpParam *param,
                        GError **error)
{
  GError *pdb_error = NULL;

  if (nsp_values_from_pdb (&last->vals, last->style_images, n_params, param, &pdb_error)
      && nsp_validate_with_images (&last->vals, last->style_images, NULL))
    return TRUE;
  if (last_values_get (last))
    {
      g_clear_error (&pdb_error);
      return TRUE;
    }
  g_set_error (error, NSP_ERROR, NSP_ERROR_CALLING,
               _("There is no display for the Neural Style dialog (GIMP runs without a "
                 "user interface), the arguments cannot be used (%s) and there are no "
                 "previous settings. Call it with RUN-NONINTERACTIVE and full arguments."),
               pdb_error ? pdb_error->message : "?");
  g_clear_error (&pdb_error);
  return FALSE;
}

static void
run (const gchar      *name,
     gint              n_params,
     const GimpParam  *param,
     gint             *n_return_vals,
     GimpParam       **return_vals)
{
  static GimpParam   values[2];
  static gchar      *message = NULL;   /* must outlive run(): libgimp sends it afterwards */
  GimpRunMode        run_mode = GIMP_RUN_NONINTERACTIVE;
  GimpPDBStatusType  status = GIMP_PDB_SUCCESS;
  gint32             image_id, drawable_id, layer = -1, start_layer = -1;
  NspLastValues      last;
  NspValues         *vals = &last.vals;
  NspMasks           masks;
  gboolean           regions = g_strcmp0 (name, PLUG_IN_PROC_REGIONS) == 0;
  GError            *error = NULL;

  NSP_INIT_I18N ();
  gegl_init (NULL, NULL);
  /* We check and report every failing PDB call ourselves. */
  gimp_plugin_set_pdb_error_handler (GIMP_PDB_ERROR_HANDLER_PLUGIN);

  *n_return_vals = 2;
  *return_vals   = values;
  values[0].type = GIMP_PDB_STATUS;
  values[1].type = GIMP_PDB_LAYER;
  values[1].data.d_layer = -1;
  g_clear_pointer (&message, g_free);

  if (g_strcmp0 (name, NSP_CONTINUE_PROC) == 0)
    {
      nsp_refine_run (n_params, param, n_return_vals, return_vals);
      return;
    }
  if ((g_strcmp0 (name, PLUG_IN_PROC) != 0 && !regions) || n_params < 3)
    {
      g_set_error_literal (&error, NSP_ERROR, NSP_ERROR_CALLING,
                           _("Wrong procedure or too few arguments."));
      goto done;
    }

  run_mode    = param[NSP_ARG_RUN_MODE].data.d_int32;
  image_id    = param[NSP_ARG_IMAGE].data.d_image;
  drawable_id = param[NSP_ARG_DRAWABLE].data.d_drawable;

  if (!gimp_image_is_valid (image_id))
    {
      g_set_error_literal (&error, NSP_ERROR, NSP_ERROR_CALLING, _("The image is not valid."));
      goto done;
    }

  nsp_values_init (vals);
  nsp_masks_init (&masks);
  for (gint i = 0; i < NSP_MAX_STYLES; i++)
    last.style_images[i] = -1;
  /* The regions procedure has no dialog: it always takes its arguments. */
  if (regions)
    run_mode = GIMP_RUN_NONINTERACTIVE;

  /* Menu runs on a layer mask work on its layer, as GIMP's filters that
   * need a layer do. */
  if (run_mode != GIMP_RUN_NONINTERACTIVE && gimp_item_is_valid (drawable_id)
      && gimp_item_is_layer_mask (drawable_id))
    drawable_id = gimp_layer_from_mask (drawable_id);

  switch (run_mode)
    {
    case GIMP_RUN_INTERACTIVE:
      if (!nsp_display_available ())
        {
          if (!values_without_display (&last, n_params, param, &error))
            goto done;
          run_mode = GIMP_RUN_WITH_LAST_VALS;   /* no dialog, nothing stored */
          break;
        }
      /* no interactive run yet: the dialog's default working size (a
       * stored size 0 is the Result size "Full layer size") */
      if (!last_values_get (&last))
        vals->size = NSP_DIALOG_SIZE_DEFAULT;
      last_masks_get (&masks);
      gimp_ui_init (PLUG_IN_BINARY, FALSE);
      if (!nsp_dialog_run_regions (image_id, &drawable_id, &start_layer, vals, last.style_images,
                                   &masks))
        {
          status = GIMP_PDB_CANCEL;
          goto done;
        }
      break;

    case GIMP_RUN_NONINTERACTIVE:
      if (regions ? !nsp_regions_from_pdb (vals, last.style_images, &masks, n_params, param,
                                           &error)
                  : !nsp_values_from_pdb (vals, last.style_images, n_params, param, &error))
        goto done;
      break;

    case GIMP_RUN_WITH_LAST_VALS:
      if (!last_values_get (&last))
        {
          g_set_error_literal (&error, NSP_ERROR, NSP_ERROR_CALLING,
                               _("There are no previous settings to repeat; run Neural Style interactively first."));
          goto done;
        }
      last_masks_get (&masks);
      break;

    default:
      g_set_error (&error, NSP_ERROR, NSP_ERROR_CALLING, _("Unknown run mode %d."), run_mode);
      goto done;
    }

  if (!nsp_validate_with_images (vals, last.style_images, &error)
      || !nsp_masks_validate (vals, &masks, &error))
    goto done;

  /* (masks all -1 outside the regions procedure and the dialog: the plain run;
   * start_layer -1 unless the dialog continues a result layer) */
  layer = nsp_process_full (image_id, drawable_id, start_layer, vals, last.style_images, &masks,
                            run_mode == GIMP_RUN_INTERACTIVE, &error);
  if (layer < 0)
    goto done;

  if (run_mode == GIMP_RUN_INTERACTIVE)
    {
      gimp_set_data (PLUG_IN_PROC, &last, sizeof last);
      gimp_set_data (PLUG_IN_PROC_REGIONS, &masks, sizeof masks);
    }
  if (run_mode != GIMP_RUN_NONINTERACTIVE)
    gimp_displays_flush ();

done:
  if (error)
    status = nsp_status_for_error (error);

  values[0].data.d_status = status;
  if (status == GIMP_PDB_SUCCESS)
    values[1].data.d_layer = layer;
  else if (error)
    {
      /* GIMP 2.10 convention: a second value GIMP_PDB_STRING carries the
       * error message to the caller (gimp_get_pdb_error, Script-Fu). */
      message = g_strdup (error->message);
      values[1].type = GIMP_PDB_STRING;
      values[1].data.d_string = message;   /* GIMP shows it for menu runs */
    }
  else
    *n_return_vals = 1;

  g_clear_error (&error);
}
