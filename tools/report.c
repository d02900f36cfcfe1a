/* report.c — JSON report of a CLI run, written with json-glib. */
#include "report.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <sys/resource.h>

/* JSON has no NaN/Inf: those are written as null. */
static void
add_number (JsonBuilder *b, const char *key, double v)
{
  json_builder_set_member_name (b, key);
  if (isfinite (v))
    json_builder_add_double_value (b, v);
  else
    json_builder_add_null_value (b);
}

guint64
ns_peak_rss_bytes (void)
{
  struct rusage ru;
  if (getrusage (RUSAGE_SELF, &ru) != 0)
    return 0;
  return (guint64) ru.ru_maxrss * 1024;   /* Linux: kilobytes */
}

static void
add_parameters (JsonBuilder *b, const NsParams *p, const char *model_path,
                const char *arch, const char *content_path, char **styles,
                int work_w, int work_h)
{
  static const char *const opt[] = { "lbfgs", "adam" };
  static const char *const pool[] = { "max", "avg" };
  static const char *const init[] = { "noise", "content", "image" };
  json_builder_set_member_name (b, "parameters");
  json_builder_begin_object (b);
#define STR(k, v) do { json_builder_set_member_name (b, k); json_builder_add_string_value (b, v); } while (0)
#define DBL(k, v) add_number (b, k, v)
#define INT(k, v) do { json_builder_set_member_name (b, k); json_builder_add_int_value (b, v); } while (0)
  STR ("model", model_path);
  STR ("architecture", arch);
  STR ("content", content_path);
  json_builder_set_member_name (b, "styles");
  json_builder_begin_array (b);
  for (int i = 0; styles && styles[i]; i++)
    json_builder_add_string_value (b, styles[i]);
  json_builder_end_array (b);
  INT ("width", work_w);
  INT ("height", work_h);
  DBL ("content_weight", p->content_weight);
  DBL ("style_weight", p->style_weight);
  DBL ("tv_weight", p->tv_weight);
  DBL ("content_weight_blend", p->content_weight_blend);
  DBL ("style_layer_weight_exp", p->style_layer_weight_exp);
  STR ("content_layers", p->content_layers ? p->content_layers : "");
  STR ("style_layers", p->style_layers ? p->style_layers : "");
  STR ("pooling", pool[p->pooling]);
  STR ("optimizer", opt[p->optimizer]);
  INT ("iterations", p->iterations);
  DBL ("tolerance", p->tolerance);
  INT ("tolerance_window", p->tolerance_window);
  INT ("lbfgs_history", p->lbfgs_history);
  DBL ("learning_rate", p->learning_rate);
  DBL ("beta1", p->beta1);
  DBL ("beta2", p->beta2);
  DBL ("epsilon", p->epsilon);
  STR ("init", init[p->init]);
  DBL ("initial_noiseblend", p->initial_noiseblend);
  INT ("seed", (gint64) p->seed);
  json_builder_set_member_name (b, "preserve_colors");
  json_builder_add_boolean_value (b, p->preserve_colors);
  INT ("size", p->size);
  INT ("multires", p->multires);
  INT ("threads", p->threads);
  json_builder_end_object (b);
}

gboolean
ns_report_write (const char *path, const NsJob *job, const NsParams *p,
                 const char *model_path, const char *arch, const char *content_path,
                 char **styles, int work_w, int work_h, double seconds_total,
                 GError **error)
{
  JsonBuilder *b = json_builder_new ();
  json_builder_begin_object (b);
  add_parameters (b, p, model_path, arch, content_path, styles, work_w, work_h);
  json_builder_set_member_name (b, "iterations");
  json_builder_begin_array (b);
  int n;
  const NsIterationRecord *r = ns_job_get_history (job, &n);
  for (int i = 0; i < n; i++)
    {
      json_builder_begin_object (b);
      INT ("iteration", r[i].iteration);
      INT ("level", r[i].level);
      DBL ("content", r[i].content);
      DBL ("style", r[i].style);
      DBL ("tv", r[i].tv);
      DBL ("total", r[i].total);
      DBL ("seconds", r[i].seconds);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  INT ("evaluations", ns_job_get_evaluations (job));
  STR ("stop_reason", ns_stop_reason_to_string (ns_job_get_stop_reason (job)));
  INT ("peak_rss_bytes", (gint64) ns_peak_rss_bytes ());
  DBL ("seconds_total", seconds_total);
  json_builder_end_object (b);
#undef STR
#undef DBL
#undef INT
  JsonGenerator *gen = json_generator_new ();
  JsonNode *root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  gboolean ok = json_generator_to_file (gen, path, error);
  json_node_unref (root);
  g_object_unref (gen);
  g_object_unref (b);
  return ok;
}
