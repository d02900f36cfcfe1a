/* plugin-continue-toggle.c — "Continue from this layer" (see header). */
#include "plugin-continue-toggle.h"
#include "plugin-i18n.h"

#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>

/* Continuing needs the source as content: tick and lock that toggle. */
static void
on_continue (GtkToggleButton *toggle, GtkWidget *source_toggle)
{
  gboolean on = gtk_toggle_button_get_active (toggle);

  if (on)
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (source_toggle), TRUE);
  gtk_widget_set_sensitive (source_toggle, !on);
}

GtkWidget *
nsp_continue_toggle_new (GtkWidget *source_toggle)
{
  GtkWidget *toggle = gtk_check_button_new_with_mnemonic (_("Continue from t_his layer"));

  gimp_help_set_help_data (toggle,
                           _("Refine the result: start from its pixels as they are (no "
                             "noise) with the source layer as content and the settings "
                             "that made it, e.g. at a larger size or for more iterations. "
                             "The result is a new layer."), NULL);
  g_signal_connect (toggle, "toggled", G_CALLBACK (on_continue), source_toggle);
  return toggle;
}
