/* report.c — JSON report of a CLI run.
 *
 * Written by hand with GString: json-glib 1.6's generator prints doubles
 * such as 1e-08 as "1e-08.0", which is not JSON.  Numbers use %.17g (exact
 * round trip); NaN/Inf, which JSON lacks, are written as null. */
#include "report.h"

#include <math.h>
#include <sys/resource.h>

guint64
ns_peak_rss_bytes (void)
{
  struct rusage ru;
  if (getrusage (RUSAGE_SELF, &ru) != 0)
    return 0;
  return (guint64) ru.ru_maxrss * 1024;   /* Linux: kilobytes */
}

typedef struct
{
  GString *s;
  int      depth;
  gboolean first;
} Json;

static void
newline (Json *j)
{
  g_string_append_c (j->s, '\n');
  for (int i = 0; i < j->depth; i++)
    g_string_append (j->s, "  ");
}

static void
key (Json *j, const char *k)
{
  if (!j->first)
    g_string_append_c (j->s, ',');
  j->first = FALSE;
  newline (j);
  if (k)
    g_string_append_printf (j->s, "\"%s\": ", k);
}

static void
open_ (Json *j, const char *k, char c)
{
  key (j, k);
  g_string_append_c (j->s, c);
  j->depth++;
  j->first = TRUE;
}

static void
close_ (Json *j, char c)
{
  j->depth--;
  newline (j);
  g_string_append_c (j->s, c);
  j->first = FALSE;
}

static void
str (Json *j, const char *k, const char *v)
{
  key (j, k);
  g_string_append_c (j->s, '"');
  for (const unsigned char *p = (const unsigned char *) (v ? v : ""); *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (j->s, "\\%c", *p);
      else if (*p < 0x20)
        g_string_append_printf (j->s, "\\u%04x", *p);
      else
        g_string_append_c (j->s, (char) *p);
    }
  g_string_append_c (j->s, '"');
}

static void
num (Json *j, const char *k, double v)
{
  key (j, k);
  if (isfinite (v))
    g_string_append_printf (j->s, "%.17g", v);
  else
    g_string_append (j->s, "null");
}

static void
integer (Json *j, const char *k, gint64 v)
{
  key (j, k);
  g_string_append_printf (j->s, "%" G_GINT64_FORMAT, v);
}

static void
boolean (Json *j, const char *k, gboolean v)
{
  key (j, k);
  g_string_append (j->s, v ? "true" : "false");
}

/* --style-mask / --content-mask[-strength] / --color-transfer */
static void
add_regions (Json *j, const NsParams *p, const NsRegionOpts *r)
{
  open_ (j, "style_masks", '[');
  for (int i = 0; r && r->style_masks && r->style_masks[i]; i++)
    str (j, NULL, r->style_masks[i]);
  close_ (j, ']');
  if (r && r->content_mask)
    str (j, "content_mask", r->content_mask);
  else
    {
      key (j, "content_mask");
      g_string_append (j->s, "null");
    }
  num (j, "content_mask_strength", r ? r->content_mask_strength : NS_CONTENT_MASK_STRENGTH);
  str (j, "color_transfer", ns_color_transfer_name (p->color_transfer));
}

static void
add_parameters (Json *j, const NsParams *p, const char *model_path, const char *arch,
                const char *content_path, char **styles, const NsRegionOpts *regions,
                int work_w, int work_h)
{
  static const char *const opt[] = { "lbfgs", "adam" };
  static const char *const pool[] = { "max", "avg" };
  static const char *const init[] = { "noise", "content", "image" };
  open_ (j, "parameters", '{');
  str (j, "model", model_path);
  str (j, "architecture", arch);
  str (j, "content", content_path);
  open_ (j, "styles", '[');
  for (int i = 0; styles && styles[i]; i++)
    str (j, NULL, styles[i]);
  close_ (j, ']');
  integer (j, "width", work_w);
  integer (j, "height", work_h);
  num (j, "content_weight", p->content_weight);
  num (j, "style_weight", p->style_weight);
  num (j, "tv_weight", p->tv_weight);
  num (j, "content_weight_blend", p->content_weight_blend);
  num (j, "style_layer_weight_exp", p->style_layer_weight_exp);
  str (j, "content_layers", p->content_layers);
  str (j, "style_layers", p->style_layers);
  str (j, "pooling", pool[p->pooling]);
  str (j, "style_loss", p->style_loss == NS_STYLE_LOSS_SWD ? "swd" : "gram");
  str (j, "style_balance", p->style_balance == NS_STYLE_BALANCE_AUTO ? "auto" : "off");
  str (j, "optimizer", opt[p->optimizer]);
  integer (j, "iterations", p->iterations);
  num (j, "tolerance", p->tolerance);
  integer (j, "tolerance_window", p->tolerance_window);
  integer (j, "lbfgs_history", p->lbfgs_history);
  num (j, "learning_rate", p->learning_rate);
  num (j, "beta1", p->beta1);
  num (j, "beta2", p->beta2);
  num (j, "epsilon", p->epsilon);
  str (j, "init", init[p->init]);
  num (j, "initial_noiseblend", p->initial_noiseblend);
  integer (j, "seed", (gint64) p->seed);
  boolean (j, "preserve_colors", p->preserve_colors);
  integer (j, "size", p->size);
  integer (j, "multires", p->multires);
  integer (j, "threads", p->threads);
  integer (j, "tile_size", p->tile_size);
  integer (j, "detail_side", p->detail_side);
  integer (j, "detail_iterations", p->detail_iterations);
  add_regions (j, p, regions);
  close_ (j, '}');
}

