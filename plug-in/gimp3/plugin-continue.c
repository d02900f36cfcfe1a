/* plugin-continue.c — continue a result from its own pixels (see header). */
#include "plugin-continue.h"
#include "plugin-config.h"
#include "plugin-process.h"
#include "plugin-refine.h"
#include "plugin-texts.h"
#include "plugin-i18n.h"

#include <string.h>

/* The open image whose display name is `name`, or NULL. */
static GimpImage *
image_by_name (const gchar *name)
{
  GimpImage **images = gimp_get_images ();
  GimpImage  *found = NULL;

  for (gint i = 0; images[i] && !found; i++)
    {
      gchar *display = nsp_image_display_name (images[i]);

      if (g_strcmp0 (display, name) == 0)
        found = images[i];
      g_free (display);
    }
  g_free (images);
  return found;
}

/* The layer's parameters parasite as text, or NULL. */
static gchar *
parasite_text (GimpDrawable *layer)
{
  GimpParasite *parasite = gimp_item_is_valid (GIMP_ITEM (layer))
                           ? gimp_item_get_parasite (GIMP_ITEM (layer), PLUG_IN_PARASITE) : NULL;
  guint32       size = 0;
  gconstpointer data;
  gchar        *text;

  if (!parasite)
    return NULL;
  data = gimp_parasite_get_data (parasite, &size);
  text = g_strndup (data, size);
  gimp_parasite_free (parasite);
  return text;
}

gboolean
nsp_refine_lookup (GimpImage     *image,
                   GimpDrawable  *layer,
                   NspValues     *vals,
                   GimpImage    **style_images,
                   GimpLayer    **source,
                   GError       **error)
{
  gchar   *text = parasite_text (layer);
  gchar  **names = NULL;
  guint    tattoo = 0;
  gboolean ok;

  nsp_values_init (vals);
  ok = nsp_values_from_parasite_text (text ? text : "", vals, &names, &tattoo, error);
  g_free (text);
  for (gint i = 0; i < NSP_MAX_STYLES; i++)
    style_images[i] = ok && i < vals->n_styles ? image_by_name (names[i]) : NULL;
  *source = ok && tattoo ? gimp_image_get_layer_by_tattoo (image, tattoo) : NULL;
  if (*source && (GIMP_DRAWABLE (*source) == layer || !gimp_item_is_valid (GIMP_ITEM (*source))))
    *source = NULL;
  g_strfreev (names);
  return ok;
}

/* NspValues into the config (the style images separately). */
static void
config_set_values (GimpProcedureConfig *config, const NspValues *v)
{
  g_object_set (config,
                "content-weight",         v->content_weight,
                "style-weight",           v->style_weight,
                "tv-weight",              v->tv_weight,
                "iterations",             v->iterations,
                "tolerance",              v->tolerance,
                "optimizer",              v->optimizer == NS_OPTIMIZER_ADAM ? "adam" : "lbfgs",
                "pooling",                v->pooling == NS_POOLING_AVG ? "avg" : "max",
                "style-layer-weight-exp", v->style_layer_weight_exp,
                "content-weight-blend",   v->content_weight_blend,
                "size",                   v->size,
                "init",                   v->init == NS_INIT_CONTENT ? "content" : "noise",
                "initial-noiseblend",     v->initial_noiseblend,
                "seed",                   v->seed,
                "preserve-colors",        v->preserve_colors != 0,
                "multires",               v->multires,
                "model",                  v->model,
                NULL);
}

void
nsp_refine_config_from_result (GimpProcedureConfig *config, GimpImage *image,
                               GimpDrawable *layer)
{
  NspValues  vals;
  GimpImage *styles[NSP_MAX_STYLES];
  GimpLayer *source;
  gint       n = 0;

  if (!nsp_refine_lookup (image, layer, &vals, styles, &source, NULL))
    return;
  for (gint i = 0; i < vals.n_styles; i++)
    if (styles[i])
      {
        vals.style_weights[n] = vals.style_weights[i];
        vals.style_scales[n]  = vals.style_scales[i];
        styles[n++] = styles[i];
      }
  if (n == 0)
    return;
  config_set_values (config, &vals);
  nsp_config_set_styles (config, styles, vals.style_weights, vals.style_scales, n);
}

/* The style image named in the parasite that is not open, for the message. */
static gchar *
missing_style_name (GimpDrawable *layer, gint index)
{
  gchar *text = parasite_text (layer);
  gchar  key[64];
  gchar *name;

  g_snprintf (key, sizeof key, "style-%d-name", index + 1);
  name = text ? nsp_parasite_text_get (text, key) : NULL;
  g_free (text);
  return name ? name : g_strdup ("?");
}

