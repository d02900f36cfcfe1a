/* report.h — the CLI's JSON run report (--report FILE). */
#ifndef NS_REPORT_H
#define NS_REPORT_H

#include "neural_style.h"
#include "region_opts.h"

/* styles: "path:weight:scale" strings as given; regions: the mask and
 * colour options (may be NULL).  Writes
 * {"parameters": {...}, "iterations": [{"iteration", "level", "content",
 *  "style", "tv", "total", "seconds"}...], "evaluations", "stop_reason",
 *  "peak_rss_bytes", "seconds_total", "model", "architecture"}. */
gboolean ns_report_write (const char *path, const NsJob *job, const NsParams *p,
                          const char *model_path, const char *architecture,
                          const char *content_path, char **styles,
                          const NsRegionOpts *regions, int work_w, int work_h, double seconds_total, GError **error);
guint64  ns_peak_rss_bytes (void);

#endif
