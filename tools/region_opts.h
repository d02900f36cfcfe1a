/* region_opts.h — the CLI's spatial and colour control options (issue 14):
 *   --style-mask FILE         (repeatable, paired in order with --style; - = whole image)
 *   --content-mask FILE       --content-mask-strength S (default 10)
 *   --color-transfer none|meancov|luminance
 */
#ifndef NS_REGION_OPTS_H
#define NS_REGION_OPTS_H

#include "neural_style.h"

typedef struct
{
  char  **style_masks;          /* NULL-terminated; "-" = whole image */
  char   *content_mask;
  double  content_mask_strength;
  char   *color_transfer;
} NsRegionOpts;

void     ns_region_opts_init  (NsRegionOpts *r);
void     ns_region_opts_clear (NsRegionOpts *r);
/* The options' GOptionEntry rows (terminated), pointing into r. */
void     ns_region_opts_entries (NsRegionOpts *r, GOptionEntry out[5]);
/* Checks against the number of --style options and sets p->color_transfer. */
gboolean ns_region_opts_check (const NsRegionOpts *r, int n_styles, NsParams *p,
                               GError **error);
/* Add style i (loaded) with its mask, if any. */
gboolean ns_region_opts_add_style (const NsRegionOpts *r, int i, NsJob *job,
                                   const NsImage *style, double weight, double scale,
                                   GError **error);
/* The content mask, if any. */
gboolean ns_region_opts_apply (const NsRegionOpts *r, NsJob *job, GError **error);

#endif
