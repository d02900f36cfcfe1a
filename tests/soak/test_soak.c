/* test_soak.c — 50 jobs back to back in one process, as a long GIMP session
 * or a batch script would run them: each loads its content and styles
 * through the CLI's GEGL reader, runs on the real SqueezeNet (tiny sizes,
 * 1-3 iterations, L-BFGS or Adam, one or two styles, different sizes),
 * saves its result atomically; every 7th job is cancelled from the progress
 * callback, every 9th fails (a truncated style file, a negative style weight,
 * an unknown layer name).
 *
 * Checked, after job 5 and after job 50 (which repeats job 5): resident
 * memory within 5% once glibc has returned its free pages (malloc_trim; the
 * raw VmRSS is printed too: freed memory cached in the arenas of the OpenMP
 * and OpenBLAS threads comes and goes with the job mix), the heap in use
 * (mallinfo2) within 5%, the same number of open file descriptors, and no
 * live GeglBuffer after any job (GEGL's own count, the one behind its
 * "GeglBuffers leaked" message).  A table of the figures is printed.
 */
#include "neural_style.h"
#include "image_io.h"
#include "test_util.h"

#include <dirent.h>
#include <gegl.h>
#include <malloc.h>
#include <glib/gstdio.h>
#include <unistd.h>

#define N_JOBS 50

static double
rss_mib (void)
{
  guint64 kb = 0;
  FILE *f = fopen ("/proc/self/status", "r");
  char line[256];
  while (f && fgets (line, sizeof line, f))
    if (strncmp (line, "VmRSS:", 6) == 0)
      kb = g_ascii_strtoull (line + 6, NULL, 10);
  if (f)
    fclose (f);
  return kb / 1024.0;
}

static int
open_fds (void)
{
  int n = 0;
  DIR *d = opendir ("/proc/self/fd");
  for (struct dirent *e; d && (e = readdir (d));)
    n += e->d_name[0] != '.';
  if (d)
    closedir (d);
  return n - 1;   /* the directory stream's own */
}

/* Exported by libgegl-0.4 (gegl_exit() prints "EEEEeEeek! N GeglBuffers
 * leaked" from it) but not declared in its headers. */
int gegl_buffer_leaks (void);

static int
live_buffers (void)
{
  return gegl_buffer_leaks ();
}

/* VmRSS after glibc returned its cached free pages, and the heap in use. */
static double
trimmed_rss_mib (void)
{
  malloc_trim (0);
  return rss_mib ();
}

static double
heap_mib (void)
{
  struct mallinfo2 mi = mallinfo2 ();
  return (mi.uordblks + mi.hblkhd) / (1024.0 * 1024.0);
}

typedef struct { int cancel_after; int calls; } CancelCtx;

static gboolean
on_progress (const NsProgress *pr, gpointer data)
{
  (void) pr;
  CancelCtx *c = data;
  return ++c->calls <= c->cancel_after;
}

typedef enum { JOB_OK, JOB_CANCEL, JOB_ERROR } JobKind;

/* Job i; TRUE when it behaved as its kind says (a result for OK and CANCEL,
 * an error for ERROR). */
