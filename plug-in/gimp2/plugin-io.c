/* plugin-io.c — reading drawables / image composites into NsImage and
 * writing the result layer, through GEGL buffers and babl formats. */
#include "plugin-io.h"
#include "plugin-params.h"
#include "plugin-pixels.h"
#include "plugin-i18n.h"

#include <string.h>

/* "R'G'B' float" / "R'G'B'A float" in the colour space of the drawable, so
 * babl converts from whatever the image holds (gray, linear, 8..32 bit). */
static const Babl *
rgb_float_format (gint32 drawable_id, gboolean with_alpha)
{
  const Babl *native = gimp_drawable_get_format (drawable_id);
  const char *name   = with_alpha ? "R'G'B'A float" : "R'G'B' float";

  return native ? babl_format_with_space (name, native) : babl_format (name);
}

gboolean
nsp_region_compute (gint32      image_id,
                    gint32      drawable_id,
                    NspRegion  *region,
                    GError    **error)
{
  gint x, y, w, h;
  gint dw, dh;

  if (!gimp_item_is_valid (drawable_id) || !gimp_item_is_drawable (drawable_id))
    return nsp_set_error (error, NSP_ERROR_CALLING, "%s", _("The content drawable is not valid."));
  if (!gimp_item_is_layer (drawable_id))
    return nsp_set_error (error, NSP_ERROR_CALLING, "%s",
                     _("The content must be a layer (not a channel or a layer mask)."));
  if (gimp_item_is_group (drawable_id))
    return nsp_set_error (error, NSP_ERROR_CALLING, "%s",
                     _("The content is a layer group; choose one of its layers "
                       "(or merge the group first: Layer > Merge Down)."));
  if (gimp_layer_is_floating_sel (drawable_id))
    return nsp_set_error (error, NSP_ERROR_CALLING, "%s",
                     _("The content is a floating selection; anchor it (Layer > Anchor Layer) "
                       "or make it a new layer first."));
  if (gimp_item_get_image (drawable_id) != image_id)
    return nsp_set_error (error, NSP_ERROR_CALLING, "%s",
                     _("The content layer does not belong to the given image."));
  if (gimp_drawable_is_indexed (drawable_id))
    return nsp_set_error (error, NSP_ERROR_CALLING, "%s",
                     _("Indexed images are not supported; convert the image to RGB first (Image > Mode > RGB)."));

  dw = gimp_drawable_width (drawable_id);
  dh = gimp_drawable_height (drawable_id);
  nsp_region_whole (region, dw, dh);

  if (gimp_selection_is_empty (image_id))
    return TRUE;

  /* The selection's bounding box, in drawable coordinates, clipped. */
  if (!gimp_drawable_mask_intersect (drawable_id, &x, &y, &w, &h) || w <= 0 || h <= 0)
    return nsp_set_error (error, NSP_ERROR_CALLING, "%s",
                     _("The selection does not overlap the layer."));

  nsp_region_selection (region, dw, dh, x, y, w, h);
  return TRUE;
}

