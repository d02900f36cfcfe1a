/* plugin-continue.c — continue a result from its own pixels (see header). */
#include "plugin-continue.h"
#include "plugin-host.h"
#include "plugin-pdb.h"
#include "plugin-process.h"
#include "plugin-refine.h"
#include "plugin-texts.h"
#include "plugin-i18n.h"

#include <string.h>

/* The open image whose display name is `name`, or -1. */
static gint32
image_by_name (const gchar *name)
{
  gint    n = 0;
  gint32 *ids = gimp_image_list (&n);
  gint32  found = -1;

  for (gint i = 0; i < n && found < 0; i++)
    {
      gchar *display = nsp_image_display_name (ids[i]);

      if (g_strcmp0 (display, name) == 0)
        found = ids[i];
      g_free (display);
    }
  g_free (ids);
  return found;
}

gboolean
nsp_refine_lookup (gint32      image_id,
                   gint32      layer,
                   NspValues  *vals,
                   gint32     *style_images,
                   gint32     *source_layer,
                   GError    **error)
{
  GimpParasite *parasite = gimp_item_is_valid (layer)
                           ? gimp_item_get_parasite (layer, PLUG_IN_PARASITE) : NULL;
  gchar        *text = parasite ? g_strndup (gimp_parasite_data (parasite),
                                             gimp_parasite_data_size (parasite)) : NULL;
  gchar       **names = NULL;
  guint         tattoo = 0;
  gboolean      ok;

  if (parasite)
    gimp_parasite_free (parasite);
  nsp_values_init (vals);
  ok = nsp_values_from_parasite_text (text ? text : "", vals, &names, &tattoo, error);
  g_free (text);
  for (gint i = 0; i < NSP_MAX_STYLES; i++)
    style_images[i] = ok && i < vals->n_styles ? image_by_name (names[i]) : -1;
  *source_layer = ok && tattoo ? gimp_image_get_layer_by_tattoo (image_id, (gint) tattoo) : -1;
  if (*source_layer <= 0 || *source_layer == layer || !gimp_item_is_valid (*source_layer))
    *source_layer = -1;
  g_strfreev (names);
  return ok;
}

static const GimpParamDef continue_args[] =
{
  { GIMP_PDB_INT32,    "run-mode",   "The run mode { RUN-INTERACTIVE (0), RUN-NONINTERACTIVE (1), RUN-WITH-LAST-VALS (2) }: all run without a dialog" },
  { GIMP_PDB_IMAGE,    "image",      "Input image" },
  { GIMP_PDB_DRAWABLE, "drawable",   "A Neural Style result layer (it carries the \"" PLUG_IN_PARASITE "\" parasite)" },
  { GIMP_PDB_INT32,    "size",       "Longest side of the working image (0 = as in the result's parameters)" },
  { GIMP_PDB_INT32,    "iterations", "Iterations of the last level (0 = as in the result's parameters)" },
};

static const GimpParamDef continue_return[] =
{
  { GIMP_PDB_LAYER, "layer", "The new layer holding the refined image" },
};

void
nsp_refine_install (void)
{
  gimp_install_procedure (NSP_CONTINUE_PROC,
                          N_("Continue a Neural Style result from its own pixels"),
                          "Refine a result layer of plug-in-neural-style: the run starts from "
                          "the result's pixels as they are (no noise) instead of the content, "
                          "with the parameters stored in its \"" PLUG_IN_PARASITE "\" parasite, "
                          "its source layer (found by tattoo) as the content and the style "
                          "images of the names the parasite gives (they must be open).  Typical "
                          "use: a larger size or more iterations.  The result is a new layer "
                          "above the source layer, itself a result that can be continued.",
                          "Neural Style for GIMP contributors",
                          "Neural Style for GIMP contributors, GPL-3.0-or-later",
                          "2026",
                          NULL,
                          "RGB*, GRAY*",
                          GIMP_PLUGIN,
                          G_N_ELEMENTS (continue_args), G_N_ELEMENTS (continue_return),
                          continue_args, continue_return);
}

/* New layer, or -1 with error set. */
static gint32
continue_layer (gint32 image_id, gint32 layer, gint size, gint iterations, GError **error)
{
  NspValues vals;
  gint32    styles[NSP_MAX_STYLES], source;

  if (!nsp_refine_lookup (image_id, layer, &vals, styles, &source, error))
    return -1;
  if (source < 0)
    {
      nsp_set_error (error, NSP_ERROR_CALLING,
                     _("The source layer of this result is no longer in the image."));
      return -1;
    }
  for (gint i = 0; i < vals.n_styles; i++)
    if (styles[i] < 0)
      {
        GimpParasite *p = gimp_item_get_parasite (layer, PLUG_IN_PARASITE);
        gchar        *text = g_strndup (gimp_parasite_data (p), gimp_parasite_data_size (p));
        gchar         key[64];
        gchar        *name;

        g_snprintf (key, sizeof key, "style-%d-name", i + 1);
        name = nsp_parasite_text_get (text, key);
        nsp_set_error (error, NSP_ERROR_CALLING,
                       _("The style image “%s” of this result is not open; open it first."),
                       name ? name : "?");
        g_free (name);
        g_free (text);
        gimp_parasite_free (p);
        return -1;
      }
  if (size > 0)
    vals.size = size;
  if (iterations > 0)
    vals.iterations = iterations;
  if (!nsp_validate_with_images (&vals, styles, error))
    return -1;
  return nsp_process_from (image_id, source, layer, &vals, styles, FALSE, error);
}

void
nsp_refine_run (gint              n_params,
                const GimpParam  *param,
                gint             *n_return_vals,
                GimpParam       **return_vals)
{
  static GimpParam values[2];
  static gchar    *message = NULL;   /* sent after run() returns */
  GError          *error = NULL;
  gint32           layer = -1;

  g_clear_pointer (&message, g_free);
  *return_vals = values;
  values[0].type = GIMP_PDB_STATUS;
  values[1].type = GIMP_PDB_LAYER;
  values[1].data.d_layer = -1;
  if (n_params != G_N_ELEMENTS (continue_args))
    nsp_set_error (&error, NSP_ERROR_CALLING, _("Wrong procedure or too few arguments."));
  else if (!gimp_image_is_valid (param[1].data.d_image))
    nsp_set_error (&error, NSP_ERROR_CALLING, _("The image is not valid."));
  else
    layer = continue_layer (param[1].data.d_image, param[2].data.d_drawable,
                            param[3].data.d_int32, param[4].data.d_int32, &error);
  if (layer >= 0 && param[0].data.d_int32 != GIMP_RUN_NONINTERACTIVE)
    gimp_displays_flush ();
  *n_return_vals = 2;
  if (!error)
    {
      values[0].data.d_status = GIMP_PDB_SUCCESS;
      values[1].data.d_layer = layer;
      return;
    }
  values[0].data.d_status = nsp_status_for_error (error);
  message = g_strdup (error->message);
  values[1].type = GIMP_PDB_STRING;
  values[1].data.d_string = message;
  g_error_free (error);
}
