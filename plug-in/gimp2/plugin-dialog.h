/* plugin-dialog.h — the interactive settings dialog. */
#ifndef PLUGIN_DIALOG_H
#define PLUGIN_DIALOG_H

#include "plugin-params.h"
#include "plugin-regions.h"

/* Show the dialog for the content `drawable_id` of `image_id`, starting
 * from `vals` and `style_images` (NSP_MAX_STYLES IDs; last values or
 * defaults with size NSP_DIALOG_SIZE_DEFAULT).  TRUE and both updated when the user pressed OK; FALSE (both
 * untouched) on Cancel.  When *drawable_id is a result layer (it has the
 * parameters parasite naming its source layer) the dialog offers the
 * source as content; *drawable_id is then set to the content chosen.
 * Such a dialog opens with the result's own settings (its parasite) and
 * offers "Continue from this layer": *start_layer is then the result layer
 * (the run starts from its pixels), else -1.  Needs gimp_ui_init. */
/* vals->size for a first run: the default working size (0 is the Result
 * size "Full layer size"). */
#define NSP_DIALOG_SIZE_DEFAULT (-1)

gboolean nsp_dialog_run (gint32     image_id,
                         gint32    *drawable_id,
                         gint32    *start_layer,
                         NspValues *vals,
                         gint32    *style_images);

/* The same with the region and colour controls: `masks` (valid IDs or -1)
 * start the Region / Protect combos and get the choice on OK. */
gboolean nsp_dialog_run_regions (gint32     image_id,
                                 gint32    *drawable_id,
                                 gint32    *start_layer,
                                 NspValues *vals,
                                 gint32    *style_images,
                                 NspMasks  *masks);

#endif /* PLUGIN_DIALOG_H */
