/* test_job.c — end-to-end style transfer with the real SqueezeNet 1.1.
 *
 * Content dog.jpg, styles scream.jpg / eagle.jpg (other sizes and aspect
 * ratios than the content), 64–96 px working size.  Checks: the loss falls
 * by a large factor, blend weights / pooling change the result, cancel
 * returns the best image after one more iteration at most, determinism,
 * --iterations 0, tolerance stop, multires levels, colour preservation,
 * snapshots, tiny and single-colour images, invalid input, memory limit.
 */
#include "test_util.h"
#include "image_io.h"
#include "image_ops.h"

#include "model.h"
#include "safetensors.h"

#include <gegl.h>
#include <glib/gstdio.h>

static NsModel *model;
static NsImage *dog, *scream, *eagle;

static NsImage *
run (const NsParams *p, const NsImage *content, const NsImage *s1, double w1,
     const NsImage *s2, double w2, NsJob **job_out, GError **error)
{
  NsJob *job = ns_job_new (model, content, p, error);
  if (!job)
    return NULL;
  NsImage *out = NULL;
  if (ns_job_add_style (job, s1, w1, 1.0, error)
      && (!s2 || ns_job_add_style (job, s2, w2, 1.0, error)))
    out = ns_job_run (job, error);
  if (job_out)
    *job_out = job;
  else
    ns_job_free (job);
  return out;
}

static double
mean_abs_diff (const NsImage *a, const NsImage *b)
{
  if (!a || !b || a->width != b->width || a->height != b->height)
    return -1;
  double s = 0;
  size_t n = (size_t) a->width * a->height * 3;
  for (size_t i = 0; i < n; i++)
    s += fabs (a->data[i] - b->data[i]);
  return s / n;
}

static gboolean
all_finite_in_range (const NsImage *a)
{
  size_t n = (size_t) a->width * a->height * 3;
  for (size_t i = 0; i < n; i++)
    if (!isfinite (a->data[i]) || a->data[i] < 0 || a->data[i] > 1)
      return FALSE;
  return TRUE;
}

static void
base_params (NsParams *p)
{
  ns_params_init (p);
  p->size = 80;
  p->iterations = 20;
  p->multires = 1;
  p->threads = 2;
}

static void
test_loss_falls (void)
{
  NsParams p;
  base_params (&p);
  p.init = NS_INIT_NOISE;
  p.iterations = 40;
  NsJob *job = NULL;
  GError *err = NULL;
  NsImage *out = run (&p, dog, scream, 1, NULL, 0, &job, &err);
  CHECK (out != NULL, "run: %s", err ? err->message : "");
  int n;
  const NsIterationRecord *h = ns_job_get_history (job, &n);
  CHECK (n == 41, "history has %d records, expected 41", n);
  if (out && n > 1)
    {
      CHECK (h[n - 1].total < h[0].total / 5, "loss fell only from %g to %g", h[0].total,
             h[n - 1].total);
      CHECK (out->width == 80 && out->height == 60, "size %dx%d", out->width, out->height);
      CHECK (all_finite_in_range (out), "result finite and in 0..1");
      CHECK (ns_job_get_stop_reason (job) == NS_STOP_ITERATIONS, "stop reason %s",
             ns_stop_reason_to_string (ns_job_get_stop_reason (job)));
      CHECK (ns_job_get_evaluations (job) >= 41, "evaluations %d", ns_job_get_evaluations (job));
      double sum = 0;
      for (int i = 0; i < n; i++)
        sum += h[i].content + h[i].style + h[i].tv - h[i].total;
      CHECK (fabs (sum) < 1e-6 * h[0].total, "terms add up to the total");
    }
  g_clear_error (&err);
  ns_image_free (out);
  ns_job_free (job);
}

