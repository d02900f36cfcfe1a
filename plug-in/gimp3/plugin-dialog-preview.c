/* plugin-dialog-preview.c — the GIMP 3 dialog's live preview (see header). */
#include "plugin-dialog-preview.h"
#include "plugin-config.h"
#include "plugin-io.h"
#include "plugin-preview.h"
#include "plugin-regions.h"
#include "plugin-i18n.h"

#include <stdio.h>
#include <string.h>

struct NspDialogPreview
{
  GimpProcedureConfig *config;
  GimpImage           *image;
  GimpDrawable       **drawable;       /* the dialog's content drawable */
  NspPreview          *preview;
  gulong               notify;
  NsImage             *content;        /* the content at preview size, of ... */
  GimpDrawable        *content_of;     /* ... this drawable */
  gint                 content_side;
  gint64               last_step;      /* test hook: monotonic µs of the last step */
};

/* NspPreviewGather: the config's values and their pixels at preview size
 * (the content read once per drawable and size), the masks as the full
 * run reads them (plugin-process.c). */
static gboolean
gather (gpointer data, NspPreviewInput *in)
{
  NspDialogPreview *dp = data;
  GimpDrawable     *drawable = *dp->drawable;
  GimpImage        *images[NSP_MAX_STYLES];
  NspMasks          masks;
  NspRegion         region;
  gint              side, w, h;

  memset (in, 0, sizeof *in);
  if (!nsp_config_get_values (dp->config, &in->vals, images, NULL)
      || !nsp_regions_get (dp->config, drawable, &in->vals, &masks, NULL)
      || !nsp_validate_with_images (&in->vals, images, NULL)
      || !nsp_region_compute (dp->image, drawable, &region, NULL))
    return FALSE;
  side = MIN (NSP_PREVIEW_SIDE, in->vals.size > 0 ? in->vals.size
                                                  : MAX (region.width, region.height));
  if (!dp->content || dp->content_of != drawable || dp->content_side != side)
    {
      NsImage *full;

      g_clear_pointer (&dp->content, ns_image_free);
      if (!(full = nsp_read_drawable (drawable, &region, NULL, NULL)))
        return FALSE;
      ns_image_fit_size (full->width, full->height, side, &w, &h);
      dp->content = ns_image_resize (full, w, h);
      dp->content_of = drawable;
      dp->content_side = side;
      ns_image_free (full);
    }
  if (!dp->content || !(in->content = ns_image_copy (dp->content)))
    return FALSE;
  for (gint i = 0; i < in->vals.n_styles; i++)
    {
      if (!(in->styles[i] = nsp_read_image_composite (images[i],
                              ns_style_read_side (in->content->width, in->content->height,
                                                  in->vals.style_scales[i]), NULL)))
        return FALSE;
      if (masks.style_masks[i]
          && !(in->style_masks[i] = nsp_preview_fit_mask (
                 nsp_read_mask (masks.style_masks[i], drawable, &region, NULL), in->content)))
        return FALSE;
    }
  if (masks.content_mask
      && !(in->content_mask = nsp_preview_fit_mask (
             nsp_read_mask (masks.content_mask, drawable, &region, NULL), in->content)))
    return FALSE;
  return TRUE;
}

static void
on_config_notify (GObject *config, GParamSpec *pspec, NspDialogPreview *dp)
{
  (void) config;
  (void) pspec;
  nsp_preview_schedule (dp->preview);   /* any change restarts it (debounced) */
}

NspDialogPreview *
nsp_dialog_preview_new (GtkWidget *dialog, GimpProcedureConfig *config, GimpImage *image,
                        GimpDrawable **drawable)
{
  NspDialogPreview *dp = g_new0 (NspDialogPreview, 1);

  dp->config   = config;
  dp->image    = image;
  dp->drawable = drawable;
  dp->preview  = nsp_preview_new (gather, dp);
  dp->notify   = g_signal_connect (config, "notify", G_CALLBACK (on_config_notify), dp);
  g_object_set_data (G_OBJECT (dialog), "nsp-dialog-preview", dp);
  nsp_preview_schedule (dp->preview);
  return dp;
}

GtkWidget *
nsp_dialog_preview_widget (NspDialogPreview *dp)
{
  return nsp_preview_widget (dp->preview);
}

void
nsp_dialog_preview_free (NspDialogPreview *dp)
{
  if (!dp)
    return;
  g_signal_handler_disconnect (dp->config, dp->notify);
  nsp_preview_free (dp->preview);
  ns_image_free (dp->content);
  g_free (dp);
}

gboolean
nsp_dialog_preview_test_step (GtkWidget *dialog, const gchar *step)
{
  NspDialogPreview *dp  = g_object_get_data (G_OBJECT (dialog), "nsp-dialog-preview");
  const gchar      *log = g_getenv ("NEURAL_STYLE_TEST_PREVIEW_LOG");
  gint64            now = g_get_monotonic_time ();
  FILE             *f;

  if (!dp)
    return FALSE;
  if (log && *log && (f = fopen (log, "a")))
    {
      fprintf (f, "step %s gap %.3f s\n", step,
               dp->last_step ? (now - dp->last_step) / 1e6 : 0.0);
      fclose (f);
    }
  dp->last_step = now;
  if (g_strcmp0 (step, "wait") == 0)
    return TRUE;
  if (g_strcmp0 (step, "change") == 0)
    {
      gdouble tv = 0.0;

      g_object_get (dp->config, "tv-weight", &tv, NULL);
      g_object_set (dp->config, "tv-weight", tv + 5.0, NULL);
      return TRUE;
    }
  return FALSE;
}
