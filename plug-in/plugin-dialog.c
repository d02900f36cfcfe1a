#include "plugin-dialog.h"
gboolean nsp_dialog_run (gint32 image_id, gint32 drawable_id, NspValues *vals)
{ (void) image_id; (void) drawable_id; (void) vals; return FALSE; }
