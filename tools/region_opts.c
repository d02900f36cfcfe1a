/* region_opts.c — the CLI's --style-mask, --content-mask[-strength] and
 * --color-transfer (region_opts.h). */
#include "region_opts.h"
#include "image_io.h"

#include <string.h>

void
ns_region_opts_init (NsRegionOpts *r)
{
  *r = (NsRegionOpts) { .content_mask_strength = NS_CONTENT_MASK_STRENGTH };
}

void
ns_region_opts_clear (NsRegionOpts *r)
{
  g_strfreev (r->style_masks);
  g_free (r->content_mask);
  g_free (r->color_transfer);
  ns_region_opts_init (r);
}

void
ns_region_opts_entries (NsRegionOpts *r, GOptionEntry out[5])
{
  const GOptionEntry e[5] = {
    { "style-mask", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &r->style_masks,
      "Where the style of the same place among the --style options applies: a gray mask image "
      "(white = here; - = the whole image); repeatable, one per --style", "FILE" },
    { "content-mask", 0, 0, G_OPTION_ARG_FILENAME, &r->content_mask,
      "Protect what is white in this mask image: its content loss is weighted by "
      "1 + (S - 1) x mask", "FILE" },
    { "content-mask-strength", 0, 0, G_OPTION_ARG_DOUBLE, &r->content_mask_strength,
      "S for --content-mask (>= 0, default 10)", "S" },
    { "color-transfer", 0, 0, G_OPTION_ARG_STRING, &r->color_transfer,
      "none (default), meancov (the styles take the photo's colours) or luminance (transfer "
      "on luminance only; the photo's colours are kept)", "MODE" },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  memcpy (out, e, sizeof e);
}

gboolean
ns_region_opts_check (const NsRegionOpts *r, int n_styles, NsParams *p, GError **error)
{
  int n_masks = r->style_masks ? (int) g_strv_length (r->style_masks) : 0;
  if (n_masks > 0 && n_masks != n_styles)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%d --style-mask for %d --style: give one per style, in the same order "
                   "(- = the whole image)", n_masks, n_styles);
      return FALSE;
    }
  if (!(r->content_mask_strength >= 0 && r->content_mask_strength < G_MAXDOUBLE))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--content-mask-strength must be >= 0 (got %g)", r->content_mask_strength);
      return FALSE;
    }
  if (r->color_transfer && !ns_color_transfer_from_name (r->color_transfer, &p->color_transfer))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--color-transfer must be none, meancov or luminance (got \"%s\")",
                   r->color_transfer);
      return FALSE;
    }
  return TRUE;
}

gboolean
ns_region_opts_add_style (const NsRegionOpts *r, int i, NsJob *job, const NsImage *style,
                          double weight, double scale, GError **error)
{
  const char *path = r->style_masks ? r->style_masks[i] : NULL;
  NsImage *mask = NULL;
  if (path && strcmp (path, "-") != 0 && !(mask = ns_io_load (path, error)))
    {
      g_prefix_error (error, "style mask: ");
      return FALSE;
    }
  gboolean ok = ns_job_add_style_masked (job, style, weight, scale, mask, error);
  ns_image_free (mask);
  return ok;
}

gboolean
ns_region_opts_apply (const NsRegionOpts *r, NsJob *job, GError **error)
{
  if (!r->content_mask)
    return TRUE;
  NsImage *mask = ns_io_load (r->content_mask, error);
  if (!mask)
    {
      g_prefix_error (error, "content mask: ");
      return FALSE;
    }
  gboolean ok = ns_job_set_content_mask (job, mask, r->content_mask_strength, error);
  ns_image_free (mask);
  return ok;
}
