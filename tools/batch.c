/* batch.c — neural-style --content A --content B ... --output-dir DIR.
 *
 * One model, the style images read once, and one NsStyleCache, so every
 * style's Gram targets are computed once per size they are resampled to
 * (all photos of the same longest side share them).  Each file gets its own
 * job; a file that fails (unreadable, too large, the output would replace
 * an input) is reported and the next one runs.  One line per file on
 * stderr; --report writes one entry per file. */
#include "batch.h"
#include "image_io.h"
#include "report.h"
#include "style_spec.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

static gboolean
is_image_name (const char *name)
{
  static const char *const ext[] = { ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".exr",
                                     ".webp", ".ppm", ".pnm" };
  char *lower = g_ascii_strdown (name, -1);
  gboolean yes = FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (ext) && !yes; i++)
    yes = g_str_has_suffix (lower, ext[i]);
  g_free (lower);
  return yes && name[0] != '.';
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

char **
ns_batch_list_inputs (char **contents, GError **error)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  for (int i = 0; contents && contents[i]; i++)
    {
      if (!g_file_test (contents[i], G_FILE_TEST_IS_DIR))
        {
          g_ptr_array_add (out, g_strdup (contents[i]));
          continue;
        }
      GDir *dir = g_dir_open (contents[i], 0, error);
      if (!dir)
        {
          g_ptr_array_free (out, TRUE);
          return NULL;
        }
      GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
      for (const char *n; (n = g_dir_read_name (dir));)
        {
          char *path = g_build_filename (contents[i], n, NULL);
          if (is_image_name (n) && g_file_test (path, G_FILE_TEST_IS_REGULAR))
            g_ptr_array_add (names, path);
          else
            g_free (path);
        }
      g_dir_close (dir);
      g_ptr_array_sort (names, compare_names);
      for (guint k = 0; k < names->len; k++)
        g_ptr_array_add (out, g_strdup (g_ptr_array_index (names, k)));
      g_ptr_array_free (names, TRUE);
    }
  g_ptr_array_set_free_func (out, NULL);
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

typedef struct
{
  NsImage *image;
  double   weight, scale;
} LoadedStyle;

/* The style images, read once for all files. */
static LoadedStyle *
load_styles (char **specs, int *n, GError **error)
{
  *n = (int) g_strv_length (specs);
  LoadedStyle *st = g_new0 (LoadedStyle, MAX (*n, 1));
  for (int i = 0; i < *n; i++)
    {
      char *path;
      gboolean named = ns_style_spec_parse (specs[i], &path, &st[i].weight, &st[i].scale);
      if (!named)
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     "--style \"%s\" names no file", specs[i]);
      st[i].image = named ? ns_io_load (path, error) : NULL;
      g_free (path);
      if (!st[i].image)
        {
          for (int k = 0; k < i; k++)
            ns_image_free (st[k].image);
          g_free (st);
          return NULL;
        }
    }
  return st;
}

/* DIR/the input's file name; refused when it is the input itself or the
 * output of an earlier file of this batch (two inputs of the same name). */
static char *
output_path (const char *dir, const char *input, GHashTable *used, GError **error)
{
  char *base = g_path_get_basename (input);
  char *out = g_build_filename (dir, base, NULL);
  char *canon_out = g_canonicalize_filename (out, NULL);
  char *canon_in = g_canonicalize_filename (input, NULL);
  g_free (base);
  if (strcmp (canon_out, canon_in) == 0)
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                 "the output %s would replace the input; choose another --output-dir", out);
  else if (g_hash_table_contains (used, canon_out))
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                 "the output %s was already written by an earlier file of the same name", out);
  else
    g_hash_table_add (used, g_strdup (canon_out));
  g_free (canon_out);
  g_free (canon_in);
  if (error && *error)
    g_clear_pointer (&out, g_free);
  return out;
}

/* Stylise one file into out.  *job_out: the job that ran (for the report)
 * or NULL; *secs: its run time. */
