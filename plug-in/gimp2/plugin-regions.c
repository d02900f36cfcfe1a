/* plugin-regions.c — plug-in-neural-style-regions (see header). */
#include "plugin-regions.h"
#include "plugin-i18n.h"

#include <string.h>

/* Developer documentation (not translated, as GIMP's PDB texts). */
static const GimpParamDef region_args[NSP_N_REGION_ARGS - NSP_N_ARGS] =
{
  { GIMP_PDB_INT32,      "num-style-masks", "Number of style masks: 0 (every style on the whole image) or num-styles" },
  { GIMP_PDB_INT32ARRAY, "style-masks",     "Per style, the drawable (channel, layer mask or layer) where it applies (white = here; gray = mean of R'G'B'), or -1 for the whole image" },
  { GIMP_PDB_INT32,      "content-mask",    "Drawable whose white parts keep the content more strongly, or -1 for none" },
  { GIMP_PDB_FLOAT,      "content-mask-strength", "Content loss weight on white parts of content-mask: 1 + (S - 1) x mask (0..1000; 10 is a good start)" },
  { GIMP_PDB_INT32,      "color-transfer",  "Colours { from the styles (0), match the photo's colours: styles recoloured to its mean and covariance (1), keep the photo's colours: transfer on luminance only (2) }" },
};

void
nsp_masks_init (NspMasks *masks)
{
  for (gint i = 0; i < NSP_MAX_STYLES; i++)
    masks->style_masks[i] = -1;
  masks->content_mask = -1;
}

void
nsp_regions_install (void)
{
  const GimpParamDef *base, *return_vals;
  gint                n_base, n_return_vals;
  GimpParamDef        args[NSP_N_REGION_ARGS];

  base        = nsp_pdb_args (&n_base);
  return_vals = nsp_pdb_return_vals (&n_return_vals);
  memcpy (args, base, (gsize) n_base * sizeof *args);
  memcpy (args + n_base, region_args, sizeof region_args);

  gimp_install_procedure (PLUG_IN_PROC_REGIONS,
                          N_("Neural style transfer with a style per region, protected areas and colour control"),
                          "plug-in-neural-style with spatial and colour control after Gatys, "
                          "Ecker, Bethge, Hertzmann and Shechtman, \"Controlling Perceptual "
                          "Factors in Neural Style Transfer\" (CVPR 2017).  The arguments of "
                          "plug-in-neural-style in the same order, then: a mask per style "
                          "(its Gram matrices on the content are weighted by the mask: the "
                          "style goes where the mask is white), a content mask whose white "
                          "parts keep the content more strongly, and the colour transfer.  "
                          "Masks are read over the processed area (the selection's bounding "
                          "box, or the content layer) in image coordinates and resized to the "
                          "working size; their alpha is ignored.",
                          "Neural Style for GIMP contributors",
                          "Neural Style for GIMP contributors, GPL-3.0-or-later",
                          "2026",
                          NULL,
                          "RGB*, GRAY*",
                          GIMP_PLUGIN,
                          NSP_N_REGION_ARGS, n_return_vals,
                          args, return_vals);
}

gboolean
nsp_regions_from_pdb (NspValues       *vals,
                      gint32          *style_images,
                      NspMasks        *masks,
                      gint             n_params,
                      const GimpParam *params,
                      GError         **error)
{
  gint n_masks;

  if (n_params != NSP_N_REGION_ARGS)
    return nsp_set_error (error, NSP_ERROR_CALLING,
                          _("Wrong number of arguments: %d given, %d expected."),
                          n_params, NSP_N_REGION_ARGS);
  if (!nsp_values_from_pdb (vals, style_images, NSP_N_ARGS, params, error))
    return FALSE;
  n_masks = params[NSP_ARG_NUM_STYLE_MASKS].data.d_int32;
  if (n_masks != 0 && n_masks != vals->n_styles)
    return nsp_set_error (error, NSP_ERROR_CALLING,
                          _("num-style-masks must be 0 or equal to num-styles (%d), not %d."),
                          vals->n_styles, n_masks);
  if (n_masks > 0 && params[NSP_ARG_STYLE_MASKS].data.d_int32array == NULL)
    return nsp_set_error (error, NSP_ERROR_CALLING, _("The style-masks array is missing."));
  nsp_masks_init (masks);
  for (gint i = 0; i < n_masks; i++)
    masks->style_masks[i] = params[NSP_ARG_STYLE_MASKS].data.d_int32array[i];
  masks->content_mask          = params[NSP_ARG_CONTENT_MASK].data.d_int32;
  vals->content_mask_strength  = params[NSP_ARG_CONTENT_MASK_STRENGTH].data.d_float;
  vals->color_transfer         = params[NSP_ARG_COLOR_TRANSFER].data.d_int32;
  return TRUE;
}

/* A drawable of any open image (one of another image is taken whole, see
 * nsp_read_mask). */
static gboolean
check_mask (gint32 id, const gchar *what, GError **error)
{
  if (id == -1)
    return TRUE;
  if (!gimp_item_is_valid (id) || !gimp_item_is_drawable (id))
    return nsp_set_error (error, NSP_ERROR_CALLING,
                          _("%s: %d is not a drawable (a channel, layer mask or layer; -1 for none)."),
                          what, id);
  if (gimp_item_is_group (id))
    return nsp_set_error (error, NSP_ERROR_CALLING,
                          _("%s: a layer group cannot be a mask; use a channel or a layer."), what);
  return TRUE;
}

gboolean
nsp_masks_validate (const NspValues *vals, const NspMasks *masks, GError **error)
{
  for (gint i = 0; i < vals->n_styles; i++)
    {
      gchar   *what = g_strdup_printf (_("Style %d's mask"), i + 1);
      gboolean ok   = check_mask (masks->style_masks[i], what, error);

      g_free (what);
      if (!ok)
        return FALSE;
    }
  return check_mask (masks->content_mask, _("The content mask"), error);
}

NsImage *
nsp_read_mask (gint32 mask_id, gint32 content_id, const NspRegion *region, GError **error)
{
  gint          cx, cy, mx, my;
  GeglBuffer   *buffer;
  GeglRectangle rect;
  const Babl   *native = gimp_drawable_get_format (mask_id);
  NsImage      *img;

  if (mask_id == -1)
    return NULL;
  if (gimp_item_get_image (mask_id) == gimp_item_get_image (content_id))
    {
      gimp_drawable_offsets (content_id, &cx, &cy);
      gimp_drawable_offsets (mask_id, &mx, &my);
      rect = (GeglRectangle) { cx + region->x - mx, cy + region->y - my,
                               region->width, region->height };
    }
  else   /* another image: the whole drawable, resized by the engine like a mask file */
    rect = (GeglRectangle) { 0, 0, gimp_drawable_width (mask_id), gimp_drawable_height (mask_id) };
  img    = ns_image_new (rect.width, rect.height);
  buffer = img ? gimp_drawable_get_buffer (mask_id) : NULL;
  if (!buffer)
    {
      ns_image_free (img);
      nsp_set_error (error, NSP_ERROR_EXECUTION, "%s", _("Could not read a mask's pixels."));
      return NULL;
    }
  /* Outside the mask drawable: 0 (GEGL_ABYSS_NONE). */
  gegl_buffer_get (buffer, &rect, 1.0,
                   native ? babl_format_with_space ("R'G'B' float", native)
                          : babl_format ("R'G'B' float"),
                   img->data, GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
  g_object_unref (buffer);
  return img;
}