NsImage *
nsp_read_drawable (gint32           drawable_id,
                   const NspRegion *region,
                   gfloat         **alpha,
                   GError         **error)
{
  GeglBuffer   *buffer;
  GeglRectangle rect = { region->x, region->y, region->width, region->height };
  gboolean      has_alpha = gimp_drawable_has_alpha (drawable_id);
  NsImage      *img;
  gsize         n = (gsize) region->width * region->height;

  if (alpha)
    *alpha = NULL;

  img = ns_image_new (region->width, region->height);
  if (!img)
    {
      nsp_set_error (error, NSP_ERROR_EXECUTION, "%s", _("Not enough memory for the layer's pixels."));
      return NULL;
    }
  buffer = gimp_drawable_get_buffer (drawable_id);
  if (!buffer)
    {
      ns_image_free (img);
      nsp_set_error (error, NSP_ERROR_EXECUTION, "%s", _("Could not read the layer's pixels."));
      return NULL;
    }

  if (has_alpha && alpha)
    {
      gfloat *rgba = g_try_malloc (n * 4 * sizeof (gfloat));
      gfloat *a    = g_try_malloc (n * sizeof (gfloat));

      if (!rgba || !a)
        {
          g_free (rgba);
          g_free (a);
          g_object_unref (buffer);
          ns_image_free (img);
          nsp_set_error (error, NSP_ERROR_EXECUTION, "%s", _("Not enough memory for the layer's pixels."));
          return NULL;
        }
      /* Non-premultiplied: the colour of a (semi-)transparent pixel is kept. */
      gegl_buffer_get (buffer, &rect, 1.0, rgb_float_format (drawable_id, TRUE),
                       rgba, GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
      nsp_rgba_split (rgba, n, img, a);
      g_free (rgba);
      *alpha = a;
    }
  else
    {
      gegl_buffer_get (buffer, &rect, 1.0, rgb_float_format (drawable_id, FALSE),
                       img->data, GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
    }
  g_object_unref (buffer);
  return img;
}

NsImage *
nsp_read_image_composite (gint32    image_id,
                          gint      max_side,
                          GError  **error)
{
  gint32     dup, layer;
  NspRegion  all = { 0, 0, 0, 0, FALSE };
  NsImage   *img;

  if (!gimp_image_is_valid (image_id))
    {
      nsp_set_error (error, NSP_ERROR_CALLING, "%s", _("A style image was closed before it could be read."));
      return NULL;
    }

  /* Work on a duplicate: the style image (and its undo history) stays as it is. */
  dup = gimp_image_duplicate (image_id);
  if (dup < 0)
    {
      nsp_set_error (error, NSP_ERROR_EXECUTION, "%s", _("Could not duplicate a style image."));
      return NULL;
    }
  gimp_image_undo_disable (dup);
  if (gimp_image_base_type (dup) == GIMP_INDEXED)
    gimp_image_convert_rgb (dup);

  /* A huge style image is scaled in GIMP before it is read, so it never
   * reaches this process at full size (nsp_style_scale_in_host). */
  {
    gint w, h;

    if (nsp_style_scale_in_host (gimp_image_width (dup), gimp_image_height (dup), max_side, &w, &h))
      gimp_image_scale (dup, w, h);
  }

  layer = gimp_image_flatten (dup);   /* visible composite, alpha removed */
  if (layer < 0)
    {
      gimp_image_delete (dup);
      nsp_set_error (error, NSP_ERROR_EXECUTION, "%s", _("Could not flatten a copy of a style image."));
      return NULL;
    }

  all.width  = gimp_drawable_width (layer);
  all.height = gimp_drawable_height (layer);
  img = nsp_read_drawable (layer, &all, NULL, error);
  gimp_image_delete (dup);
  return img ? nsp_image_shrink (img, max_side) : NULL;
}

gint32
nsp_write_result (gint32           image_id,
                  gint32           drawable_id,
                  const NspRegion *region,
                  const NsImage   *result,
                  const gfloat    *alpha,
                  const gchar     *layer_name,
                  const gchar     *parasite_text,
                  GError         **error)
{
  gint           width   = gimp_drawable_width (drawable_id);
  gint           height  = gimp_drawable_height (drawable_id);
  gboolean       is_gray = gimp_drawable_is_gray (drawable_id);
  gboolean       has_alpha = gimp_drawable_has_alpha (drawable_id);
  GimpImageType  type;
  gint           off_x, off_y;
  gint32         layer, parent;
  gint           position;
  GeglBuffer    *src, *dst;
  GeglRectangle  rect = { region->x, region->y, region->width, region->height };
  gfloat        *pixels;

  g_return_val_if_fail (result->width == region->width && result->height == region->height, -1);

  if (is_gray)
    type = has_alpha ? GIMP_GRAYA_IMAGE : GIMP_GRAY_IMAGE;
  else
    type = has_alpha ? GIMP_RGBA_IMAGE : GIMP_RGB_IMAGE;

  pixels = nsp_rgba_join (result, alpha, has_alpha);
  if (!pixels)
    {
      nsp_set_error (error, NSP_ERROR_EXECUTION, "%s", _("Not enough memory for the result layer."));
      return -1;
    }

  gimp_image_undo_group_start (image_id);

  layer = gimp_layer_new (image_id, layer_name, width, height, type,
                          100.0, GIMP_LAYER_MODE_NORMAL);
  if (layer < 0)
    {
      gimp_image_undo_group_end (image_id);
      g_free (pixels);
      nsp_set_error (error, NSP_ERROR_EXECUTION, "%s", _("Could not create the result layer."));
      return -1;
    }
  gimp_drawable_offsets (drawable_id, &off_x, &off_y);
  gimp_layer_set_offsets (layer, off_x, off_y);

  parent   = gimp_item_get_parent (drawable_id);
  position = gimp_image_get_item_position (image_id, drawable_id);
  if (!gimp_image_insert_layer (image_id, layer, parent > 0 ? parent : -1, MAX (position, 0)))
    {
      gimp_item_delete (layer);
      gimp_image_undo_group_end (image_id);
      g_free (pixels);
      nsp_set_error (error, NSP_ERROR_EXECUTION, "%s", _("Could not add the result layer to the image."));
      return -1;
    }

  /* The content everywhere (outside the processed region it stays as it
   * was), then the result inside the region. */
  src = gimp_drawable_get_buffer (drawable_id);
  dst = gimp_drawable_get_buffer (layer);
  gegl_buffer_copy (src, NULL, GEGL_ABYSS_NONE, dst, NULL);
  gegl_buffer_set (dst, &rect, 0, rgb_float_format (layer, has_alpha),
                   pixels, GEGL_AUTO_ROWSTRIDE);
  g_object_unref (src);
  g_object_unref (dst);
  g_free (pixels);
  gimp_drawable_update (layer, 0, 0, width, height);

  if (region->has_selection)
    {
      gint32 mask = gimp_layer_create_mask (layer, GIMP_ADD_MASK_SELECTION);

      if (mask < 0 || !gimp_layer_add_mask (layer, mask))
        {
          gimp_image_remove_layer (image_id, layer);
          gimp_image_undo_group_end (image_id);
          nsp_set_error (error, NSP_ERROR_EXECUTION, "%s", _("Could not add the selection mask to the result layer."));
          return -1;
        }
    }

  if (parasite_text)
    {
      GimpParasite *parasite = gimp_parasite_new (PLUG_IN_PARASITE,
                                                  GIMP_PARASITE_PERSISTENT | GIMP_PARASITE_UNDOABLE,
                                                  strlen (parasite_text) + 1, parasite_text);
      gimp_item_attach_parasite (layer, parasite);
      gimp_parasite_free (parasite);
    }

  gimp_image_undo_group_end (image_id);
  return layer;
}