static NsImage *
run_one (const NsBatch *b, const char *input, const LoadedStyle *st, int n_styles,
         NsStyleCache *cache, NsJob **job_out, double *secs, GError **error)
{
  *job_out = NULL;
  *secs = 0;
  NsImage *content = ns_io_load (input, error);
  if (!content)
    return NULL;
  NsJob *job = ns_job_new (b->model, content, b->params, error);
  ns_image_free (content);
  if (!job)
    return NULL;
  if (b->init_image)
    ns_job_set_init_image (job, b->init_image);
  for (int i = 0; i < n_styles; i++)
    if (!ns_job_add_style (job, st[i].image, st[i].weight, st[i].scale, error))
      {
        ns_job_free (job);
        return NULL;
      }
  ns_job_set_style_cache (job, cache);
  ns_job_set_progress (job, b->progress, b->progress_data);
  gint64 t0 = g_get_monotonic_time ();
  NsImage *result = ns_job_run (job, error);
  *secs = (g_get_monotonic_time () - t0) / 1e6;
  *job_out = job;
  return result;
}

int
ns_batch_run (const NsBatch *b)
{
  GError *err = NULL;
  if (!g_file_test (b->output_dir, G_FILE_TEST_IS_DIR) || g_access (b->output_dir, W_OK) != 0)
    {
      fprintf (stderr, "neural-style: --output-dir \"%s\" does not exist or is not writable\n",
               b->output_dir);
      return 1;
    }
  char **inputs = ns_batch_list_inputs (b->contents, &err);
  int n_styles = 0;
  LoadedStyle *st = inputs ? load_styles (b->styles, &n_styles, &err) : NULL;
  if (!st)
    {
      fprintf (stderr, "neural-style: %s\n", err->message);
      g_error_free (err);
      g_strfreev (inputs);
      return 1;
    }
  const int n = (int) g_strv_length (inputs);
  if (n == 0)
    fprintf (stderr, "neural-style: no image files in the --content folder(s)\n");
  NsStyleCache *cache = ns_style_cache_new ();
  GHashTable *used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *entries = g_ptr_array_new_with_free_func (g_free);
  int failed = 0, written = 0, rc = 0;
  gint64 t0 = g_get_monotonic_time ();
  for (int i = 0; i < n && !*b->interrupted; i++)
    {
      NsJob *job = NULL;
      NsImage *result = NULL;
      double secs = 0;
      char *out = output_path (b->output_dir, inputs[i], used, &err);
      if (out)
        result = run_one (b, inputs[i], st, n_styles, cache, &job, &secs, &err);
      if (result && !ns_io_save (result, out, &err))
        g_clear_pointer (&result, ns_image_free);
      NsStopReason why = job ? ns_job_get_stop_reason (job) : NS_STOP_NONE;
      if (result && why == NS_STOP_NONFINITE)
        g_set_error (&err, NS_ERROR, NS_ERROR_NUMERIC,
                     "the loss became non-finite (best image so far written)");
      if (err)
        {
          failed++;
          fprintf (stderr, "[%d/%d] %s: FAILED: %s\n", i + 1, n, inputs[i], err->message);
        }
      else
        {
          written++;
          fprintf (stderr, "[%d/%d] %s -> %s: %dx%d in %.1f s (stopped: %s)\n", i + 1, n,
                   inputs[i], out, result->width, result->height, secs,
                   ns_stop_reason_to_string (why));
        }
      if (b->report)
        g_ptr_array_add (entries,
                         ns_report_batch_entry (inputs[i], out, err ? err->message : NULL, job,
                                                b->params, b->model_path,
                                                ns_model_architecture (b->model), b->styles,
                                                result ? result->width : 0,
                                                result ? result->height : 0, secs));
      g_clear_error (&err);
      ns_image_free (result);
      ns_job_free (job);
      g_free (out);
    }
  int computed, reused;
  ns_style_cache_counts (cache, &computed, &reused);
  double total = (g_get_monotonic_time () - t0) / 1e6;
  fprintf (stderr, "neural-style: %d of %d files written, %d failed, in %.1f s; style targets "
           "computed %d, reused %d\n", written, n, failed,
           total, computed, reused);
  if (b->report && !ns_report_write_batch (b->report, entries, failed, computed, reused,
                                           total, &err))
    {
      fprintf (stderr, "neural-style: %s\n", err->message);
      g_clear_error (&err);
      failed++;
    }
  rc = MIN (failed, 100);
  if (*b->interrupted)
    {
      fprintf (stderr, "neural-style: interrupted; the files after the current one were not "
               "run\n");
      rc = 128 + *b->interrupted;
    }
  g_ptr_array_free (entries, TRUE);
  g_hash_table_destroy (used);
  ns_style_cache_free (cache);
  for (int i = 0; i < n_styles; i++)
    ns_image_free (st[i].image);
  g_free (st);
  g_strfreev (inputs);
  return rc;
}
