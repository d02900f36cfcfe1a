/* plugin-regions.c — region and colour arguments of the GIMP 3 procedures
 * (see header; the 2.10 procedure plug-in-neural-style-regions takes the
 * same as positional arguments). */
#include "plugin-regions.h"
#include "plugin-i18n.h"

#include <string.h>

static GimpChoice *
color_choice (void)
{
  return gimp_choice_new_with_values (
    "none",      NS_COLOR_TRANSFER_NONE,      _("From the styles"), NULL,
    "meancov",   NS_COLOR_TRANSFER_MEANCOV,   _("Match the photo's colours"), NULL,
    "luminance", NS_COLOR_TRANSFER_LUMINANCE, _("Keep the photo's colours (luminance only)"), NULL,
    NULL);
}

void
nsp_regions_add_arguments (GimpProcedure *procedure, gboolean style_masks_argument)
{
  const gchar *masks_blurb = _("Style regions");
  const gchar *masks_help  =
    "One per style, in the order of style-images: the drawable (channel, layer mask or layer) "
    "where it applies: white = here, gray = mean of R'G'B', alpha ignored; the content "
    "drawable itself = the whole image (GIMP 3.0 refuses an empty array and ends an array at "
    "a missing item, so there is no -1 as in GIMP 2.10). "
    "A drawable of the content's image is read over the processed area (image coordinates); "
    "one of another image is taken whole and resized to the working size, as a mask file";

  gimp_procedure_add_drawable_argument (procedure, "content-mask", _("Protect"),
    "Drawable whose white parts keep the content more strongly; none = no content mask",
    TRUE, G_PARAM_READWRITE);
  gimp_procedure_add_double_argument (procedure, "content-mask-strength",
    _("Protection stren_gth"),
    "Content loss weight on white parts of content-mask: 1 + (S - 1) x mask", 0.0,
    NSP_MAX_CONTENT_MASK_STRENGTH, NS_CONTENT_MASK_STRENGTH, G_PARAM_READWRITE);
  gimp_procedure_add_choice_argument (procedure, "color-transfer", _("Colo_urs"),
    "none: colours from the styles; meancov: the styles recoloured to the photo's mean and "
    "covariance; luminance: transfer on luminance only, the photo's colours kept",
    color_choice (), "none", G_PARAM_READWRITE);
  /* Items, not drawables: each element is checked in nsp_regions_get,
   * with a clearer message than GIMP's "out of range". */
  if (style_masks_argument)
    gimp_procedure_add_core_object_array_argument (procedure, "style-masks", masks_blurb,
                                                   masks_help, GIMP_TYPE_ITEM, G_PARAM_READWRITE);
  else
    gimp_procedure_add_core_object_array_aux_argument (procedure, "style-masks", masks_blurb,
                                                       masks_help, GIMP_TYPE_ITEM,
                                                       G_PARAM_READWRITE);
}

/* NULL for none or the content itself; else a checked drawable. */
static gboolean
mask_of (GObject *o, GimpDrawable *content, const gchar *what, GimpDrawable **out,
         GError **error)
{
  *out = NULL;
  if (!o || o == G_OBJECT (content))
    return TRUE;
  if (!GIMP_IS_DRAWABLE (o) || !gimp_item_is_valid (GIMP_ITEM (o)))
    return nsp_set_error (error, NSP_ERROR_CALLING,
                          _("%s: not a drawable (a channel, layer mask or layer)."), what);
  if (gimp_item_is_group (GIMP_ITEM (o)))
    return nsp_set_error (error, NSP_ERROR_CALLING,
                          _("%s: a layer group cannot be a mask; use a channel or a layer."), what);
  *out = GIMP_DRAWABLE (o);
  return TRUE;
}

/* style-masks into masks->style_masks; `strict` (the regions procedure's
 * argument) turns a list that does not fit into an error, else it is
 * dropped (plug-in-neural-style's aux argument: last values whose items
 * or styles have changed since). */
