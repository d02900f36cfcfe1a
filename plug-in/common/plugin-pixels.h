/* plugin-pixels.h — the pixel bookkeeping both GIMP versions share: the
 * processed region, RGBA <-> RGB + alpha, shrinking a style image. */
#ifndef PLUGIN_PIXELS_H
#define PLUGIN_PIXELS_H

#include <glib.h>

#include "neural_style.h"

/* Margin (pixels) added around the selection bounds, so the network sees
 * some context; clipped to the layer. */
#define NSP_SELECTION_MARGIN 16

/* The part of the content drawable that is processed, in drawable
 * coordinates. */
typedef struct
{
  gint     x, y, width, height;
  gboolean has_selection;     /* TRUE: the result layer gets a selection mask */
} NspRegion;

/* The whole width x height drawable. */
void     nsp_region_whole     (NspRegion *region, gint width, gint height);
/* The selection bounds (x, y, w, h in drawable coordinates) plus
 * NSP_SELECTION_MARGIN, clipped to the width x height drawable. */
void     nsp_region_selection (NspRegion *region, gint width, gint height,
                               gint x, gint y, gint w, gint h);

/* n RGBA pixels -> img's RGB and alpha[n]. */
void     nsp_rgba_split       (const gfloat *rgba, gsize n, NsImage *img, gfloat *alpha);
/* The result as RGBA (alpha[i], or 1 without alpha) or RGB floats; NULL
 * when out of memory. */
gfloat  *nsp_rgba_join        (const NsImage *result, const gfloat *alpha,
                               gboolean with_alpha);

/* img itself when its longest side is <= max_side (or max_side <= 0),
 * else a shrunk copy (img is freed).  Out of memory keeps img. */
NsImage *nsp_image_shrink     (NsImage *img, gint max_side);

/* Style images of more pixels than this are scaled inside GIMP, before
 * they are read, to the size they are used at (#19 item 7: an 8000 x 8000
 * one would be 732 MiB of floats in the plug-in).  Smaller ones are read
 * whole and shrunk by the engine exactly as the CLI shrinks its style
 * files, so the plug-ins give the CLI's pixels (GIMP's interpolation
 * differs from the engine's). */
#define NSP_STYLE_READ_WHOLE_MAX_PIXELS (16 * 1024 * 1024)

/* TRUE when a width x height style image read for `max_side` should be
 * scaled in GIMP first; *out_w x *out_h is then the size to scale it to. */
gboolean nsp_style_scale_in_host (gint width, gint height, gint max_side,
                                  gint *out_w, gint *out_h);

#endif /* PLUGIN_PIXELS_H */