/* The fields of one run after "parameters". */
static void
add_run (Json *j, const NsJob *job, double seconds_total)
{
  open_ (j, "iterations", '[');
  int n;
  const NsIterationRecord *r = ns_job_get_history (job, &n);
  for (int i = 0; i < n; i++)
    {
      open_ (j, NULL, '{');
      integer (j, "iteration", r[i].iteration);
      integer (j, "level", r[i].level);
      num (j, "content", r[i].content);
      num (j, "style", r[i].style);
      num (j, "tv", r[i].tv);
      num (j, "total", r[i].total);
      num (j, "seconds", r[i].seconds);
      close_ (j, '}');
    }
  close_ (j, ']');
  integer (j, "evaluations", ns_job_get_evaluations (job));
  int tx, ty, core, halo;
  ns_job_get_tiling (job, &tx, &ty, &core, &halo);
  open_ (j, "tiling", '{');   /* the last level's grid (1 x 1: untiled) */
  integer (j, "tiles_x", tx);
  integer (j, "tiles_y", ty);
  integer (j, "core", core);
  integer (j, "halo", halo);
  close_ (j, '}');
  integer (j, "memory_estimate_bytes", (gint64) ns_job_estimate_memory (job));
  str (j, "stop_reason", ns_stop_reason_to_string (ns_job_get_stop_reason (job)));
  num (j, "seconds_total", seconds_total);
}

/* Close the top-level object and replace path with it atomically (a
 * temporary file in the same folder, fsync()ed, renamed). */
static gboolean
write_top (Json *j, const char *path, GError **error)
{
  integer (j, "peak_rss_bytes", (gint64) ns_peak_rss_bytes ());
  j->depth = 0;
  newline (j);
  g_string_append (j->s, "}\n");
#if GLIB_CHECK_VERSION (2, 66, 0)
  gboolean ok = g_file_set_contents_full (path, j->s->str, (gssize) j->s->len,
                                          G_FILE_SET_CONTENTS_CONSISTENT
                                          | G_FILE_SET_CONTENTS_DURABLE, 0666, error);
#else
  gboolean ok = g_file_set_contents (path, j->s->str, (gssize) j->s->len, error);
#endif
  g_string_free (j->s, TRUE);
  return ok;
}

gboolean
ns_report_write (const char *path, const NsJob *job, const NsParams *p,
                 const char *model_path, const char *arch, const char *content_path,
                 char **styles, const NsRegionOpts *regions, int work_w, int work_h,
                 double seconds_total, GError **error)
{
  Json j = { g_string_new ("{"), 1, TRUE };
  add_parameters (&j, p, model_path, arch, content_path, styles, regions, work_w, work_h);
  add_run (&j, job, seconds_total);
  return write_top (&j, path, error);
}

char *
ns_report_batch_entry (const char *content_path, const char *output_path,
                       const char *error_message, const NsJob *job, const NsParams *p,
                       const char *model_path, const char *arch, char **styles,
                       int work_w, int work_h, double seconds)
{
  Json j = { g_string_new (""), 2, TRUE };
  open_ (&j, NULL, '{');
  str (&j, "content", content_path);
  str (&j, "output", output_path);
  str (&j, "status", error_message ? "failed" : "ok");
  if (error_message)
    str (&j, "error", error_message);
  if (job)
    {
      add_parameters (&j, p, model_path, arch, content_path, styles, NULL, work_w, work_h);
      add_run (&j, job, seconds);
    }
  close_ (&j, '}');
  return g_string_free (j.s, FALSE);
}

gboolean
ns_report_write_batch (const char *path, GPtrArray *entries, int n_failed,
                       int targets_computed, int targets_reused, double seconds_total,
                       GError **error)
{
  Json j = { g_string_new ("{"), 1, TRUE };
  open_ (&j, "files", '[');
  for (guint i = 0; i < entries->len; i++)
    g_string_append_printf (j.s, "%s%s", i ? "," : "", (char *) g_ptr_array_index (entries, i));
  j.first = entries->len == 0;
  close_ (&j, ']');
  integer (&j, "files_total", entries->len);
  integer (&j, "files_failed", n_failed);
  open_ (&j, "style_targets", '{');
  integer (&j, "computed", targets_computed);
  integer (&j, "reused", targets_reused);
  close_ (&j, '}');
  num (&j, "seconds_total", seconds_total);
  return write_top (&j, path, error);
}
