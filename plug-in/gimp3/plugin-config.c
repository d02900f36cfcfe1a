/* plugin-config.c — the procedure's arguments <-> NspValues (see header).
 * The descriptions are the 2.10 PDB's; choices are named (lbfgs/adam,
 * max/avg, noise/content) instead of numbered. */
#include "plugin-config.h"
#include "plugin-labels.h"
#include "plugin-texts.h"
#include "plugin-i18n.h"

#include <string.h>

static GimpChoice *
optimizer_choice (void)
{
  return gimp_choice_new_with_values ("lbfgs", NS_OPTIMIZER_LBFGS, _("L-BFGS"), NULL,
                                      "adam",  NS_OPTIMIZER_ADAM,  _("Adam"),   NULL,
                                      NULL);
}

static GimpChoice *
pooling_choice (void)
{
  return gimp_choice_new_with_values ("max", NS_POOLING_MAX, _("Max"),     NULL,
                                      "avg", NS_POOLING_AVG, _("Average"), NULL,
                                      NULL);
}

static GimpChoice *
init_choice (void)
{
  return gimp_choice_new_with_values ("noise",   NS_INIT_NOISE,   _("Noise"),   NULL,
                                      "content", NS_INIT_CONTENT, _("Content"), NULL,
                                      NULL);
}

static const gchar *
choice_nick (gint id, const gchar *id0_nick, const gchar *id1_nick, gint id1)
{
  return id == id1 ? id1_nick : id0_nick;
}

/* The dialog's plain label of a setting (plug-in/common/plugin-labels.c),
 * as the argument's nick: GimpProcedureDialog shows it.  Interned, as
 * GParamSpec keeps nicks. */
static const gchar *
nick (const gchar *property)
{
  gchar       *text = nsp_control_nick (property);
  const gchar *interned = g_intern_string (text);

  g_free (text);
  return interned;
}

void
nsp_config_add_arguments (GimpProcedure *procedure)
{
  NspValues d;

  nsp_values_init (&d);

  /* GimpImage objects.  Script-Fu in GIMP 3.0 turns vectors of IDs into
   * arrays of items only (and an empty array of another element type
   * fails GIMP's argument check), so the elements are declared as GObject
   * and a layer stands for its image. */
  gimp_procedure_add_core_object_array_argument (procedure, "style-images",
    _("Style images"),
    "The style images (GimpImage; their visible composite is used, they are not modified). "
    "A layer (or any item) stands for its image, for Script-Fu, which can only pass item arrays",
    G_TYPE_OBJECT, G_PARAM_READWRITE);
  gimp_procedure_add_double_array_argument (procedure, "style-weights",
    _("Style weights"),
    "Blend weight of each style (>= 0, normalised to sum 1); empty = all 1.0",
    G_PARAM_READWRITE);
  gimp_procedure_add_double_array_argument (procedure, "style-scales",
    _("Style scales"),
    "Size of each style image relative to the working size (> 0, <= 8); empty = all 1.0",
    G_PARAM_READWRITE);

  gimp_procedure_add_double_argument (procedure, "content-weight", nick ("content-weight"),
    "Weight of the content loss (>= 0)", 0.0, 1e12, d.content_weight, G_PARAM_READWRITE);
  gimp_procedure_add_double_argument (procedure, "style-weight", nick ("style-weight"),
    "Weight of the style loss (>= 0)", 0.0, 1e12, d.style_weight, G_PARAM_READWRITE);
  gimp_procedure_add_double_argument (procedure, "tv-weight", nick ("tv-weight"),
    "Weight of the total-variation (smoothness) loss (>= 0)", 0.0, 1e12, d.tv_weight,
    G_PARAM_READWRITE);
  gimp_procedure_add_int_argument (procedure, "iterations", nick ("iterations"),
    "Optimiser iterations per resolution level (>= 0)", 0, NSP_MAX_ITERATIONS, d.iterations,
    G_PARAM_READWRITE);
  gimp_procedure_add_double_argument (procedure, "tolerance", nick ("tolerance"),
    "Stop when the relative loss change falls below this (0 = off)", 0.0, 1.0, d.tolerance,
    G_PARAM_READWRITE);
  gimp_procedure_add_choice_argument (procedure, "optimizer", nick ("optimizer"),
    "Optimiser: lbfgs or adam", optimizer_choice (),
    choice_nick (d.optimizer, "lbfgs", "adam", NS_OPTIMIZER_ADAM), G_PARAM_READWRITE);
  gimp_procedure_add_choice_argument (procedure, "pooling", nick ("pooling"),
    "Pooling in the network: max or avg", pooling_choice (),
    choice_nick (d.pooling, "max", "avg", NS_POOLING_AVG), G_PARAM_READWRITE);
  gimp_procedure_add_double_argument (procedure, "style-layer-weight-exp",
    nick ("style-layer-weight-exp"),
    "Style layer k gets weight proportional to exp^k (> 0; 1 = equal)", 0.0, 100.0,
    d.style_layer_weight_exp, G_PARAM_READWRITE);
  gimp_procedure_add_double_argument (procedure, "content-weight-blend",
    nick ("content-weight-blend"),
    "Share of the content weight on the primary content layer (0..1)", 0.0, 1.0,
    d.content_weight_blend, G_PARAM_READWRITE);
  gimp_procedure_add_int_argument (procedure, "size", nick ("size"),
    "Longest side of the working image in pixels (0 = the layer's size; 16..8192)",
    0, NSP_MAX_SIZE, d.size, G_PARAM_READWRITE);
  gimp_procedure_add_choice_argument (procedure, "init", nick ("init"),
    "Initial image: noise or content", init_choice (),
    choice_nick (d.init, "noise", "content", NS_INIT_CONTENT), G_PARAM_READWRITE);
  gimp_procedure_add_double_argument (procedure, "initial-noiseblend", nick ("initial-noiseblend"),
    "Share of noise mixed into the initial image (0..1)", 0.0, 1.0, d.initial_noiseblend,
    G_PARAM_READWRITE);
  gimp_procedure_add_int_argument (procedure, "seed", nick ("seed"),
    "Random seed (-1 = random)", -1, G_MAXINT32, d.seed, G_PARAM_READWRITE);
  gimp_procedure_add_boolean_argument (procedure, "preserve-colors", nick ("preserve-colors"),
    "Keep the content's colours, take only the stylised luminance", d.preserve_colors != 0,
    G_PARAM_READWRITE);
  gimp_procedure_add_int_argument (procedure, "multires", nick ("multires"),
    "Number of resolution levels (0 = automatic, 1 = single scale, <= 8)", 0,
    NSP_MAX_MULTIRES, d.multires, G_PARAM_READWRITE);
  gimp_procedure_add_string_argument (procedure, "model", _("Mo_del"),
    "Network file (.safetensors); \"\" = the default model", "", G_PARAM_READWRITE);
  /* The dialog's Result size choice, kept with the last values (size 0
   * alone cannot tell it from a first run, whose default is 0 as well). */
  gimp_procedure_add_boolean_aux_argument (procedure, "full-layer-size", _("Full layer size"),
    "The dialog's Result size: the layer's own size (size 0) rather than the working size",
    FALSE, G_PARAM_READWRITE);

  gimp_procedure_add_layer_return_value (procedure, "layer", "Layer",
    "The new layer holding the stylised image", FALSE, G_PARAM_READWRITE);
}

