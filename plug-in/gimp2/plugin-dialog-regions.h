/* plugin-dialog-regions.h — the dialog's region and colour controls
 * (issue 14): a Region combo per style row, Protect + strength and
 * Colours. */
#ifndef PLUGIN_DIALOG_REGIONS_H
#define PLUGIN_DIALOG_REGIONS_H

#include "plugin-regions.h"

#include <libgimp/gimpui.h>

/* A mask chooser for the content drawable of image_id: `none_label` (-1),
 * Selection, each channel of the image, the content layer's mask;
 * `active` chosen where it is one of them. */
GtkWidget *nsp_mask_combo_new (gint32       image_id,
                               gint32       drawable_id,
                               const gchar *none_label,
                               gint32       active);
gint32     nsp_mask_combo_get (GtkWidget   *combo);

typedef struct
{
  GtkWidget *protect;      /* mask combo, "Nothing" = -1 */
  GtkObject *strength;     /* content-mask strength */
  GtkWidget *colours;      /* NsColorTransfer */
} NspRegionControls;

/* The "Regions and Colours" frame's table. */
GtkWidget *nsp_region_controls_new   (NspRegionControls *c,
                                      gint32             image_id,
                                      gint32             drawable_id,
                                      const NspValues   *vals,
                                      gint32             content_mask);
void       nsp_region_controls_get   (const NspRegionControls *c,
                                      NspValues               *vals,
                                      gint32                  *content_mask);
void       nsp_region_controls_reset (NspRegionControls *c);

#endif /* PLUGIN_DIALOG_REGIONS_H */
