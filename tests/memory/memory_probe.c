/* memory_probe.c — ns_estimate_memory() next to the measured memory of the
 * same job, run through the public API.
 *
 *   ns-memory-probe MODEL SIZE ITERATIONS [CONTENT_W CONTENT_H STYLE_W STYLE_H]
 *
 * The job is the CLI's default job (ns_params_init, threads 2) on synthetic
 * images of the sizes of ../shared's dog.jpg (768x576) and scream.jpg
 * (352x448) — the memory does not depend on pixel values, and no GEGL is
 * loaded: gegl_init() alone peaks at ~360 MiB RSS and would hide every job
 * below that in the CLI's peak_rss_bytes.
 *
 * Fixed overhead is measured first: a 16 px, 1-iteration job warms OpenBLAS
 * and OpenMP (thread stacks, GEMM buffers), then the current RSS is taken as
 * the baseline.  Job peak = process peak RSS (getrusage) after the real job
 * − baseline.  Prints one JSON object.
 */
#include "neural_style.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static guint64
rss_now (void)
{
  guint64 kb = 0;
  FILE *f = fopen ("/proc/self/status", "r");
  char line[256];
  while (f && fgets (line, sizeof line, f))
    if (strncmp (line, "VmRSS:", 6) == 0)
      kb = g_ascii_strtoull (line + 6, NULL, 10);
  if (f)
    fclose (f);
  return kb * 1024;
}

static guint64
rss_peak (void)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return (guint64) ru.ru_maxrss * 1024;
}

static NsImage *
pattern_image (int w, int h, guint32 seed)
{
  NsImage *img = ns_image_new (w, h);
  GRand *r = g_rand_new_with_seed (seed);
  for (size_t i = 0; i < (size_t) w * h * 3; i++)
    img->data[i] = (float) g_rand_double (r);
  g_rand_free (r);
  return img;
}

/* Run one job; FALSE with a message on failure. */
static gboolean
run_job (NsModel *m, const NsImage *content, const NsImage *style, int size, int iterations)
{
  NsParams p;
  ns_params_init (&p);
  p.size = size;
  p.iterations = iterations;
  p.threads = 2;
  GError *err = NULL;
  NsJob *job = ns_job_new (m, content, &p, &err);
  NsImage *out = NULL;
  if (job && ns_job_add_style (job, style, 1.0, 1.0, &err))
    out = ns_job_run (job, &err);
  if (!out)
    fprintf (stderr, "job failed: %s\n", err ? err->message : "?");
  g_clear_error (&err);
  ns_image_free (out);
  ns_job_free (job);
  return out != NULL;
}

int
main (int argc, char **argv)
{
  if (argc != 4 && argc != 8)
    {
      fprintf (stderr, "usage: %s MODEL SIZE ITERATIONS [CW CH SW SH]\n", argv[0]);
      return 2;
    }
  int size = atoi (argv[2]), iterations = atoi (argv[3]);
  int cw = argc == 8 ? atoi (argv[4]) : 768, ch = argc == 8 ? atoi (argv[5]) : 576;
  int sw = argc == 8 ? atoi (argv[6]) : 352, sh = argc == 8 ? atoi (argv[7]) : 448;
  GError *err = NULL;
  NsModel *m = ns_model_load (argv[1], &err);
  if (!m)
    {
      fprintf (stderr, "%s\n", err->message);
      g_error_free (err);
      return 1;
    }
  NsImage *content = pattern_image (cw, ch, 1), *style = pattern_image (sw, sh, 2);
  int rc = 1;
  if (!run_job (m, content, style, 16, 1))          /* warm-up: fixed overhead */
    goto out;
  guint64 base = rss_now ();
  NsParams p;
  ns_params_init (&p);
  p.size = size;
  p.iterations = iterations;
  p.threads = 2;
  guint64 est = ns_estimate_memory (m, &p, cw, ch, 1);
  if (!run_job (m, content, style, size, iterations))
    goto out;
  guint64 peak = rss_peak ();
  printf ("{\"size\": %d, \"estimate_bytes\": %" G_GUINT64_FORMAT
          ", \"baseline_rss_bytes\": %" G_GUINT64_FORMAT
          ", \"peak_rss_bytes\": %" G_GUINT64_FORMAT
          ", \"job_peak_bytes\": %" G_GUINT64_FORMAT "}\n",
          size, est, base, peak, peak > base ? peak - base : 0);
  rc = 0;
out:
  ns_image_free (content);
  ns_image_free (style);
  ns_model_free (m);
  return rc;
}
