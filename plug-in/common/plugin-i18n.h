/* plugin-i18n.h — gettext set-up for the plug-in (GIMP's INIT_I18N idiom).
 *
 * Every user-visible string goes through _() (translated where it is used)
 * or N_() (marked only; translated later, e.g. by GIMP for the menu label).
 * The domain is GETTEXT_PACKAGE from ns_config.h; the catalogues live in
 * NS_LOCALEDIR (po/ installs them there).  $NEURAL_STYLE_LOCALEDIR
 * overrides that directory so an uninstalled build can be tested.
 */
#ifndef PLUGIN_I18N_H
#define PLUGIN_I18N_H

#include "ns_config.h"

#include <glib.h>
#include <glib/gi18n-lib.h>   /* _() = g_dgettext (GETTEXT_PACKAGE, …), N_() */
#include <libintl.h>
#include <locale.h>

/* The directory holding <lang>/LC_MESSAGES/GETTEXT_PACKAGE.mo. */
static inline const char *
nsp_localedir (void)
{
  const char *dir = g_getenv ("NEURAL_STYLE_LOCALEDIR");
  return (dir && *dir) ? dir : NS_LOCALEDIR;
}

/* Bind our text domain; call at the top of query() and run(). */
#define NSP_INIT_I18N()                                          \
  G_STMT_START {                                                 \
    setlocale (LC_ALL, "");                                      \
    bindtextdomain (GETTEXT_PACKAGE, nsp_localedir ());          \
    bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");          \
    textdomain (GETTEXT_PACKAGE);                                \
  } G_STMT_END

#endif /* PLUGIN_I18N_H */
