/* plugin-refine.c — parasite text -> NspValues (see header). */
#include "plugin-refine.h"
#include "plugin-texts.h"
#include "plugin-i18n.h"

#include <string.h>

static void
get_double (const gchar *text, const gchar *key, gdouble *v)
{
  gchar *s = nsp_parasite_text_get (text, key);

  if (s)
    *v = g_ascii_strtod (s, NULL);
  g_free (s);
}

static void
get_int (const gchar *text, const gchar *key, gint32 *v)
{
  gchar *s = nsp_parasite_text_get (text, key);

  if (s)
    *v = (gint32) g_ascii_strtoll (s, NULL, 10);
  g_free (s);
}

/* key=a|b: 0 for a, 1 for b, else the value unchanged. */
static void
get_choice (const gchar *text, const gchar *key, const gchar *a, const gchar *b, gint32 *v)
{
  gchar *s = nsp_parasite_text_get (text, key);

  if (g_strcmp0 (s, a) == 0)
    *v = 0;
  else if (g_strcmp0 (s, b) == 0)
    *v = 1;
  g_free (s);
}

gboolean
nsp_values_from_parasite_text (const gchar  *text,
                               NspValues    *vals,
                               gchar      ***style_names,
                               guint        *source_tattoo,
                               GError      **error)
{
  gchar *version = nsp_parasite_text_get (text, "version");
  gchar *s;
  gint32 n = 0, seed = vals->seed;

  *style_names = NULL;
  *source_tattoo = 0;
  if (!version)
    return nsp_set_error (error, NSP_ERROR_CALLING,
                          _("The layer carries no Neural Style parameters."));
  g_free (version);
  get_int (text, "num-styles", &n);
  if (n < 1 || n > NSP_MAX_STYLES)
    return nsp_set_error (error, NSP_ERROR_CALLING,
                          _("The layer's Neural Style parameters name %d style images."), n);
  vals->n_styles = n;
  *style_names = g_new0 (gchar *, n + 1);
  for (gint i = 0; i < n; i++)
    {
      gchar key[64];

      g_snprintf (key, sizeof key, "style-%d-name", i + 1);
      (*style_names)[i] = nsp_parasite_text_get (text, key);
      if (!(*style_names)[i])
        (*style_names)[i] = g_strdup ("");
      g_snprintf (key, sizeof key, "style-%d-weight", i + 1);
      get_double (text, key, &vals->style_weights[i]);
      g_snprintf (key, sizeof key, "style-%d-scale", i + 1);
      get_double (text, key, &vals->style_scales[i]);
    }
  get_double (text, "content-weight", &vals->content_weight);
  get_double (text, "style-weight", &vals->style_weight);
  get_double (text, "tv-weight", &vals->tv_weight);
  get_int (text, "iterations", &vals->iterations);
  get_double (text, "tolerance", &vals->tolerance);
  get_choice (text, "optimizer", "lbfgs", "adam", &vals->optimizer);
  get_choice (text, "pooling", "max", "avg", &vals->pooling);
  get_double (text, "style-layer-weight-exp", &vals->style_layer_weight_exp);
  get_double (text, "content-weight-blend", &vals->content_weight_blend);
  get_int (text, "size", &vals->size);
  get_choice (text, "init", "noise", "content", &vals->init);
  get_double (text, "initial-noiseblend", &vals->initial_noiseblend);
  if ((s = nsp_parasite_text_get (text, "seed")))   /* %u: the seed used */
    seed = (gint32) (g_ascii_strtoull (s, NULL, 10) & 0x7fffffff);
  g_free (s);
  vals->seed = seed;
  get_int (text, "preserve-colors", &vals->preserve_colors);
  get_int (text, "multires", &vals->multires);
  /* a model that is gone (another machine): the installed default */
  if ((s = nsp_parasite_text_get (text, "model")) && g_file_test (s, G_FILE_TEST_IS_REGULAR))
    g_strlcpy (vals->model, s, sizeof vals->model);
  g_free (s);
  if ((s = nsp_parasite_text_get (text, "source-layer-tattoo")))
    *source_tattoo = (guint) g_ascii_strtoull (s, NULL, 10);
  g_free (s);
  if (!nsp_values_validate (vals, NULL, NULL, error))
    {
      g_clear_pointer (style_names, g_strfreev);
      return FALSE;
    }
  return TRUE;
}
