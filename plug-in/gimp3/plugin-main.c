/* plugin-main.c — the GIMP 3 plug-in: a GimpPlugIn subclass registering the
 * image procedures plug-in-neural-style (Filters > Artistic > Neural
 * Style…) and plug-in-neural-style-regions (the same arguments, then a
 * required style-masks: see plugin-regions.h); one run() for both
 * dispatches on the run mode.  Last values come from the
 * GimpProcedureConfig (saved by GIMP after a successful interactive run). */
#include "plugin-config.h"
#include "plugin-continue.h"
#include "plugin-dialog.h"
#include "plugin-process.h"
#include "plugin-regions.h"
#include "plugin-host.h"
#include "plugin-i18n.h"

#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>

#define NSP_TYPE_PLUG_IN (nsp_plug_in_get_type ())
G_DECLARE_FINAL_TYPE (NspPlugIn, nsp_plug_in, NSP, PLUG_IN, GimpPlugIn)

struct _NspPlugIn
{
  GimpPlugIn parent_instance;
};

G_DEFINE_TYPE (NspPlugIn, nsp_plug_in, GIMP_TYPE_PLUG_IN)

static GList *
query_procedures (GimpPlugIn *plug_in)
{
  (void) plug_in;
  GList *list = g_list_append (NULL, g_strdup (PLUG_IN_PROC));

  list = g_list_append (list, g_strdup (PLUG_IN_PROC_REGIONS));
  return g_list_append (list, g_strdup (NSP_CONTINUE_PROC));
}

/* Our catalogues live in NS_LOCALEDIR (or $NEURAL_STYLE_LOCALEDIR), not
 * in a locale/ folder beside the binary: bind the domain ourselves and
 * tell libgimp to leave i18n alone (FALSE). */
static gboolean
set_i18n (GimpPlugIn   *plug_in,
          const gchar  *procedure_name,
          gchar       **gettext_domain,
          gchar       **catalog_dir)
{
  (void) plug_in;
  (void) procedure_name;
  (void) gettext_domain;
  (void) catalog_dir;
  NSP_INIT_I18N ();
  return FALSE;
}

static GimpValueArray *
run (GimpProcedure        *procedure,
     GimpRunMode           run_mode,
     GimpImage            *image,
     GimpDrawable        **drawables,
     GimpProcedureConfig  *config,
     gpointer              run_data)
{
  GimpImage      *style_images[NSP_MAX_STYLES];
  NspValues       vals;
  GimpDrawable   *drawable;
  NspMasks        masks;
  GimpLayer      *layer = NULL;
  GimpDrawable   *start = NULL;    /* the dialog continues this result layer */
  GError         *error = NULL;
  gboolean        dialog = FALSE;
  gsize           n_drawables = drawables ? gimp_core_object_array_get_length ((GObject **) drawables) : 0;

  (void) run_data;
  gegl_init (NULL, NULL);

  if (n_drawables != 1)
    {
      if (n_drawables == 0)
        nsp_set_error (&error, NSP_ERROR_CALLING,
                       _("Select the layer to repaint: no layer is selected."));
      else
        nsp_set_error (&error, NSP_ERROR_CALLING,
                       _("Select only one layer to repaint: %d are selected."),
                       (gint) n_drawables);
      goto done;
    }
  drawable = drawables[0];

  /* Menu runs on a layer mask work on its layer, as GIMP's filters that
   * need a layer do. */
  if (run_mode != GIMP_RUN_NONINTERACTIVE && drawable && gimp_item_is_valid (GIMP_ITEM (drawable))
      && gimp_item_is_layer_mask (GIMP_ITEM (drawable)))
    {
      GimpLayer *owner = gimp_layer_from_mask (GIMP_LAYER_MASK (drawable));

      if (owner)
        drawable = GIMP_DRAWABLE (owner);
    }

  /* RUN_INTERACTIVE without a display: the config's values (the
   * arguments given, or the last ones), no dialog. */
  if (run_mode == GIMP_RUN_INTERACTIVE)
    dialog = nsp_display_available ();

  if (dialog)
    {
      gimp_ui_init (PLUG_IN_BINARY);
      if (!nsp_dialog_run (procedure, config, image, &drawable, &start))
        {
          nsp_set_error (&error, NSP_ERROR_CANCELLED, _("Cancelled."));
          goto done;
        }
    }

  if (!nsp_config_get_values (config, &vals, style_images, &error)
      || !nsp_regions_get (config, drawable, &vals, &masks, &error)
      || !nsp_validate_with_images (&vals, style_images, &error))
    {
      if (run_mode == GIMP_RUN_INTERACTIVE && !dialog)
        g_prefix_error (&error, "%s ",
                        _("There is no display for the Neural Style dialog (GIMP runs without "
                          "a user interface) and the settings given cannot be used:"));
      goto done;
    }

  layer = nsp_process_from (image, drawable, start, &vals, style_images, &masks, dialog, &error);

done:
  return nsp_process_return_values (procedure, layer, error);
}