static void
test_blend_and_pooling (void)
{
  NsParams p;
  base_params (&p);
  GError *err = NULL;
  NsImage *a = run (&p, dog, scream, 0.75, eagle, 0.25, NULL, &err);
  NsImage *b = run (&p, dog, scream, 0.25, eagle, 0.75, NULL, &err);
  NsImage *a2 = run (&p, dog, scream, 3.0, eagle, 1.0, NULL, &err);   /* same ratio */
  CHECK (a && b && a2, "runs: %s", err ? err->message : "");
  double d = mean_abs_diff (a, b);
  CHECK (d > 0.01, "0.75/0.25 vs 0.25/0.75 differ by only %g", d);
  CHECK (mean_abs_diff (a, a2) < 1e-6, "weights are normalised (3:1 == 0.75:0.25): %g",
         mean_abs_diff (a, a2));
  p.pooling = NS_POOLING_AVG;
  NsImage *avg = run (&p, dog, scream, 0.75, eagle, 0.25, NULL, &err);
  double dp = mean_abs_diff (a, avg);
  CHECK (dp > 0.005, "avg vs max pooling differ by only %g", dp);
  g_clear_error (&err);
  ns_image_free (a); ns_image_free (b); ns_image_free (a2); ns_image_free (avg);
}

typedef struct
{
  int cancel_at, calls, last_iteration;
} CancelState;

static gboolean
cancel_cb (const NsProgress *pr, gpointer data)
{
  CancelState *s = data;
  s->calls++;
  s->last_iteration = pr->iteration;
  return pr->iteration < s->cancel_at;
}

static void
test_cancel_returns_best (void)
{
  NsParams p;
  base_params (&p);
  p.init = NS_INIT_NOISE;
  NsJob *job = ns_job_new (model, dog, &p, NULL);
  ns_job_add_style (job, scream, 1, 1, NULL);
  CancelState st = { 5, 0, -1 };
  ns_job_set_progress (job, cancel_cb, &st);
  GError *err = NULL;
  NsImage *out = ns_job_run (job, &err);
  CHECK (out != NULL, "cancelled run returns an image: %s", err ? err->message : "");
  CHECK (ns_job_get_stop_reason (job) == NS_STOP_CANCELLED, "stop reason %s",
         ns_stop_reason_to_string (ns_job_get_stop_reason (job)));
  CHECK (st.last_iteration == 5, "stopped at iteration %d", st.last_iteration);
  int n;
  const NsIterationRecord *h = ns_job_get_history (job, &n);
  CHECK (n == 6, "history %d records after cancel at 5", n);
  double best = G_MAXDOUBLE;
  for (int i = 0; i < n; i++)
    best = MIN (best, h[i].total);
  /* The returned image is the best one: re-evaluate it (0 iterations). */
  if (out)
    {
      NsParams q = p;
      q.iterations = 0;
      q.init = NS_INIT_IMAGE;
      q.initial_noiseblend = 0;
      NsJob *ev = ns_job_new (model, dog, &q, NULL);
      ns_job_add_style (ev, scream, 1, 1, NULL);
      ns_job_set_init_image (ev, out);
      NsImage *same = ns_job_run (ev, NULL);
      const NsIterationRecord *h2 = ns_job_get_history (ev, &n);
      CHECK (n == 1, "iterations 0 records only the initial image (%d)", n);
      CHECK_CLOSE (h2[0].total, best, 1e-4, 0, "loss of the returned image == best loss");
      CHECK (mean_abs_diff (same, out) == 0.0, "iterations 0 returns the initial image");
      ns_image_free (same);
      ns_job_free (ev);
    }
  g_clear_error (&err);
  ns_image_free (out);
  ns_job_free (job);
}

