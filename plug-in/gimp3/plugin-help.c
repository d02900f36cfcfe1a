/* plugin-help.c — the dialog's Help button opens the plug-in's own page
 * (see header). */
#include "plugin-help.h"
#include "plugin-params.h"
#include "plugin-texts.h"
#include "plugin-i18n.h"

#include <glib/gstdio.h>
#include <stdio.h>

/* GimpHelpFunc.  Test hook (tests/gimp3 under Xvfb):
 * $NEURAL_STYLE_TEST_HELP_LOG names a file that gets the page's URI
 * instead of a browser window. */
static void
show_help (const gchar *help_id, gpointer help_data)
{
  const gchar *log = g_getenv ("NEURAL_STYLE_TEST_HELP_LOG");
  gchar       *uri = nsp_help_uri ();
  GError      *err = NULL;
  FILE        *f;

  (void) help_id;
  if (log && *log && (f = g_fopen (log, "a")))
    {
      fprintf (f, "%s\n", uri ? uri : "(none)");
      fclose (f);
    }
  else if (!uri)
    g_message (_("The Neural Style help page is not installed; see the section "
                 "“The GIMP plug-in” of README.md in the plug-in's sources."));
  else if (!gtk_show_uri_on_window (GTK_IS_WINDOW (help_data) ? GTK_WINDOW (help_data) : NULL,
                                    uri, GDK_CURRENT_TIME, &err))
    {
      /* TRANSLATORS: the help page's address, the reason */
      g_message (_("Could not open the help page %s: %s"), uri, err->message);
      g_clear_error (&err);
    }
  g_free (uri);
}

GtkWidget *
nsp_help_procedure_dialog_new (GimpProcedure       *procedure,
                               GimpProcedureConfig *config,
                               const gchar         *title)
{
  gboolean use_header_bar = FALSE;

  /* What gimp_procedure_dialog_new() does, with our help function. */
  g_object_get (gtk_settings_get_default (), "gtk-dialogs-use-header", &use_header_bar, NULL);
  return g_object_new (GIMP_TYPE_PROCEDURE_DIALOG,
                       "procedure",      procedure,
                       "config",         config,
                       "title",          title,
                       "help-func",      show_help,
                       "help-id",        PLUG_IN_PROC,
                       "use-header-bar", use_header_bar,
                       NULL);
}