/* A double-array property: its values (owned by `value`) and length. */
static const gdouble *
get_doubles (GimpProcedureConfig *config, const gchar *name, GValue *value, gsize *n)
{
  g_value_init (value, GIMP_TYPE_DOUBLE_ARRAY);
  g_object_get_property (G_OBJECT (config), name, value);
  return gimp_value_get_double_array (value, n);
}

static void
set_doubles (GimpProcedureConfig *config, const gchar *name, const gdouble *v, gsize n)
{
  GValue value = G_VALUE_INIT;

  g_value_init (&value, GIMP_TYPE_DOUBLE_ARRAY);
  gimp_value_set_double_array (&value, v, n);
  g_object_set_property (G_OBJECT (config), name, &value);
  g_value_unset (&value);
}

gboolean
nsp_config_get_values (GimpProcedureConfig *config,
                       NspValues           *vals,
                       GimpImage          **style_images,
                       GError             **error)
{
  GObject      **images;
  gsize          n_styles = 0, n_weights = 0, n_scales = 0;
  GValue         wv = G_VALUE_INIT, sv = G_VALUE_INIT;
  const gdouble *weights, *scales;
  gchar         *model = NULL;
  gboolean       preserve = FALSE;
  gboolean       ok = FALSE;

  nsp_values_init (vals);
  memset (style_images, 0, NSP_MAX_STYLES * sizeof *style_images);
  images  = gimp_procedure_config_get_core_object_array (config, "style-images");
  if (images)
    n_styles = gimp_core_object_array_get_length (images);
  weights = get_doubles (config, "style-weights", &wv, &n_weights);
  scales  = get_doubles (config, "style-scales", &sv, &n_scales);

  if (n_styles > NSP_MAX_STYLES)
    nsp_set_error (error, NSP_ERROR_CALLING,
                   _("Too many style images: %d given, at most %d are supported."),
                   (gint) n_styles, NSP_MAX_STYLES);
  else if (n_weights != 0 && n_weights != n_styles)
    nsp_set_error (error, NSP_ERROR_CALLING,
                   _("style-weights must be empty or as long as style-images (%d), not %d."),
                   (gint) n_styles, (gint) n_weights);
  else if (n_scales != 0 && n_scales != n_styles)
    nsp_set_error (error, NSP_ERROR_CALLING,
                   _("style-scales must be empty or as long as style-images (%d), not %d."),
                   (gint) n_styles, (gint) n_scales);
  else
    ok = TRUE;

  if (ok)
    {
      vals->n_styles = (gint32) n_styles;
      for (gsize i = 0; i < n_styles; i++)
        {
          GObject *o = images[i];

          if (GIMP_IS_IMAGE (o))
            style_images[i] = GIMP_IMAGE (o);
          else if (GIMP_IS_ITEM (o) && gimp_item_is_valid (GIMP_ITEM (o)))
            style_images[i] = gimp_item_get_image (GIMP_ITEM (o));
          else
            style_images[i] = NULL;
          vals->style_weights[i] = n_weights ? weights[i] : 1.0;
          vals->style_scales[i]  = n_scales ? scales[i] : 1.0;
        }

      g_object_get (config,
                    "content-weight",         &vals->content_weight,
                    "style-weight",           &vals->style_weight,
                    "tv-weight",              &vals->tv_weight,
                    "iterations",             &vals->iterations,
                    "tolerance",              &vals->tolerance,
                    "style-layer-weight-exp", &vals->style_layer_weight_exp,
                    "content-weight-blend",   &vals->content_weight_blend,
                    "size",                   &vals->size,
                    "initial-noiseblend",     &vals->initial_noiseblend,
                    "seed",                   &vals->seed,
                    "preserve-colors",        &preserve,
                    "multires",               &vals->multires,
                    "model",                  &model,
                    NULL);
      vals->optimizer = gimp_procedure_config_get_choice_id (config, "optimizer");
      vals->pooling   = gimp_procedure_config_get_choice_id (config, "pooling");
      vals->init      = gimp_procedure_config_get_choice_id (config, "init");
      vals->preserve_colors = preserve ? 1 : 0;
      if (model && strlen (model) >= sizeof vals->model)
        ok = nsp_set_error (error, NSP_ERROR_CALLING, _("The model path is too long."));
      else
        g_strlcpy (vals->model, model ? model : "", sizeof vals->model);
      g_free (model);
    }

  g_value_unset (&wv);
  g_value_unset (&sv);
  g_free (images);
  return ok;
}