static void
test_determinism_and_tolerance (void)
{
  NsParams p;
  base_params (&p);
  p.init = NS_INIT_NOISE;
  p.seed = 1234;
  p.iterations = 8;
  NsImage *a = run (&p, dog, scream, 1, NULL, 0, NULL, NULL);
  NsImage *b = run (&p, dog, scream, 1, NULL, 0, NULL, NULL);
  CHECK (a && b && memcmp (a->data, b->data, sizeof (float) * 3 * a->width * a->height) == 0,
         "same seed, same threads => same bytes");
  p.seed = 99;
  NsImage *c = run (&p, dog, scream, 1, NULL, 0, NULL, NULL);
  CHECK (mean_abs_diff (a, c) > 0, "another seed gives another image");
  ns_image_free (a); ns_image_free (b); ns_image_free (c);

  base_params (&p);
  p.iterations = 500;
  p.tolerance = 0.05;
  p.tolerance_window = 3;
  NsJob *job = NULL;
  NsImage *t = run (&p, dog, scream, 1, NULL, 0, &job, NULL);
  int n;
  ns_job_get_history (job, &n);
  CHECK (t && ns_job_get_stop_reason (job) == NS_STOP_TOLERANCE && n < 500,
         "tolerance stop after %d records (%s)", n,
         ns_stop_reason_to_string (ns_job_get_stop_reason (job)));
  ns_image_free (t);
  ns_job_free (job);
}

static void
snapshot_cb (const NsImage *img, const NsProgress *pr, gpointer data)
{
  int *count = data;
  (*count)++;
  CHECK (pr->iteration % 4 == 0 && img->width == pr->width, "snapshot at %d", pr->iteration);
}

static gboolean
continue_cb (const NsProgress *pr, gpointer data)
{
  (void) pr; (void) data;
  return TRUE;
}

static void
test_multires_colors_snapshots (void)
{
  NsParams p;
  base_params (&p);
  p.size = 96;
  p.multires = 2;
  p.iterations = 8;
  p.snapshot_every = 4;
  p.preserve_colors = TRUE;
  NsJob *job = ns_job_new (model, dog, &p, NULL);
  ns_job_add_style (job, scream, 1, 1, NULL);
  int snaps = 0;
  ns_job_set_progress (job, continue_cb, NULL);
  ns_job_set_snapshot (job, snapshot_cb, &snaps);
  NsImage *out = ns_job_run (job, NULL);
  int n;
  const NsIterationRecord *h = ns_job_get_history (job, &n);
  /* level 1 (48 px) runs 16 iterations, level 2 (96 px) 8 */
  CHECK (n == 17 + 9 && h[0].level == 1 && h[n - 1].level == 2 && h[16].iteration == 16,
         "multires history: %d records", n);
  CHECK (snaps == 4 + 2, "snapshots %d", snaps);
  CHECK (out && out->width == 96 && out->height == 72, "multires result size");
  if (out)
    {
      /* chroma of the result == chroma of the content (where not clamped) */
      NsImage *c = ns_image_resize (dog, 96, 72);
      double worst = 0;
      for (int i = 0; i < 96 * 72; i++)
        {
          const float *o = out->data + 3 * i, *q = c->data + 3 * i;
          double cb_o = -0.168736 * o[0] - 0.331264 * o[1] + 0.5 * o[2];
          double cb_c = -0.168736 * q[0] - 0.331264 * q[1] + 0.5 * q[2];
          gboolean clamped = FALSE;
          for (int k = 0; k < 3; k++)
            clamped |= o[k] <= 0.0f || o[k] >= 1.0f;
          if (!clamped)
            worst = MAX (worst, fabs (cb_o - cb_c));
        }
      CHECK (worst < 1e-4, "preserve colours: Cb differs by %g", worst);
      ns_image_free (c);
    }
  ns_image_free (out);
  ns_job_free (job);
}

