/* plugin-progress.c — the interactive progress window (see header); GTK 2
 * (GIMP 2.10) or GTK 3 (GIMP 3), whichever the plug-in is built with. */
#include "plugin-progress.h"
#include "plugin-params.h"
#include "plugin-i18n.h"

#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>

struct NspProgressWindow
{
  GtkWidget *dialog;
  GtkWidget *label;
  GtkWidget *bar;
  gboolean   cancelled;
};

static void
on_response (GtkDialog *dialog, gint response, gpointer data)
{
  NspProgressWindow *win = data;

  (void) dialog;
  (void) response;   /* Cancel, Escape or the window manager's close */
  win->cancelled = TRUE;
  if (win->label)
    gtk_label_set_text (GTK_LABEL (win->label), _("Stopping…"));
}

static gboolean
on_delete (GtkWidget *widget, GdkEvent *event, gpointer data)
{
  (void) widget;
  (void) event;
  on_response (NULL, GTK_RESPONSE_CANCEL, data);
  return TRUE;       /* keep the window until the run has stopped */
}

static void
pump_events (void)
{
  while (gtk_events_pending ())
    gtk_main_iteration_do (FALSE);
}

NspProgressWindow *
nsp_progress_window_new (void)
{
  NspProgressWindow *win = g_new0 (NspProgressWindow, 1);
  GtkWidget         *vbox;

  win->dialog = gimp_dialog_new (_("Neural Style"), PLUG_IN_ROLE,
                                 NULL, 0, NULL, NULL,
                                 _("_Cancel"), GTK_RESPONSE_CANCEL,
                                 NULL);
  gtk_window_set_default_size (GTK_WINDOW (win->dialog), 420, -1);

#if GTK_CHECK_VERSION (3, 0, 0)
  vbox = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
#else
  vbox = gtk_vbox_new (FALSE, 6);
#endif
  gtk_container_set_border_width (GTK_CONTAINER (vbox), 12);
  gtk_box_pack_start (GTK_BOX (gtk_dialog_get_content_area (GTK_DIALOG (win->dialog))),
                      vbox, TRUE, TRUE, 0);

  win->label = gtk_label_new (_("Preparing…"));
#if GTK_CHECK_VERSION (3, 0, 0)
  gtk_label_set_xalign (GTK_LABEL (win->label), 0.0);
#else
  gtk_misc_set_alignment (GTK_MISC (win->label), 0.0, 0.5);
#endif
  gtk_box_pack_start (GTK_BOX (vbox), win->label, FALSE, FALSE, 0);

  win->bar = gtk_progress_bar_new ();
  gtk_box_pack_start (GTK_BOX (vbox), win->bar, FALSE, FALSE, 0);

  g_signal_connect (win->dialog, "response", G_CALLBACK (on_response), win);
  g_signal_connect (win->dialog, "delete-event", G_CALLBACK (on_delete), win);
  gtk_widget_show_all (win->dialog);
  pump_events ();
  return win;
}

gboolean
nsp_progress_window_update (NspProgressWindow *win,
                            const gchar       *text,
                            gdouble            fraction)
{
  if (!win->cancelled)
    {
      if (text)
        gtk_label_set_text (GTK_LABEL (win->label), text);
      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (win->bar), CLAMP (fraction, 0.0, 1.0));
    }
  pump_events ();
  return !win->cancelled;
}

void
nsp_progress_window_destroy (NspProgressWindow *win)
{
  if (!win)
    return;
  gtk_widget_destroy (win->dialog);
  pump_events ();
  g_free (win);
}