void
nsp_config_set_styles (GimpProcedureConfig *config,
                       GimpImage          **style_images,
                       const gdouble       *weights,
                       const gdouble       *scales,
                       gint                 n_styles)
{
  gimp_procedure_config_set_core_object_array (config, "style-images",
                                               (GObject **) style_images, n_styles);
  set_doubles (config, "style-weights", weights, n_styles);
  set_doubles (config, "style-scales", scales, n_styles);
}

static gboolean
check_style_image (gint index, gpointer data, GError **error)
{
  GimpImage *image = ((GimpImage **) data)[index];

  if (!image || !gimp_image_is_valid (image))
    return nsp_set_error (error, NSP_ERROR_CALLING,
                          _("Style %d is not an open image."), index + 1);
  return TRUE;
}

gboolean
nsp_validate_with_images (const NspValues *vals,
                          GimpImage      **style_images,
                          GError         **error)
{
  return nsp_values_validate (vals, check_style_image, style_images, error);
}

/* The file the image was imported from, else its XCF; NULL without one. */
static gchar *
image_file_path (GimpImage *image)
{
  GFile *file = gimp_image_get_imported_file (image);
  gchar *path = NULL;

  if (!file)
    file = gimp_image_get_file (image);
  if (file)
    {
      path = g_file_get_path (file);
      if (!path)
        path = g_file_get_basename (file);   /* a URI without a local path */
      g_object_unref (file);
    }
  return path;
}

/* Named after its file ("scream.jpg" -> "scream"), as in GIMP 2.10; GIMP's
 * image name ("[Untitled]", "[scream] (imported)") only without a file.
 * (GIMP 3.0's gimp-file-load leaves an image imported by a script without
 * any file: "[Untitled]"; opened in the GUI, or loaded from an XCF, it has
 * one.) */
gchar *
nsp_image_display_name (GimpImage *image)
{
  gboolean valid   = image && gimp_image_is_valid (image);
  gchar   *path    = valid ? image_file_path (image) : NULL;
  gchar   *name    = valid ? gimp_image_get_name (image) : NULL;
  gchar   *display = nsp_style_name_for_file (path, name, image ? gimp_image_get_id (image) : -1);

  g_free (path);
  g_free (name);
  return display;
}