static gboolean
run_job (int job_no, NsModel *model, const char *images, const char *truncated, const char *outdir,
         JobKind kind, char *what, size_t what_len)
{
  static const char *const styles[] = { "scream.jpg", "pattern-brick.png",
                                        "pattern-granite1.png", "pattern-electric.png" };
  static const int sizes[] = { 24, 32, 40, 48, 56, 36 };
  const int i = job_no % 45;   /* job 50 repeats job 5: their RSS compare like for like */
  NsParams p;
  ns_params_init (&p);
  p.size = sizes[i % G_N_ELEMENTS (sizes)];
  p.iterations = kind == JOB_CANCEL ? 5 : 1 + i % 3;   /* cancelled at iteration 1 */
  p.optimizer = i % 4 == 3 ? NS_OPTIMIZER_ADAM : NS_OPTIMIZER_LBFGS;
  p.threads = 2;
  int n_styles = 1 + i % 2;
  const int error_kind = (i / 9) % 3;
  if (kind == JOB_ERROR && error_kind == 2)
    p.style_layers = "relu1,no_such_layer";
  g_snprintf (what, what_len, "%d px, %d it, %s, %d style%s%s", p.size, p.iterations,
              p.optimizer == NS_OPTIMIZER_ADAM ? "adam" : "lbfgs", n_styles, n_styles > 1 ? "s" : "",
              kind == JOB_CANCEL ? ", cancelled" : kind == JOB_ERROR
              ? (error_kind == 0 ? ", truncated style" : error_kind == 1 ? ", weight -1"
                 : ", bad layer") : "");

  GError *err = NULL;
  char *content_path = g_build_filename (images, "dog.jpg", NULL);
  NsImage *content = ns_io_load (content_path, &err);
  g_free (content_path);
  NsJob *job = content ? ns_job_new (model, content, &p, &err) : NULL;
  NsImage *out = NULL;
  gboolean ok = job != NULL;
  for (int s = 0; ok && s < n_styles; s++)
    {
      char *path = kind == JOB_ERROR && error_kind == 0 && s == n_styles - 1
        ? g_strdup (truncated)
        : g_build_filename (images, styles[(i + s) % G_N_ELEMENTS (styles)], NULL);
      NsImage *style = ns_io_load (path, &err);
      g_free (path);
      double weight = kind == JOB_ERROR && error_kind == 1 ? -1.0 : 1.0;
      ok = style && ns_job_add_style (job, style, weight, 1.0, &err);
      ns_image_free (style);
    }
  CancelCtx cancel = { 1, 0 };
  if (ok && kind == JOB_CANCEL)
    ns_job_set_progress (job, on_progress, &cancel);
  if (ok)
    out = ns_job_run (job, &err);
  if (out)
    {
      char *path = g_strdup_printf ("%s/out-%d.png", outdir, i % 3);   /* replaced in turn */
      ok = ns_io_save (out, path, &err);
      g_free (path);
    }
  gboolean as_expected;
  if (kind == JOB_ERROR)
    as_expected = out == NULL && err != NULL;
  else
    as_expected = out != NULL && ok
      && (kind != JOB_CANCEL || ns_job_get_stop_reason (job) == NS_STOP_CANCELLED);
  if (!as_expected)
    fprintf (stderr, "job %d (%s): %s\n", job_no + 1, what, err ? err->message : "no error");
  g_clear_error (&err);
  ns_image_free (out);
  ns_job_free (job);
  ns_image_free (content);
  return as_expected;
}

