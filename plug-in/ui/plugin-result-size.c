/* plugin-result-size.c — the Result size choice (see header). */
#include "plugin-result-size.h"
#include "plugin-texts.h"
#include "plugin-i18n.h"

#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>
#include <stdio.h>

void
nsp_result_size_init (NspResultSize *rs,
                      gboolean       full)
{
  rs->working = gtk_radio_button_new_with_label (NULL, _("Working size (fast)"));
  rs->full = gtk_radio_button_new_with_label_from_widget (GTK_RADIO_BUTTON (rs->working),
                                                          _("Full layer size"));
  gimp_help_set_help_data (rs->working,
                           _("Compute at the working size below and enlarge the result to the "
                             "layer: fast, but soft on large layers"), NULL);
  gimp_help_set_help_data (rs->full,
                           _("Compute at the layer's own size: sharp, slower; large layers are "
                             "computed in tiles where memory requires it (same result)"), NULL);
  nsp_result_size_set (rs, full);
}

gboolean
nsp_result_size_full (const NspResultSize *rs)
{
  return rs->full && gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (rs->full));
}

void
nsp_result_size_set (NspResultSize *rs,
                     gboolean       full)
{
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (full ? rs->full : rs->working), TRUE);
}

void
nsp_result_size_update (NspResultSize   *rs,
                        const NsModel   *model,
                        const NsSpeed   *speed,
                        const NspValues *vals,
                        gint             region_w,
                        gint             region_h,
                        gint             n_masked,
                        gboolean         content_mask)
{
  for (gint full = 0; full < 2; full++)
    {
      gchar *text = nsp_result_size_text (model, speed, vals, full, region_w, region_h,
                                          n_masked, content_mask);

      gtk_button_set_label (GTK_BUTTON (full ? rs->full : rs->working), text);
      g_free (text);
    }
}

gboolean
nsp_result_size_test_step (NspResultSize *rs,
                           const gchar   *step,
                           GtkWidget     *estimate)
{
  const gchar *log = g_getenv ("NEURAL_STYLE_TEST_PREVIEW_LOG");
  FILE        *f;

  if (g_strcmp0 (step, "full") == 0 || g_strcmp0 (step, "working") == 0)
    nsp_result_size_set (rs, step[0] == 'f');
  else if (g_strcmp0 (step, "sizes") != 0)
    return FALSE;
  else if (log && *log && (f = fopen (log, "a")))
    {
      fprintf (f, "size-working %s %s\nsize-full %s %s\nestimate %s\n",
               nsp_result_size_full (rs) ? "off" : "on",
               gtk_button_get_label (GTK_BUTTON (rs->working)),
               nsp_result_size_full (rs) ? "on" : "off",
               gtk_button_get_label (GTK_BUTTON (rs->full)),
               gtk_label_get_text (GTK_LABEL (estimate)));
      fclose (f);
    }
  return TRUE;
}
