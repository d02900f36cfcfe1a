/* plugin-result-size.h — the dialog's Result size choice, the same in GIMP
 * 2.10 and GIMP 3: "Working size (fast)" (the Working size scale) or
 * "Full layer size" (size 0), each radio button labelled with its own time
 * and memory estimate (nsp_result_size_text: tiled where the job would
 * tile).  The adapters place the two buttons around their scale and grey
 * the scale while Full layer size is chosen. */
#ifndef PLUGIN_RESULT_SIZE_H
#define PLUGIN_RESULT_SIZE_H

#include <gtk/gtk.h>

#include "plugin-params.h"

typedef struct
{
  GtkWidget *working;   /* "Working size (fast) — …" */
  GtkWidget *full;      /* "Full layer size (W × H) — …" */
} NspResultSize;

/* The two radio buttons with their tooltips, `full` chosen or not. */
void     nsp_result_size_init   (NspResultSize *rs,
                                 gboolean       full);
gboolean nsp_result_size_full   (const NspResultSize *rs);
void     nsp_result_size_set    (NspResultSize *rs,
                                 gboolean       full);
/* Both labels for these values (vals->size: the working size scale) on a
 * region_w x region_h region; speed may be NULL, model NULL shows "—". */
void     nsp_result_size_update (NspResultSize   *rs,
                                 const NsModel   *model,
                                 const NsSpeed   *speed,
                                 const NspValues *vals,
                                 gint             region_w,
                                 gint             region_h,
                                 gint             n_masked,
                                 gboolean         content_mask);
/* Dialog test steps (tests under Xvfb): "full" / "working" choose, "sizes"
 * appends both labels (with on/off) and the text of `estimate` to
 * $NEURAL_STYLE_TEST_PREVIEW_LOG; FALSE for any other step. */
gboolean nsp_result_size_test_step (NspResultSize *rs,
                                    const gchar   *step,
                                    GtkWidget     *estimate);

#endif