static void
test_odd_inputs (void)
{
  NsParams p;
  base_params (&p);
  p.size = 0;
  p.iterations = 3;
  GError *err = NULL;
  int sizes[3][2] = { { 1, 1 }, { 7, 5 }, { 3, 40 } };
  for (int i = 0; i < 3; i++)
    {
      NsImage *tiny = ns_image_resize (dog, sizes[i][0], sizes[i][1]);
      NsImage *out = run (&p, tiny, scream, 1, NULL, 0, NULL, &err);
      CHECK (out && out->width == sizes[i][0] && out->height == sizes[i][1]
             && all_finite_in_range (out), "%dx%d content: %s", sizes[i][0], sizes[i][1],
             err ? err->message : "ok");
      g_clear_error (&err);
      ns_image_free (out);
      ns_image_free (tiny);
    }
  /* single-colour style: zero Gram at many layers, must stay finite */
  NsImage *flat = ns_image_new (50, 30);
  for (int i = 0; i < 50 * 30 * 3; i++)
    flat->data[i] = 0.3f;
  p.size = 64;
  NsImage *out = run (&p, dog, flat, 1, NULL, 0, NULL, &err);
  CHECK (out && all_finite_in_range (out), "flat style: %s", err ? err->message : "ok");
  g_clear_error (&err);
  ns_image_free (out);
  /* black content (zero-variance features) */
  NsImage *black = ns_image_new (64, 48);
  out = run (&p, black, scream, 1, NULL, 0, NULL, &err);
  CHECK (out && all_finite_in_range (out), "black content: %s", err ? err->message : "ok");
  g_clear_error (&err);
  ns_image_free (out);
  /* the content as its own style */
  out = run (&p, dog, dog, 1, NULL, 0, NULL, &err);
  CHECK (out && all_finite_in_range (out), "content as style");
  ns_image_free (out);
  ns_image_free (black);
  ns_image_free (flat);
}

static void
test_invalid (void)
{
  NsParams p;
  base_params (&p);
  GError *err = NULL;
  NsJob *job = ns_job_new (model, dog, &p, NULL);
  CHECK (ns_job_run (job, &err) == NULL && err && strstr (err->message, "style"),
         "no style refused: %s", err ? err->message : "(none)");
  g_clear_error (&err);
  CHECK (!ns_job_add_style (job, scream, -1, 1, &err) && err, "negative weight refused");
  g_clear_error (&err);
  CHECK (!ns_job_add_style (job, scream, 1, 0, &err) && err, "zero scale refused");
  g_clear_error (&err);
  ns_job_add_style (job, scream, 0, 1, NULL);
  CHECK (ns_job_run (job, &err) == NULL && err, "all-zero weights refused: %s",
         err ? err->message : "(none)");
  g_clear_error (&err);
  ns_job_free (job);

  NsImage *nan = ns_image_copy (scream);
  nan->data[100] = NAN;
  job = ns_job_new (model, nan, &p, &err);
  CHECK (!job && err && strstr (err->message, "NaN"), "NaN content refused: %s",
         err ? err->message : "(none)");
  g_clear_error (&err);
  ns_image_free (nan);

  NsParams bad = p;
  bad.iterations = -1;
  CHECK (!ns_job_new (model, dog, &bad, &err) && err, "iterations < 0 refused");
  g_clear_error (&err);
  bad = p;
  bad.style_layers = "fire2,pool9";
  CHECK (!ns_job_new (model, dog, &bad, &err) && err && strstr (err->message, "pool9"),
         "unknown layer refused: %s", err ? err->message : "(none)");
  g_clear_error (&err);

  bad = p;
  bad.size = 4000;
  bad.memory_limit_mb = 64;
  job = ns_job_new (model, dog, &bad, NULL);
  ns_job_add_style (job, scream, 1, 1, NULL);
  CHECK (ns_job_run (job, &err) == NULL && err && err->code == NS_ERROR_NO_MEMORY
         && strstr (err->message, "fits"), "memory limit: %s", err ? err->message : "(none)");
  g_clear_error (&err);
  ns_job_free (job);

  /* automatic L-BFGS history (0): 8 pairs, fewer while the job's estimate
   * exceeds the memory limit; below what 3 pairs need, refused */
  guint64 est[9] = { 0 };
  NsParams q = p;
  q.size = 640;
  q.multires = 1;
  q.iterations = 1;
  q.memory_limit_mb = 1e6;
  for (int m = 7; m <= 8; m++)
    {
      q.lbfgs_history = m;
      job = ns_job_new (model, dog, &q, NULL);
      ns_job_add_style (job, scream, 1, 1, NULL);
      est[m] = ns_job_estimate_memory (job);
      ns_job_free (job);
    }
  const guint64 pair = est[8] - est[7];
  CHECK (pair == (guint64) 2 * 3 * 640 * 480 * sizeof (float) + 2 * sizeof (double),
         "one pair (dog.jpg at 640x480): %" G_GUINT64_FORMAT " bytes", pair);
  q.lbfgs_history = 0;
  q.memory_limit_mb = (est[8] - 2.5 * pair) / 1048576.0;   /* room for 5 pairs */
  job = ns_job_new (model, dog, &q, NULL);
  ns_job_add_style (job, scream, 1, 1, NULL);
  CHECK (ns_job_estimate_memory (job) == est[8] - 3 * pair, "automatic history: 5 pairs");
  NsImage *res = ns_job_run (job, &err);
  CHECK (res != NULL, "runs within the limit: %s", err ? err->message : "");
  g_clear_error (&err);
  ns_image_free (res);
  ns_job_free (job);
  /* not even 3 pairs untiled: the automatic tiling (issue 18) runs it tile
   * by tile within the limit, or it is refused */
  q.memory_limit_mb = (est[8] - 5.5 * pair) / 1048576.0;
  job = ns_job_new (model, dog, &q, NULL);
  ns_job_add_style (job, scream, 1, 1, NULL);
  const guint64 tiled_est = ns_job_estimate_memory (job);
  res = ns_job_run (job, &err);
  int tx, ty;
  ns_job_get_tiling (job, &tx, &ty, NULL, NULL);
  CHECK ((res && tx * ty > 1 && tiled_est <= q.memory_limit_mb * 1048576.0)
         || (!res && err && err->code == NS_ERROR_NO_MEMORY),
         "below 3 pairs untiled: tiled %dx%d (estimate %.1f MiB, limit %.1f) or refused: %s",
         tx, ty, tiled_est / 1048576.0, q.memory_limit_mb, err ? err->message : "(none)");
  g_clear_error (&err);
  ns_image_free (res);
  ns_job_free (job);
}

