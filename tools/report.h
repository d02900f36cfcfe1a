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
/* Batch (--output-dir): one JSON object per file, built right after the
 * file ran ({"content", "output", "status": "ok"|"failed", "error" if it
 * failed, and for a file that ran the fields above but peak_rss_bytes};
 * job NULL: it failed before running), then the report of all files:
 * {"files": [...], "files_total", "files_failed", "style_targets":
 * {"computed", "reused"}, "seconds_total", "peak_rss_bytes"}. */
char    *ns_report_batch_entry (const char *content_path, const char *output_path,
                                const char *error_message, const NsJob *job,
                                const NsParams *p, const char *model_path,
                                const char *architecture, char **styles,
                                int work_w, int work_h, double seconds);
gboolean ns_report_write_batch (const char *path, GPtrArray *entries, int n_failed,
                                int targets_computed, int targets_reused,
                                double seconds_total, GError **error);
guint64  ns_peak_rss_bytes (void);

#endif
