/* plugin-host.c — see plugin-host.h. */
#include "plugin-host.h"
#include "plugin-params.h"

#include <gtk/gtk.h>

GimpPDBStatusType
nsp_status_for_error (const GError *error)
{
  if (error && error->domain == NSP_ERROR)
    switch ((NspErrorCode) error->code)
      {
      case NSP_ERROR_CALLING:   return GIMP_PDB_CALLING_ERROR;
      case NSP_ERROR_CANCELLED: return GIMP_PDB_CANCEL;
      case NSP_ERROR_EXECUTION: return GIMP_PDB_EXECUTION_ERROR;
      }
  return GIMP_PDB_EXECUTION_ERROR;
}

gboolean
nsp_display_available (void)
{
  const gchar *name = gimp_display_name ();

  if (name && *name)
    g_setenv ("DISPLAY", name, TRUE);
  return gtk_init_check (NULL, NULL);
}
