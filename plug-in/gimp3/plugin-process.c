/* plugin-process.c — one whole run in GIMP 3 (see header). */
#include "plugin-process.h"
#include "plugin-config.h"
#include "plugin-host.h"
#include "plugin-io.h"
#include "plugin-progress.h"
#include "plugin-run.h"
#include "plugin-texts.h"
#include "plugin-i18n.h"

typedef struct
{
  GimpDrawable      *drawable;
  const NspRegion   *region;
  GimpImage        **style_images;
  NspProgressWindow *window;      /* interactive runs only */
  const NspMasks    *masks;       /* NULL: none */
} Host;

static void
host_status (gpointer data, const gchar *text)
{
  (void) data;
  gimp_progress_set_text (text);
}

/* GIMP's progress bar (+ the Cancel window).  A failing progress call
 * means GIMP has gone away or the run was cancelled. */
static gboolean
host_progress (gpointer data, const gchar *text, gdouble fraction)
{
  Host    *h  = data;
  gboolean ok = gimp_progress_set_text (text);

  ok = gimp_progress_update (fraction) && ok;
  if (h->window && !nsp_progress_window_update (h->window, text, fraction))
    ok = FALSE;
  return ok;
}

static NsImage *
host_read_content (gpointer data, gfloat **alpha, GError **error)
{
  Host *h = data;

  return nsp_read_drawable (h->drawable, h->region, alpha, error);
}

static NsImage *
host_read_style (gpointer data, gint index, gint max_side, GError **error)
{
  Host *h = data;

  return nsp_read_image_composite (h->style_images[index], max_side, error);
}

static NsImage *
host_read_style_mask (gpointer data, gint index, GError **error)
{
  Host *h = data;

  return nsp_read_mask (h->masks->style_masks[index], h->drawable, h->region, error);
}

static NsImage *
host_read_content_mask (gpointer data, GError **error)
{
  Host *h = data;

  return nsp_read_mask (h->masks->content_mask, h->drawable, h->region, error);
}

static gchar *
host_style_name (gpointer data, gint index)
{
  Host *h = data;

  return nsp_image_display_name (h->style_images[index]);
}

GimpLayer *
nsp_process (GimpImage        *image,
             GimpDrawable     *drawable,
             const NspValues  *vals,
             GimpImage       **style_images,
             gboolean          interactive,
             GError          **error)
{
  return nsp_process_regions (image, drawable, vals, style_images, NULL, interactive, error);
}

GimpLayer *
nsp_process_regions (GimpImage        *image,
                     GimpDrawable     *drawable,
                     const NspValues  *vals,
                     GimpImage       **style_images,
                     const NspMasks   *masks,
                     gboolean          interactive,
                     GError          **error)
{
  return nsp_process_from (image, drawable, NULL, vals, style_images, masks, interactive, error);
}

/* The start picture of a continued run: the whole start layer, or its
 * part in the selection's bounds. */
static NsImage *
read_start (GimpImage *image, GimpDrawable *start_layer, GError **error)
{
  NspRegion region;

  if (!nsp_region_compute (image, start_layer, &region, error))
    return NULL;
  return nsp_read_drawable (start_layer, &region, NULL, error);
}

GimpLayer *
nsp_process_from (GimpImage        *image,
                  GimpDrawable     *drawable,
                  GimpDrawable     *start_layer,
                  const NspValues  *vals,
                  GimpImage       **style_images,
                  const NspMasks   *masks,
                  gboolean          interactive,
                  GError          **error)
{
  NspRegion  region;
  Host       h = { drawable, &region, style_images, NULL, masks };
  NspHost    host = { &h, host_status, host_progress, host_read_content,
                         host_read_style, host_style_name,
                         masks ? host_read_style_mask : NULL,
                         masks ? host_read_content_mask : NULL };
  NspResult  res;
  GimpLayer *layer = NULL;
  NsImage   *start = NULL;

  if (!nsp_region_compute (image, drawable, &region, error))
    return NULL;
  if (start_layer && !(start = read_start (image, start_layer, error)))
    return NULL;

  gimp_progress_init (_("Neural Style"));
  if (interactive)
    h.window = nsp_progress_window_new ();

  if (nsp_run_from (vals, region.width, region.height, &host, start, &res, error))
    {
      /* The source layer, so a later run on the result can offer it (and
       * the layer a continued run started from). */
      gchar *text = start_layer
        ? g_strdup_printf ("%scontinued-from-tattoo=%u\n", res.parasite_text,
                           (guint) gimp_item_get_tattoo (GIMP_ITEM (start_layer)))
        : g_strdup (res.parasite_text);
      gchar *parasite = nsp_parasite_with_source (text,
                                                  gimp_item_get_tattoo (GIMP_ITEM (drawable)));

      g_free (text);

      gimp_progress_set_text (_("Writing the result layer…"));
      layer = nsp_write_result (image, drawable, &region, res.image, res.alpha,
                                res.layer_name, parasite, error);
      g_free (parasite);
      if (layer && res.warning)
        g_message ("%s", res.warning);   /* a dialog, or the error console / stderr */
      gimp_progress_update (1.0);
      nsp_result_clear (&res);
    }

  ns_image_free (start);
  nsp_log_peak_memory ();
  nsp_progress_window_destroy (h.window);
  gimp_progress_end ();
  return layer;
}

GimpValueArray *
nsp_process_return_values (GimpProcedure *procedure, GimpLayer *layer, GError *error)
{
  GimpValueArray *ret;

  if (!layer)
    {
      GimpPDBStatusType status = nsp_status_for_error (error);

      /* A cancel is no error: GIMP shows no message for it. */
      if (status == GIMP_PDB_CANCEL)
        g_clear_error (&error);
      return gimp_procedure_new_return_values (procedure, status, error);
    }
  g_clear_error (&error);
  ret = gimp_procedure_new_return_values (procedure, GIMP_PDB_SUCCESS, NULL);
  GIMP_VALUES_SET_LAYER (ret, 1, layer);
  return ret;
}
