/* image.c — NsImage: allocation, copy, fitting and resampling.
 *
 * Layout: width*height*3 floats, interleaved RGB, top row first.
 * Resampling is the separable filter of ns_resample (image_ops.c): area
 * average when shrinking, bilinear (pixel centres aligned) when enlarging,
 * identity on an axis whose size does not change.
 */
#include "neural_style.h"
#include "image_ops.h"

#include <math.h>
#include <string.h>

/* Largest image: 2^31 floats (8 GiB), far beyond anything the engine can
 * optimise, but the limit keeps every index computation in range. */
#define NS_IMAGE_MAX_FLOATS ((guint64) 1 << 31)

static gboolean
valid_size (int width, int height)
{
  return width > 0 && height > 0
      && (guint64) width * (guint64) height * 3 <= NS_IMAGE_MAX_FLOATS;
}

NsImage *
ns_image_new (int width, int height)
{
  if (!valid_size (width, height))
    return NULL;
  NsImage *img = g_try_new0 (NsImage, 1);
  if (!img)
    return NULL;
  img->data = g_try_malloc0 ((gsize) width * height * 3 * sizeof (float));
  if (!img->data)
    {
      g_free (img);
      return NULL;
    }
  img->width = width;
  img->height = height;
  return img;
}

static gboolean
image_ok (const NsImage *img)
{
  return img && img->data && valid_size (img->width, img->height);
}

NsImage *
ns_image_copy (const NsImage *src)
{
  if (!image_ok (src))
    return NULL;
  NsImage *dst = ns_image_new (src->width, src->height);
  if (dst)
    memcpy (dst->data, src->data, (size_t) src->width * src->height * 3 * sizeof (float));
  return dst;
}

void
ns_image_free (NsImage *img)
{
  if (!img)
    return;
  g_free (img->data);
  g_free (img);
}

NsImage *
ns_image_resize (const NsImage *src, int width, int height)
{
  if (!image_ok (src))
    return NULL;
  if (width == src->width && height == src->height)
    return ns_image_copy (src);          /* exact copy, no resampling */
  NsImage *dst = ns_image_new (width, height);
  if (!dst)
    return NULL;
  const int w = src->width;
  ns_resample (src->data, 3, w, src->height, 1, (ptrdiff_t) 3 * w, 3,
               dst->data, width, height, 1, (ptrdiff_t) 3 * width, 3);
  return dst;
}

void
ns_image_fit_size (int width, int height, int longest, int *out_w, int *out_h)
{
  int w = MAX (width, 1), h = MAX (height, 1);
  if (longest > 0)
    {
      if (w >= h)
        {
          h = (int) MAX (1.0, floor ((double) h * longest / w + 0.5));
          w = longest;
        }
      else
        {
          w = (int) MAX (1.0, floor ((double) w * longest / h + 0.5));
          h = longest;
        }
    }
  if (out_w)
    *out_w = w;
  if (out_h)
    *out_h = h;
}