static gboolean
style_masks_get (GimpProcedureConfig *config, GimpDrawable *content, gint n_styles,
                 gboolean strict, NspMasks *masks, GError **error)
{
  GObject **items = gimp_procedure_config_get_core_object_array (config, "style-masks");
  gsize     n     = items ? gimp_core_object_array_get_length (items) : 0;
  gboolean  ok    = TRUE;

  if (n != 0 && n != (gsize) n_styles)
    ok = !strict || nsp_set_error (error, NSP_ERROR_CALLING,
                                   _("style-masks must have one drawable per style (%d), "
                                     "not %d."), n_styles, (gint) n);
  else
    for (gsize i = 0; i < n && ok; i++)
      {
        gchar *what = g_strdup_printf (_("Style %d's mask"), (gint) i + 1);

        ok = mask_of (items[i], content, what, &masks->style_masks[i], strict ? error : NULL);
        g_free (what);
      }
  if (!ok && !strict)
    {
      memset (masks->style_masks, 0, sizeof masks->style_masks);
      ok = TRUE;
    }
  g_free (items);
  return ok;
}

gboolean
nsp_regions_get (GimpProcedureConfig *config, GimpDrawable *content, NspValues *vals,
                 NspMasks *masks, GError **error)
{
  GimpProcedure *procedure = gimp_procedure_config_get_procedure (config);
  GimpDrawable  *cm = NULL;
  gboolean       ok;

  memset (masks, 0, sizeof *masks);
  g_object_get (config, "content-mask", &cm, "content-mask-strength",
                &vals->content_mask_strength, NULL);
  vals->color_transfer = gimp_procedure_config_get_choice_id (config, "color-transfer");
  ok = mask_of (cm ? G_OBJECT (cm) : NULL, content, _("The content mask"),
                &masks->content_mask, error)
       && style_masks_get (config, content, vals->n_styles,
                           g_strcmp0 (gimp_procedure_get_name (procedure),
                                      PLUG_IN_PROC_REGIONS) == 0,
                           masks, error);
  g_clear_object (&cm);
  return ok;
}

void
nsp_regions_set_style_masks (GimpProcedureConfig *config, GimpDrawable *content,
                             GimpDrawable **masks, gint n)
{
  GObject *items[NSP_MAX_STYLES];

  /* GIMP 3.0 takes an empty object array for NULL, which it refuses. */
  if (n <= 0)
    return;
  for (gint i = 0; i < n; i++)
    items[i] = G_OBJECT (masks[i] ? masks[i] : content);
  gimp_procedure_config_set_core_object_array (config, "style-masks", items, n);
}

NsImage *
nsp_read_mask (GimpDrawable *mask, GimpDrawable *content, const NspRegion *region,
               GError **error)
{
  gint          cx, cy, mx, my;
  GeglBuffer   *buffer;
  GeglRectangle rect;
  const Babl   *native;
  NsImage      *img;

  if (!mask)
    return NULL;
  if (gimp_item_get_image (GIMP_ITEM (mask)) == gimp_item_get_image (GIMP_ITEM (content)))
    {
      gimp_drawable_get_offsets (content, &cx, &cy);
      gimp_drawable_get_offsets (mask, &mx, &my);
      rect = (GeglRectangle) { cx + region->x - mx, cy + region->y - my,
                               region->width, region->height };
    }
  else
    rect = (GeglRectangle) { 0, 0, gimp_drawable_get_width (mask),
                             gimp_drawable_get_height (mask) };
  native = gimp_drawable_get_format (mask);
  img    = ns_image_new (rect.width, rect.height);
  buffer = img ? gimp_drawable_get_buffer (mask) : NULL;
  if (!buffer)
    {
      ns_image_free (img);
      nsp_set_error (error, NSP_ERROR_EXECUTION, "%s", _("Could not read a mask's pixels."));
      return NULL;
    }
  gegl_buffer_get (buffer, &rect, 1.0,
                   native ? babl_format_with_space ("R'G'B' float", native)
                          : babl_format ("R'G'B' float"),
                   img->data, GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
  g_object_unref (buffer);
  return img;
}