/* A model whose first layer overflows float32 (weights × 1e30): the loss is
 * non-finite from the start; the run must stop, say why, and return the
 * initial image (the best so far) rather than fail or crash. */
static void
test_nonfinite_loss (void)
{
  NsSafetensors *st = model->st;
  int n = ns_st_n_tensors (st);
  NsTensorOut *out = g_new0 (NsTensorOut, n);
  float **data = g_new0 (float *, n);
  for (int i = 0; i < n; i++)
    {
      const NsTensorInfo *t = ns_st_tensor_at (st, i);
      data[i] = ns_st_read_f32 (st, t);
      if (g_strcmp0 (t->name, "features.0.weight") == 0)
        for (size_t k = 0; k < t->numel; k++)
          data[i][k] *= 1e30f;
      out[i] = (NsTensorOut) { t->name, t->ndim, { 0 }, data[i] };
      memcpy (out[i].shape, t->shape, sizeof t->shape);
    }
  char *dir = g_dir_make_tmp ("ns-job-XXXXXX", NULL);
  char *path = g_build_filename (dir, "huge.safetensors", NULL);
  const char *meta[] = { "architecture", "squeezenet1_1", "source", "caffe",
                         "channel_order", "BGR", "input_scale", "255",
                         "mean", "104,117,123", "std", "1,1,1", NULL };
  GError *err = NULL;
  CHECK (ns_st_write (path, out, n, meta, &err), "write huge model: %s", err ? err->message : "");
  g_clear_error (&err);
  NsModel *huge = ns_model_load (path, &err);
  CHECK (huge != NULL, "load huge model: %s", err ? err->message : "");
  if (huge)
    {
      NsParams p;
      base_params (&p);
      p.initial_noiseblend = 0;
      NsJob *job = ns_job_new (huge, dog, &p, &err);
      ns_job_add_style (job, scream, 1, 1, NULL);
      NsImage *res = ns_job_run (job, &err);
      CHECK (res != NULL, "non-finite run still returns an image: %s", err ? err->message : "");
      CHECK (ns_job_get_stop_reason (job) == NS_STOP_NONFINITE, "stop reason %s",
             ns_stop_reason_to_string (ns_job_get_stop_reason (job)));
      NsImage *expect = ns_image_resize (dog, 80, 60);
      CHECK (res && mean_abs_diff (res, expect) == 0.0, "the initial image is returned");
      ns_image_free (expect);
      ns_image_free (res);
      ns_job_free (job);
      ns_model_free (huge);
    }
  g_clear_error (&err);
  for (int i = 0; i < n; i++)
    g_free (data[i]);
  g_free (data);
  g_free (out);
  g_unlink (path);
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
}

