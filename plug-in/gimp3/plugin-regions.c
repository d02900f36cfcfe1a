/* plugin-regions.c — region and colour arguments of the GIMP 3 procedure
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

/* No style-masks argument: GIMP 3.0.4 refuses a call that leaves an
 * object-array argument out (its default, NULL, is "out of range"), so an
 * optional one would break every existing caller; the per-style masks are
 * the 2.10 procedure's (plug-in-neural-style-regions) for now. */
void
nsp_regions_add_arguments (GimpProcedure *procedure)
{
  gimp_procedure_add_drawable_argument (procedure, "content-mask", _("Protect"),
    "Drawable whose white parts keep the content more strongly; none = no content mask",
    TRUE, G_PARAM_READWRITE);
  gimp_procedure_add_double_argument (procedure, "content-mask-strength",
    _("Protection strength"),
    "Content loss weight on white parts of content-mask: 1 + (S - 1) x mask", 0.0,
    NSP_MAX_CONTENT_MASK_STRENGTH, NS_CONTENT_MASK_STRENGTH, G_PARAM_READWRITE);
  gimp_procedure_add_choice_argument (procedure, "color-transfer", _("Colours"),
    "none: colours from the styles; meancov: the styles recoloured to the photo's mean and "
    "covariance; luminance: transfer on luminance only, the photo's colours kept",
    color_choice (), "none", G_PARAM_READWRITE);
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
  if (gimp_item_get_image (GIMP_ITEM (o)) != gimp_item_get_image (GIMP_ITEM (content)))
    return nsp_set_error (error, NSP_ERROR_CALLING,
                          _("%s: the drawable does not belong to the content's image."), what);
  if (gimp_item_is_group (GIMP_ITEM (o)))
    return nsp_set_error (error, NSP_ERROR_CALLING,
                          _("%s: a layer group cannot be a mask; use a channel or a layer."), what);
  *out = GIMP_DRAWABLE (o);
  return TRUE;
}

gboolean
nsp_regions_get (GimpProcedureConfig *config, GimpDrawable *content, NspValues *vals,
                 NspMasks *masks, GError **error)
{
  GimpDrawable *cm = NULL;
  gboolean      ok;

  memset (masks, 0, sizeof *masks);
  g_object_get (config, "content-mask", &cm, "content-mask-strength",
                &vals->content_mask_strength, NULL);
  vals->color_transfer = gimp_procedure_config_get_choice_id (config, "color-transfer");
  ok = mask_of (cm ? G_OBJECT (cm) : NULL, content, _("The content mask"),
                &masks->content_mask, error);
  g_clear_object (&cm);
  return ok;
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
  gimp_drawable_get_offsets (content, &cx, &cy);
  gimp_drawable_get_offsets (mask, &mx, &my);
  rect   = (GeglRectangle) { cx + region->x - mx, cy + region->y - my,
                             region->width, region->height };
  native = gimp_drawable_get_format (mask);
  img    = ns_image_new (region->width, region->height);
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