int
main (void)
{
  test_begin ("soak");
  const char *shared = test_shared_dir ();
  gegl_init (NULL, NULL);
  char *model_path = g_build_filename (shared, "models", "squeezenet1_1.safetensors", NULL);
  char *images = g_build_filename (shared, "images", NULL);
  GError *err = NULL;
  NsModel *model = ns_model_load (model_path, &err);
  CHECK (model != NULL, "model: %s", err ? err->message : "");
  if (!model)
    return test_finish ();
  char *outdir = g_dir_make_tmp ("ns-soak-XXXXXX", NULL);
  /* a style file cut in half */
  char *truncated = g_build_filename (outdir, "truncated.png", NULL);
  {
    char *brick = g_build_filename (images, "pattern-brick.png", NULL), *data;
    gsize len;
    CHECK (g_file_get_contents (brick, &data, &len, NULL), "read %s", brick);
    CHECK (g_file_set_contents (truncated, data, (gssize) len / 2, NULL), "write truncated");
    g_free (data);
    g_free (brick);
  }

  int buffers0 = live_buffers (), fds0 = open_fds ();
  {
    /* the counter counts: one more buffer while one is alive */
    GeglRectangle r = { 0, 0, 4, 4 };
    GeglBuffer *b = gegl_buffer_new (&r, babl_format ("R'G'B' float"));
    CHECK (live_buffers () == buffers0 + 1, "GeglBuffer count: %d with one buffer alive, %d before",
           live_buffers (), buffers0);
    g_object_unref (b);
  }
  double rss5 = 0, rss_last = 0, trim5 = 0, trim_last = 0, heap5 = 0, heap_last = 0;
  int fds5 = 0, buffers5 = 0, ok_jobs = 0, cancelled = 0, failed = 0;
  printf ("%4s  %-44s %8s %8s %8s %4s %7s\n", "job", "what", "RSS", "trimmed", "heap", "fds",
          "buffers");
  printf ("%4s  %-44s %8.1f %8.1f %8.1f %4d %7d\n", "0", "(before the first job; MiB)", rss_mib (),
          trimmed_rss_mib (), heap_mib (), fds0, buffers0);
  for (int i = 0; i < N_JOBS; i++)
    {
      JobKind kind = (i + 1) % 9 == 0 ? JOB_ERROR : (i + 1) % 7 == 0 ? JOB_CANCEL : JOB_OK;
      char what[96];
      gboolean good = run_job (i, model, images, truncated, outdir, kind, what, sizeof what);
      CHECK (good, "job %d (%s) did not behave as expected", i + 1, what);
      ok_jobs += kind == JOB_OK;
      cancelled += kind == JOB_CANCEL;
      failed += kind == JOB_ERROR;
      double rss = rss_mib (), trimmed = trimmed_rss_mib (), heap = heap_mib ();
      int fds = open_fds (), buffers = live_buffers ();
      if (i == 4)
        rss5 = rss, trim5 = trimmed, heap5 = heap, fds5 = fds, buffers5 = buffers;
      rss_last = rss, trim_last = trimmed, heap_last = heap;
      if (i < 5 || (i + 1) % 5 == 0 || kind != JOB_OK)
        printf ("%4d  %-44s %8.1f %8.1f %8.1f %4d %7d\n", i + 1, what, rss, trimmed, heap, fds,
                buffers);
      CHECK (buffers == buffers0, "job %d: %d live GeglBuffers, %d before the first job",
             i + 1, buffers, buffers0);
    }
  double drift = (trim_last - trim5) / trim5 * 100, heap_drift = (heap_last - heap5) / heap5 * 100;
  printf ("%d jobs (%d completed, %d cancelled, %d failed on purpose), job 5 -> job %d: "
          "RSS %.1f -> %.1f MiB (%+.1f%%), trimmed RSS %.1f -> %.1f MiB (%+.1f%%), "
          "heap in use %.1f -> %.1f MiB (%+.1f%%); fds %d -> %d; live GeglBuffers %d -> %d\n",
          N_JOBS, ok_jobs, cancelled, failed, N_JOBS, rss5, rss_last, (rss_last - rss5) / rss5 * 100,
          trim5, trim_last, drift, heap5, heap_last, heap_drift, fds5, open_fds (), buffers5,
          live_buffers ());
  CHECK (fabs (drift) <= 5.0, "trimmed RSS after job %d is %+.1f%% off job 5's", N_JOBS, drift);
  CHECK (fabs (heap_drift) <= 5.0, "heap in use after job %d is %+.1f%% off job 5's", N_JOBS,
         heap_drift);
  CHECK (open_fds () == fds5 && fds5 == fds0, "file descriptors: %d before, %d after job 5, %d at the end",
         fds0, fds5, open_fds ());
  CHECK (cancelled >= 5 && failed >= 5, "%d cancelled, %d failed", cancelled, failed);

  for (int k = 0; k < 3; k++)
    {
      char *path = g_strdup_printf ("%s/out-%d.png", outdir, k);
      g_unlink (path);
      g_free (path);
    }
  g_unlink (truncated);
  g_rmdir (outdir);
  g_free (truncated);
  g_free (outdir);
  g_free (images);
  g_free (model_path);
  ns_model_free (model);
  gegl_exit ();
  return test_finish ();
}
