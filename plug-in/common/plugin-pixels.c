/* plugin-pixels.c — region, RGBA <-> RGB + alpha, style shrink (see header). */
#include "plugin-pixels.h"

#include <string.h>

void
nsp_region_whole (NspRegion *region, gint width, gint height)
{
  region->x = 0;
  region->y = 0;
  region->width = width;
  region->height = height;
  region->has_selection = FALSE;
}

void
nsp_region_selection (NspRegion *region, gint width, gint height,
                      gint x, gint y, gint w, gint h)
{
  region->x = MAX (0, x - NSP_SELECTION_MARGIN);
  region->y = MAX (0, y - NSP_SELECTION_MARGIN);
  region->width  = MIN (width, x + w + NSP_SELECTION_MARGIN) - region->x;
  region->height = MIN (height, y + h + NSP_SELECTION_MARGIN) - region->y;
  region->has_selection = TRUE;
}

void
nsp_rgba_split (const gfloat *rgba, gsize n, NsImage *img, gfloat *alpha)
{
  for (gsize i = 0; i < n; i++)
    {
      img->data[3 * i + 0] = rgba[4 * i + 0];
      img->data[3 * i + 1] = rgba[4 * i + 1];
      img->data[3 * i + 2] = rgba[4 * i + 2];
      alpha[i] = rgba[4 * i + 3];
    }
}

gfloat *
nsp_rgba_join (const NsImage *result, const gfloat *alpha, gboolean with_alpha)
{
  gsize   n = (gsize) result->width * result->height;
  gfloat *pixels = g_try_malloc (n * (with_alpha ? 4 : 3) * sizeof (gfloat));

  if (!pixels)
    return NULL;
  if (with_alpha)
    for (gsize i = 0; i < n; i++)
      {
        pixels[4 * i + 0] = result->data[3 * i + 0];
        pixels[4 * i + 1] = result->data[3 * i + 1];
        pixels[4 * i + 2] = result->data[3 * i + 2];
        pixels[4 * i + 3] = alpha ? alpha[i] : 1.0f;
      }
  else
    memcpy (pixels, result->data, n * 3 * sizeof (gfloat));
  return pixels;
}

NsImage *
nsp_image_shrink (NsImage *img, gint max_side)
{
  int      w, h;
  NsImage *small;

  if (max_side <= 0 || MAX (img->width, img->height) <= max_side)
    return img;
  ns_image_fit_size (img->width, img->height, max_side, &w, &h);
  small = ns_image_resize (img, w, h);
  if (!small)
    return img;
  ns_image_free (img);
  return small;
}

gboolean
nsp_style_scale_in_host (gint width, gint height, gint max_side,
                         gint *out_w, gint *out_h)
{
  int w, h;

  if (max_side <= 0 || MAX (width, height) <= max_side
      || (gint64) width * height <= NSP_STYLE_READ_WHOLE_MAX_PIXELS)
    return FALSE;
  ns_image_fit_size (width, height, max_side, &w, &h);
  *out_w = w;
  *out_h = h;
  return TRUE;
}