/* A caller may shrink a big style image to ns_style_read_side() before
 * adding it (the plug-ins do, reading GIMP composites): the job shrinks
 * bigger styles to the same side itself, so both give the same bytes. */
static void
test_style_preshrink (const NsImage *big_style)
{
  NsParams p;
  base_params (&p);
  p.size = 40;
  p.iterations = 5;
  p.seed = 7;
  int ww, wh;
  ns_working_size (&p, dog->width, dog->height, &ww, &wh);
  CHECK (ww == 40 && wh == 30, "working size %dx%d", ww, wh);
  int side = ns_style_read_side (ww, wh, 1.0);
  CHECK (side == 80, "read side %d", side);
  CHECK (ns_style_read_side (ww, wh, 0.1) == 64, "read side floor");
  CHECK (MAX (big_style->width, big_style->height) > side, "the style is bigger than %d", side);
  int sw, sh;
  ns_image_fit_size (big_style->width, big_style->height, side, &sw, &sh);
  NsImage *small = ns_image_resize (big_style, sw, sh);
  GError *err = NULL;
  NsImage *a = run (&p, dog, big_style, 1.0, NULL, 0, NULL, &err);
  NsImage *b = run (&p, dog, small, 1.0, NULL, 0, NULL, &err);
  CHECK (a && b, "runs: %s", err ? err->message : "");
  if (a && b)
    CHECK (a->width == b->width && a->height == b->height
           && memcmp (a->data, b->data, sizeof (float) * 3 * a->width * a->height) == 0,
           "full-size and pre-shrunk style differ (mean %g)", mean_abs_diff (a, b));
  g_clear_error (&err);
  ns_image_free (a);
  ns_image_free (b);
  ns_image_free (small);
}

int
main (void)
{
  test_begin ("job");
  const char *shared = test_shared_dir ();
  gegl_init (NULL, NULL);
  char *mp = g_build_filename (shared, "models", "squeezenet1_1.safetensors", NULL);
  char *dp = g_build_filename (shared, "images", "dog.jpg", NULL);
  char *sp = g_build_filename (shared, "images", "scream.jpg", NULL);
  char *ep = g_build_filename (shared, "images", "eagle.jpg", NULL);
  GError *err = NULL;
  model = ns_model_load (mp, &err);
  NsImage *d = ns_io_load (dp, NULL), *s = ns_io_load (sp, NULL), *e = ns_io_load (ep, NULL);
  CHECK (model && d && s && e, "inputs load");
  if (model && d && s && e)
    {
      /* smaller copies keep the test fast; sizes differ from the content's */
      dog = ns_image_resize (d, 160, 120);
      scream = ns_image_resize (s, 110, 140);
      eagle = ns_image_resize (e, 150, 100);
      test_loss_falls ();
      test_blend_and_pooling ();
      test_cancel_returns_best ();
      test_determinism_and_tolerance ();
      test_multires_colors_snapshots ();
      test_odd_inputs ();
      test_invalid ();
      test_nonfinite_loss ();
      test_style_preshrink (s);
    }
  ns_image_free (d); ns_image_free (s); ns_image_free (e);
  ns_image_free (dog); ns_image_free (scream); ns_image_free (eagle);
  ns_model_free (model);
  g_clear_error (&err);
  g_free (mp); g_free (dp); g_free (sp); g_free (ep);
  /* no gegl_exit (): GEGL keeps its modules loaded, so that leak checkers
   * can attribute its one-time allocations (tests/lsan.supp) */
  return test_finish ();
}