/* New layer, or NULL with error set. */
static GimpLayer *
continue_layer (GimpImage *image, GimpDrawable *layer, gint size, gint iterations,
                GError **error)
{
  NspValues  vals;
  GimpImage *styles[NSP_MAX_STYLES];
  GimpLayer *source;

  if (!nsp_refine_lookup (image, layer, &vals, styles, &source, error))
    return NULL;
  if (!source)
    {
      nsp_set_error (error, NSP_ERROR_CALLING,
                     _("The source layer of this result is no longer in the image."));
      return NULL;
    }
  for (gint i = 0; i < vals.n_styles; i++)
    if (!styles[i])
      {
        gchar *name = missing_style_name (layer, i);

        nsp_set_error (error, NSP_ERROR_CALLING,
                       _("The style image “%s” of this result is not open; open it first."), name);
        g_free (name);
        return NULL;
      }
  if (size > 0)
    vals.size = size;
  if (iterations > 0)
    vals.iterations = iterations;
  if (!nsp_validate_with_images (&vals, styles, error))
    return NULL;
  return nsp_process_from (image, GIMP_DRAWABLE (source), layer, &vals, styles, NULL, FALSE,
                           error);
}

static GimpValueArray *
run_continue (GimpProcedure        *procedure,
              GimpRunMode           run_mode,
              GimpImage            *image,
              GimpDrawable        **drawables,
              GimpProcedureConfig  *config,
              gpointer              run_data)
{
  gsize           n = drawables ? gimp_core_object_array_get_length ((GObject **) drawables) : 0;
  GError         *error = NULL;
  GimpLayer      *layer = NULL;
  gint            size = 0, iterations = 0;

  (void) run_data;
  gegl_init (NULL, NULL);
  g_object_get (config, "size", &size, "iterations", &iterations, NULL);
  if (n != 1)
    nsp_set_error (&error, NSP_ERROR_CALLING,
                   _("Select the result layer to continue (one layer; %d are selected)."),
                   (gint) n);
  else
    layer = continue_layer (image, drawables[0], size, iterations, &error);
  if (layer && run_mode != GIMP_RUN_NONINTERACTIVE)
    gimp_displays_flush ();
  return nsp_process_return_values (procedure, layer, error);
}

GimpProcedure *
nsp_continue_procedure_new (GimpPlugIn *plug_in, const gchar *name)
{
  GimpProcedure *procedure = gimp_image_procedure_new (plug_in, name, GIMP_PDB_PROC_TYPE_PLUGIN,
                                                       run_continue, NULL, NULL);

  gimp_procedure_set_image_types (procedure, "RGB*, GRAY*");
  gimp_procedure_set_sensitivity_mask (procedure, GIMP_PROCEDURE_SENSITIVE_DRAWABLE);
  gimp_procedure_set_documentation (procedure,
    _("Continue a Neural Style result from its own pixels"),
    "Refine a result layer of plug-in-neural-style: the run starts from "
    "the result's pixels as they are (no noise) instead of the content, "
    "with the parameters stored in its \"" PLUG_IN_PARASITE "\" parasite, "
    "its source layer (found by tattoo) as the content and the style "
    "images of the names the parasite gives (they must be open).  Typical "
    "use: a larger size or more iterations.  The result is a new layer "
    "above the source layer, itself a result that can be continued.  "
    "All run modes run without a dialog (the dialog of plug-in-neural-style "
    "offers the same as \"Continue from this layer\").",
    name);
  gimp_procedure_set_attribution (procedure,
                                  "Neural Style for GIMP contributors",
                                  "Neural Style for GIMP contributors, GPL-3.0-or-later",
                                  "2026");
  gimp_procedure_add_int_argument (procedure, "size", "Size",
    "Longest side of the working image (0 = as in the result's parameters)",
    0, NSP_MAX_SIZE, 0, G_PARAM_READWRITE);
  gimp_procedure_add_int_argument (procedure, "iterations", "Iterations",
    "Iterations of the last level (0 = as in the result's parameters)",
    0, NSP_MAX_ITERATIONS, 0, G_PARAM_READWRITE);
  gimp_procedure_add_layer_return_value (procedure, "layer", "Layer",
    "The new layer holding the refined image", FALSE, G_PARAM_READWRITE);
  return procedure;
}