static GimpProcedure *
create_procedure (GimpPlugIn  *plug_in,
                  const gchar *name)
{
  GimpProcedure *procedure;
  gboolean       regions = g_strcmp0 (name, PLUG_IN_PROC_REGIONS) == 0;

  if (g_strcmp0 (name, NSP_CONTINUE_PROC) == 0)
    return nsp_continue_procedure_new (plug_in, name);
  if (g_strcmp0 (name, PLUG_IN_PROC) != 0 && !regions)
    return NULL;

  procedure = gimp_image_procedure_new (plug_in, name, GIMP_PDB_PROC_TYPE_PLUGIN,
                                        run, NULL, NULL);
  gimp_procedure_set_image_types (procedure, "RGB*, GRAY*");
  /* Exactly one selected drawable. */
  gimp_procedure_set_sensitivity_mask (procedure, GIMP_PROCEDURE_SENSITIVE_DRAWABLE);
  if (regions)
    /* No menu entry: the dialog's Region per style runs the same path. */
    gimp_procedure_set_documentation (procedure,
      _("Neural style transfer with a style per region, protected areas and colour control"),
      "plug-in-neural-style with spatial and colour control after Gatys, "
      "Ecker, Bethge, Hertzmann and Shechtman, \"Controlling Perceptual "
      "Factors in Neural Style Transfer\" (CVPR 2017).  The arguments of "
      "plug-in-neural-style in the same order, then style-masks (required: "
      "GIMP 3.0 refuses a call that leaves out an object array): per style "
      "the drawable where it applies (its Gram matrices on the content are "
      "weighted by the mask: the style goes where the mask is white), or "
      "the content drawable itself for the whole image.",
      name);
  else
    {
      gimp_procedure_set_menu_label (procedure, _("Neural _Style..."));
      gimp_procedure_add_menu_path (procedure, "<Image>/Filters/Artistic");
      gimp_procedure_set_documentation (procedure,
        _("Repaint a layer in the style of other images (neural style transfer)"),
        "Neural style transfer after Gatys, Ecker and Bethge, "
        "\"Image Style Transfer Using Convolutional Neural Networks\" "
        "(CVPR 2016).  The selected layer is the content; the visible "
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
        "every style.  A mask per style: " PLUG_IN_PROC_REGIONS ".",
        name);
    }
  gimp_procedure_set_attribution (procedure,
                                  "Neural Style for GIMP contributors",
                                  "Neural Style for GIMP contributors, GPL-3.0-or-later",
                                  "2024");
  nsp_config_add_arguments (procedure);
  nsp_regions_add_arguments (procedure, regions);
  return procedure;
}

static void
nsp_plug_in_class_init (NspPlugInClass *klass)
{
  GimpPlugInClass *plug_in_class = GIMP_PLUG_IN_CLASS (klass);

  plug_in_class->query_procedures = query_procedures;
  plug_in_class->create_procedure = create_procedure;
  plug_in_class->set_i18n         = set_i18n;
}

static void
nsp_plug_in_init (NspPlugIn *self)
{
  (void) self;
}

/* GIMP_MAIN () with one addition: ns_process_init () re-executes the
 * plug-in once with OMP_WAIT_POLICY=PASSIVE (see engine/process.c; the
 * pipe descriptors GIMP passes in argv survive exec). */
int
main (int argc, char *argv[])
{
  ns_process_init (argv);
  return gimp_main (NSP_TYPE_PLUG_IN, argc, argv);
}
