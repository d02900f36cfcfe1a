/* job.c — a style-transfer job: working size, multi-resolution schedule,
 * initial image, the optimisation loop with its stopping rules, progress,
 * best-so-far tracking and colour preservation.
 *
 * Schedule (README "Multi-resolution"): L levels, level i (1..L) works at
 * longest side round(S / 2^(L-i)) where S is the working size; level 1
 * starts from the initial image, level i > 1 from the upsampled best image
 * of level i-1.  The last level runs `iterations` steps, each coarser level
 * twice as many (a coarse step costs ~1/4 of a fine one, at most 16x).
 * Levels longer than params->detail_side (default 1024 px) are detail
 * passes of big photos: detail_iterations each from the upsampled level
 * below, and the doubling counts from the last level up to detail_side
 * (schedule.c; a 12 MP VGG job would otherwise run for hours).  Style and
 * content targets are recomputed at every level, and with them the masks
 * (resized to the level's size) and the colour transfer (color_transfer.h):
 * with "luminance" the optimised image is one plane Y at every level.
 */
#include "neural_style.h"
#include "color_transfer.h"
#include "image_ops.h"
#include "masks.h"
#include "memory_plan.h"
#include "objective.h"
#include "optimizer.h"
#include "schedule.h"
#include "style_cache.h"

#include <math.h>
#include <string.h>
#include <omp.h>
#include <cblas.h>
#include <unistd.h>


typedef struct
{
  NsImage *image;
  double   weight, scale;
  float   *mask;             /* gray mask mw x mh, NULL = whole image */
  int      mw, mh;
  char    *digest;       /* SHA-256 of the pixels (style cache key), lazily */
} StyleInput;

struct NsJob
{
  NsModel   *model;
  NsParams   params;         /* layer strings owned (copied) */
  NsImage   *content;
  GPtrArray *styles;         /* StyleInput* */
  NsImage   *init_image;
  NsStyleCache *style_cache; /* NULL: targets computed by every run */
  NsProgressFunc progress;
  gpointer   progress_data;
  NsSnapshotFunc snapshot;
  gpointer   snapshot_data;
  NsStopReason stop;
  GArray    *history;        /* NsIterationRecord */
  int        evaluations;
  int        work_w, work_h; /* final working size */
  int        tiling[4];      /* last level's grid: across, down, core, halo */
  float     *content_mask;   /* gray cmw x cmh, NULL = none */
  int        cmw, cmh;
  double     content_strength;
};


static gboolean
check_params (const NsParams *p, GError **error)
{
#define BAD(...) do { g_set_error (error, NS_ERROR, NS_ERROR_INVALID_ARG, __VA_ARGS__); return FALSE; } while (0)
  if (!(p->content_weight >= 0 && isfinite (p->content_weight))) BAD ("content weight must be >= 0");
  if (!(p->style_weight >= 0 && isfinite (p->style_weight))) BAD ("style weight must be >= 0");
  if (!(p->tv_weight >= 0 && isfinite (p->tv_weight))) BAD ("TV weight must be >= 0");
  if (!(p->content_weight_blend >= 0 && p->content_weight_blend <= 1))
    BAD ("content weight blend must be between 0 and 1");
  if (!(p->style_layer_weight_exp > 0 && isfinite (p->style_layer_weight_exp)))
    BAD ("style layer weight exponent must be > 0");
  if (p->iterations < 0 || p->iterations > NS_MAX_ITERATIONS)
    BAD ("iterations must be between 0 and %d", NS_MAX_ITERATIONS);
  if (!(p->tolerance >= 0 && isfinite (p->tolerance))) BAD ("tolerance must be >= 0");
  if (p->tolerance_window < 1) BAD ("tolerance window must be >= 1");
  if (p->lbfgs_history < 0 || p->lbfgs_history > NS_MAX_LBFGS_HISTORY)
    BAD ("L-BFGS history must be 0..%d", NS_MAX_LBFGS_HISTORY);
  if (!(p->learning_rate > 0 && isfinite (p->learning_rate))) BAD ("learning rate must be > 0");
  if (!(p->beta1 >= 0 && p->beta1 < 1) || !(p->beta2 >= 0 && p->beta2 < 1))
    BAD ("Adam betas must be in [0,1)");
  if (!(p->epsilon > 0)) BAD ("Adam epsilon must be > 0");
  if (!(p->initial_noiseblend >= 0 && p->initial_noiseblend <= 1))
    BAD ("initial noise blend must be between 0 and 1");
  if (p->size < 0 || p->size > NS_MAX_WORKING_SIDE)
    BAD ("size must be between 0 and %d (0 = the image's size)", NS_MAX_WORKING_SIDE);
  if (p->multires < 0 || p->multires > NS_MAX_MULTIRES)
    BAD ("multires must be between 0 (automatic) and %d", NS_MAX_MULTIRES);
  if (p->threads < 0) BAD ("threads must be >= 0");
  if (p->detail_side < 0 || p->detail_side > NS_MAX_WORKING_SIDE)
    BAD ("detail side must be between 0 (none) and %d", NS_MAX_WORKING_SIDE);
  if (p->detail_iterations < 0 || p->detail_iterations > NS_MAX_ITERATIONS)
    BAD ("detail iterations must be between 0 and %d", NS_MAX_ITERATIONS);
  if (p->tile_size < 0 || p->tile_size > NS_MAX_WORKING_SIDE)
    BAD ("tile size must be between 0 (automatic) and %d", NS_MAX_WORKING_SIDE);
  if ((int) p->optimizer < 0 || p->optimizer > NS_OPTIMIZER_ADAM) BAD ("unknown optimizer");
  if ((int) p->pooling < 0 || p->pooling > NS_POOLING_AVG) BAD ("unknown pooling");
  if ((int) p->init < 0 || p->init > NS_INIT_IMAGE) BAD ("unknown init");
  if ((int) p->color_transfer < 0 || p->color_transfer >= NS_COLOR_TRANSFER_COUNT)
    BAD ("unknown colour transfer (none, meancov or luminance)");
  return TRUE;
#undef BAD
}

static gboolean
check_image (const NsImage *img, const char *what, GError **error)
{
  if (!img || !img->data || img->width < 1 || img->height < 1)
    {
      g_set_error (error, NS_ERROR, NS_ERROR_INVALID_ARG, "%s image is empty", what);
      return FALSE;
    }
  if ((gint64) img->width * img->height > (gint64) 30000 * 30000 / 4)
    {
      g_set_error (error, NS_ERROR, NS_ERROR_INVALID_ARG,
                   "%s image of %dx%d is too large", what, img->width, img->height);
      return FALSE;
    }
  size_t n = (size_t) img->width * img->height * 3;
  for (size_t i = 0; i < n; i++)
    if (!isfinite (img->data[i]))
      {
        g_set_error (error, NS_ERROR, NS_ERROR_NUMERIC,
                     "%s image contains NaN or infinite pixel values", what);
        return FALSE;
      }
  return TRUE;
}

NsJob *
ns_job_new (NsModel *model, const NsImage *content, const NsParams *params,
            GError **error)
{
  g_return_val_if_fail (model && params, NULL);
  if (!check_params (params, error) || !check_image (content, "content", error))
    return NULL;
  NsJob *job = g_new0 (NsJob, 1);
  job->model = model;
  job->params = *params;
  job->params.content_layers = g_strdup (params->content_layers);
  job->params.style_layers = g_strdup (params->style_layers);
  job->content = ns_image_copy (content);
  job->styles = g_ptr_array_new ();
  job->history = g_array_new (FALSE, FALSE, sizeof (NsIterationRecord));
  if (!job->content)
    {
      g_set_error (error, NS_ERROR, NS_ERROR_NO_MEMORY, "out of memory copying the content");
      ns_job_free (job);
      return NULL;
    }
  /* Validate layer names now so callers hear about typos before running. */
  if (!ns_objective_check_layers (model, &job->params, error))
    {
      ns_job_free (job);
      return NULL;
    }
  ns_working_size (&job->params, content->width, content->height, &job->work_w, &job->work_h);
  return job;
}

gboolean
ns_job_add_style (NsJob *job, const NsImage *style, double weight, double scale,
                  GError **error)
{
  return ns_job_add_style_masked (job, style, weight, scale, NULL, error);
}

/* The gray mask of a mask image (masks.h), checked. */
static float *
mask_of (const NsImage *img, const char *what, GError **error)
{
  if (!check_image (img, what, error))
    return NULL;
  float *m = ns_mask_from_image (img);
  if (!m)
    g_set_error (error, NS_ERROR, NS_ERROR_NO_MEMORY, "out of memory copying the %s", what);
  return m;
}

gboolean
ns_job_set_content_mask (NsJob *job, const NsImage *mask, double strength, GError **error)
{
  if (!(strength >= 0 && isfinite (strength)))
    {
      g_set_error (error, NS_ERROR, NS_ERROR_INVALID_ARG,
                   "content mask strength must be >= 0 (got %g)", strength);
      return FALSE;
    }
  float *m = mask ? mask_of (mask, "content mask", error) : NULL;
  if (mask && !m)
    return FALSE;
  g_free (job->content_mask);
  job->content_mask = m;
  job->cmw = mask ? mask->width : 0;
  job->cmh = mask ? mask->height : 0;
  job->content_strength = strength;
  return TRUE;
}

gboolean
ns_job_add_style_masked (NsJob *job, const NsImage *style, double weight, double scale,
                         const NsImage *mask, GError **error)
{
  if (!check_image (style, "style", error))
    return FALSE;
  if (!(weight >= 0 && isfinite (weight)))
    {
      g_set_error (error, NS_ERROR, NS_ERROR_INVALID_ARG,
                   "style weight must be >= 0 (got %g)", weight);
      return FALSE;
    }
  if (!(scale > 0 && scale <= 16))
    {
      g_set_error (error, NS_ERROR, NS_ERROR_INVALID_ARG,
                   "style scale must be in (0, 16] (got %g)", scale);
      return FALSE;
    }
  StyleInput *s = g_new0 (StyleInput, 1);
  int side = ns_style_read_side (job->work_w, job->work_h, scale);
  if (MAX (style->width, style->height) > side)
    {
      int w, h;
      ns_image_fit_size (style->width, style->height, side, &w, &h);
      s->image = ns_image_resize (style, w, h);
    }
  else
    s->image = ns_image_copy (style);
  s->weight = weight;
  s->scale = scale;
  if (mask && !(s->mask = mask_of (mask, "style mask", error)))
    {
      ns_image_free (s->image);
      g_free (s);
      return FALSE;
    }
  s->mw = mask ? mask->width : 0;
  s->mh = mask ? mask->height : 0;
  if (!s->image)
    {
      g_free (s->mask);
      g_free (s);
      g_set_error (error, NS_ERROR, NS_ERROR_NO_MEMORY, "out of memory copying a style");
      return FALSE;
    }
  g_ptr_array_add (job->styles, s);
  return TRUE;
}

void
ns_job_set_init_image (NsJob *job, const NsImage *init)
{
  ns_image_free (job->init_image);
  job->init_image = init ? ns_image_copy (init) : NULL;
}

void
ns_job_set_progress (NsJob *job, NsProgressFunc func, gpointer data)
{
  job->progress = func;
  job->progress_data = data;
}

void
ns_job_set_snapshot (NsJob *job, NsSnapshotFunc func, gpointer data)
{
  job->snapshot = func;
  job->snapshot_data = data;
}

NsStopReason
ns_job_get_stop_reason (const NsJob *job)
{
  return job->stop;
}

const NsIterationRecord *
ns_job_get_history (const NsJob *job, int *n)
{
  *n = (int) job->history->len;
  return (const NsIterationRecord *) job->history->data;
}

int
ns_job_get_evaluations (const NsJob *job)
{
  return job->evaluations;
}

void
ns_job_free (NsJob *job)
{
  if (!job)
    return;
  for (guint i = 0; i < job->styles->len; i++)
    {
      StyleInput *s = g_ptr_array_index (job->styles, i);
      ns_image_free (s->image);
      g_free (s->mask);
      g_free (s->digest);
      g_free (s);
    }
  g_ptr_array_free (job->styles, TRUE);
  g_free (job->content_mask);
  g_array_free (job->history, TRUE);
  ns_image_free (job->content);
  ns_image_free (job->init_image);
  g_free (job->params.content_layers);
  g_free (job->params.style_layers);
  g_free (job);
}

static guint64
style_pixels (const NsJob *job)
{
  guint64 px = 0;
  for (guint i = 0; i < job->styles->len; i++)
    {
      const StyleInput *s = g_ptr_array_index (job->styles, i);
      px += (guint64) s->image->width * s->image->height;
    }
  return px;
}

/* Masked styles; *mask_bytes: the job's gray masks. */
static int
masked_styles (const NsJob *job, guint64 *mask_bytes)
{
  int n = 0;
  *mask_bytes = (guint64) job->cmw * job->cmh * sizeof (float);
  for (guint i = 0; i < job->styles->len; i++)
    {
      const StyleInput *s = g_ptr_array_index (job->styles, i);
      n += s->mask != NULL;
      *mask_bytes += (guint64) s->mw * s->mh * sizeof (float);
    }
  return n;
}

static guint64
estimate_with (const NsJob *job, const NsParams *p)
{
  const guint64 init = job->init_image   /* the job's copy */
    ? (guint64) job->init_image->width * job->init_image->height * 3 * sizeof (float) : 0;
  guint64 masks;
  int n_masked = masked_styles (job, &masks);
  return ns_estimate_memory_for (job->model, p, job->content->width, job->content->height,
                                 (int) MAX (job->styles->len, 1), style_pixels (job))
    + ns_estimate_regions_bytes (job->model, p, job->content->width, job->content->height,
                                 n_masked, job->content_mask != NULL)
    + init + masks;
}

static guint64
job_estimate (const NsParams *p, gpointer job)
{
  return estimate_with (job, p);
}

/* The run's plan (memory_plan.h): L-BFGS pairs, tile core (0: untiled) and
 * the estimate with them.  Tiled only where the objective can be
 * (objective_tiled.c: a chain network, the Gram loss, no masks). */
static void
plan_memory (const NsJob *job, int *history, int *tile, guint64 *need)
{
  guint64 masks;
  const gboolean tileable = ns_plan_tileable (job->model, &job->params,
                                              masked_styles (job, &masks),
                                              job->content_mask != NULL);
  ns_memory_plan (&job->params, job->work_w, job->work_h, tileable, job_estimate,
                  (gpointer) job, history, tile, need);
}

guint64
ns_job_estimate_memory (const NsJob *job)
{
  guint64 estimate;
  int history, tile;
  plan_memory (job, &history, &tile, &estimate);
  return estimate;
}

void
ns_job_get_tiling (const NsJob *job, int *tiles_x, int *tiles_y, int *core, int *halo)
{
  if (tiles_x) *tiles_x = MAX (job->tiling[0], 1);
  if (tiles_y) *tiles_y = MAX (job->tiling[1], 1);
  if (core) *core = job->tiling[2];
  if (halo) *halo = job->tiling[3];
}

/* Refuse a job whose estimate exceeds the limit, naming a size that fits;
 * *history: the L-BFGS pairs it runs with, *tile: its tile core (0: none). */
static gboolean
check_memory (NsJob *job, int *history, int *tile, GError **error)
{
  guint64 limit = ns_memory_limit_bytes (&job->params);
  guint64 need;
  plan_memory (job, history, tile, &need);
  if (need <= limit)
    return TRUE;
  NsParams p = job->params;
  p.lbfgs_history = *history;
  p.tile_size = *tile;
  int side = MAX (job->work_w, job->work_h);
  while (side > 16)
    {
      side = side * 3 / 4;
      p.size = side;
      if (estimate_with (job, &p) <= limit)
        break;
    }
  g_set_error (error, NS_ERROR, NS_ERROR_NO_MEMORY,
               "a %dx%d working image needs about %.0f MiB, more than the limit of "
               "%.0f MiB; a size of %d px (longest side) fits",
               job->work_w, job->work_h, need / 1048576.0, limit / 1048576.0, side);
  return FALSE;
}

/* ------------------------------------------------------------ run */

typedef struct
{
  NsJob       *job;
  NsObjective *obj;
  int          evals;
} EvalCtx;

static double
counted_eval (const float *x, float *g, void *ctx)
{
  EvalCtx *e = ctx;
  e->evals++;
  return ns_objective_eval (x, g, e->obj);
}

static float *
planar_of (const NsImage *img, int w, int h)
{
  NsImage *sized = (img->width == w && img->height == h) ? NULL : ns_image_resize (img, w, h);
  const NsImage *src = sized ? sized : img;
  float *out = g_try_new (float, (gsize) 3 * w * h);
  if (out && src)
    ns_interleaved_to_planar (src->data, w, h, out);
  ns_image_free (sized);
  return out;
}

/* x0 by the init rule; with "luminance" x is one plane Y (content: its Y
 * plane, image: the init image's Y, noise: one value per pixel). */
static void
initial_image (NsJob *job, const float *content, int w, int h, float *x)
{
  const NsParams *p = &job->params;
  const gboolean luma = p->color_transfer == NS_COLOR_TRANSFER_LUMINANCE;
  size_t n = (size_t) (luma ? 1 : 3) * w * h;
  NsRng rng;
  ns_rng_seed (&rng, p->seed);
  float *base = NULL;
  if (p->init == NS_INIT_CONTENT)
    memcpy (x, content, n * sizeof (float));
  else if (p->init == NS_INIT_IMAGE && job->init_image && (base = planar_of (job->init_image, w, h)))
    {
      if (luma)
        ns_color_to_gray3 (base, (size_t) w * h);
      memcpy (x, base, n * sizeof (float));
    }
  else
    for (size_t i = 0; i < n; i++)
      x[i] = (float) ns_rng_uniform (&rng);
  g_free (base);
  if (p->init != NS_INIT_NOISE && p->initial_noiseblend > 0)
    {
      const float b = (float) p->initial_noiseblend;
      for (size_t i = 0; i < n; i++)
        x[i] = (1 - b) * x[i] + b * (float) ns_rng_uniform (&rng);
    }
}

/* Relative change of the loss over the last k accepted iterations. */
static gboolean
loss_stalled (const GArray *hist, guint level_start, int k, double tol)
{
  if (tol <= 0 || hist->len < level_start + (guint) k + 1)
    return FALSE;
  const NsIterationRecord *r = (const NsIterationRecord *) hist->data;
  double now = r[hist->len - 1].total, then = r[hist->len - 1 - k].total;
  return fabs (then - now) <= tol * MAX (fabs (now), 1e-30);
}

/* Enlarge w x h (aspect kept) so that the shorter side is at least min_side. */
static void
enlarge_to_min_side (int *w, int *h, int min_side)
{
  if (MIN (*w, *h) >= min_side)
    return;
  double f = (double) min_side / MIN (*w, *h);
  *w = MAX (min_side, (int) ceil (*w * f));
  *h = MAX (min_side, (int) ceil (*h * f));
}

/* State of one ns_job_run. */
typedef struct
{
  NsJob       *job;
  NsObjective *obj;
  EvalCtx      ectx;
  int          W, H;            /* size of the last level */
  int          levels, min_side;
  int          history;         /* L-BFGS pairs */
  gint64       t0;
  double       total_work, done_work;   /* in last-level iteration units */
  double       sec_per_unit;            /* measured; < 0 until known */
} Run;

void
ns_job_set_style_cache (NsJob *job, NsStyleCache *cache)
{
  job->style_cache = cache;
}

/* The style cache's key of style image si resampled to sw x sh for this
 * job's network. */
static char *
style_key (const NsJob *job, StyleInput *si, int sw, int sh)
{
  if (!si->digest)
    si->digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) si->image->data,
                                              (gsize) si->image->width * si->image->height
                                              * 3 * sizeof (float));
  return g_strdup_printf ("%s %dx%d of %dx%d | %s@%p | pooling %d | %s", si->digest, sw, sh,
                          si->image->width, si->image->height,
                          ns_model_architecture (job->model), (void *) job->model,
                          (int) job->params.pooling,
                          job->params.style_layers ? job->params.style_layers : "(default)");
}

/* One style image's targets at sw x sh: from the job's style cache where
 * it has them, else computed (and then kept there). */
static gboolean
add_style_target (Run *r, StyleInput *si, int sw, int sh, GError **error)
{
  NsStyleCache *cache = r->job->style_cache;
  char *key = cache ? style_key (r->job, si, sw, sh) : NULL;
  gboolean ok = TRUE;
  if (!key || !ns_style_cache_apply (cache, key, r->obj, si->weight, &ok, error))
    {
      float *sp = planar_of (si->image, sw, sh);
      ok = sp && ns_objective_add_style (r->obj, sp, sw, sh, si->weight, error);
      g_free (sp);
      if (ok && key)
        ns_style_cache_store (cache, key, r->obj, ns_objective_n_styles (r->obj) - 1);
    }
  g_free (key);
  return ok;
}

/* A gray mask mw x mh at lw x lh (the image resampler); NULL: none. */
static float *
level_mask (const float *m, int mw, int mh, int lw, int lh, gboolean *fail)
{
  if (!m)
    return NULL;
  float *out = g_try_new (float, (size_t) lw * lh);
  if (out)
    ns_planar_resize (m, 1, mw, mh, out, lw, lh);
  *fail |= out == NULL;
  return out;
}

/* The style's colours per the colour transfer (content: this level's,
 * (Y, Y, Y) with "luminance"). */
static void
transfer_colours (const NsParams *p, float *style, int sw, int sh, const float *content,
                  int lw, int lh)
{
  if (p->color_transfer == NS_COLOR_TRANSFER_MEANCOV)
    ns_color_meancov (style, (size_t) sw * sh, content, (size_t) lw * lh);
  else if (p->color_transfer == NS_COLOR_TRANSFER_LUMINANCE)
    ns_color_luminance_match (style, (size_t) sw * sh, content, (size_t) lw * lh);
}

/* Content and style targets at lw x lh (styles sized by their scale,
 * recoloured, with their masks at lw x lh). */
static gboolean
set_level_targets (Run *r, const float *content, int lw, int lh, GError **error)
{
  gboolean fail = FALSE;
  if (!ns_objective_set_content (r->obj, content, lw, lh, error))
    return FALSE;
  float *cm = level_mask (r->job->content_mask, r->job->cmw, r->job->cmh, lw, lh, &fail);
  gboolean ok = !fail && ns_objective_set_content_map (r->obj, cm, r->job->content_strength,
                                                       error);
  g_free (cm);
  if (!ok)
    goto oom;
  ns_objective_clear_styles (r->obj);
  for (guint s = 0; s < r->job->styles->len; s++)
    {
      StyleInput *si = g_ptr_array_index (r->job->styles, s);
      int sw, sh;
      int target = MAX (1, (int) lround (si->scale * MAX (lw, lh)));
      ns_image_fit_size (si->image->width, si->image->height, target, &sw, &sh);
      enlarge_to_min_side (&sw, &sh, r->min_side);  /* deepest style layer non-empty */
      /* Whole-image styles in their own colours do not depend on the
       * content: their Gram targets may come from (and go to) the style
       * cache. */
      if (!si->mask && r->job->params.color_transfer == NS_COLOR_TRANSFER_NONE
          && r->job->params.style_loss == NS_STYLE_LOSS_GRAM)
        {
          if (!add_style_target (r, si, sw, sh, error))
            goto oom;
          continue;
        }
      float *sp = planar_of (si->image, sw, sh);
      float *sm = level_mask (si->mask, si->mw, si->mh, lw, lh, &fail);
      if (sp)
        transfer_colours (&r->job->params, sp, sw, sh, content, lw, lh);
      ok = sp && !fail
        && ns_objective_add_style_masked (r->obj, sp, sw, sh, si->weight, sm, error);
      g_free (sp);
      g_free (sm);
      if (!ok)
        goto oom;
    }
  return ns_objective_ready (r->obj, error);
oom:
  if (error && !*error)
    g_set_error (error, NS_ERROR, NS_ERROR_NO_MEMORY, "out of memory (level targets)");
  return FALSE;
}

/* Planes of the optimised image: 1 (Y) with "luminance", else 3. */
static int
image_planes (const NsJob *job)
{
  return job->params.color_transfer == NS_COLOR_TRANSFER_LUMINANCE ? 1 : 3;
}

/* Optimise x (lw x lh, planar) for up to `iters` accepted steps; best gets
 * the lowest-loss iterate.  Records history, reports progress, snapshots. */
static NsStopReason
optimize_level (Run *r, int level, int lw, int lh, float *x, float *best)
{
  NsJob *job = r->job;
  const NsParams *p = &job->params;
  const int planes = image_planes (job);
  const size_t n = (size_t) planes * lw * lh;
  const double unit = ((double) lw * lh) / ((double) r->W * r->H);
  const int iters = ns_schedule_level_iterations (p, r->W, r->H, level, r->levels);
  float *g = g_try_new (float, n);
  NsOptimizer *opt = !g ? NULL : p->optimizer == NS_OPTIMIZER_ADAM
    ? ns_optimizer_new_adam (n, p->learning_rate, p->beta1, p->beta2, p->epsilon, 0.f, 1.f)
    : ns_optimizer_new_lbfgs (n, r->history, 0.f, 1.f);
  if (!opt)
    {
      g_free (g);
      return NS_STOP_NONE;
    }

  gint64 ts = g_get_monotonic_time ();
  double f = counted_eval (x, g, &r->ectx);
  NsLossTerms terms = ns_objective_last_terms (r->obj);
  double best_f = f;
  memcpy (best, x, n * sizeof (float));
  guint level_start = job->history->len;
  NsStopReason reason = NS_STOP_ITERATIONS;

  for (int it = 0;; it++)
    {
      gint64 now = g_get_monotonic_time ();
      double secs = (now - ts) / 1e6;
      ts = now;
      NsIterationRecord rec = { level, it, terms.content, terms.style, terms.tv, f, secs };
      g_array_append_val (job->history, rec);
      if (it > 0)
        {
          r->done_work += unit;
          r->sec_per_unit = (now - r->t0) / 1e6 / MAX (r->done_work, 1e-9);
        }
      if (!isfinite (f))
        {
          reason = NS_STOP_NONFINITE;
          break;
        }
      if (f < best_f)
        {
          best_f = f;
          memcpy (best, x, n * sizeof (float));
        }
      NsProgress pr = {
        .iteration = it, .iterations = iters, .level = level, .levels = r->levels,
        .width = lw, .height = lh, .evaluations = job->evaluations + r->ectx.evals,
        .content = terms.content, .style = terms.style, .tv = terms.tv, .total = f,
        .seconds = secs, .elapsed = (now - r->t0) / 1e6,
        .eta = r->sec_per_unit > 0 ? r->sec_per_unit * (r->total_work - r->done_work) : -1,
        .fraction = r->total_work > 0 ? MIN (1.0, r->done_work / r->total_work) : 1.0,
      };
      if (job->progress && !job->progress (&pr, job->progress_data))
        {
          reason = NS_STOP_CANCELLED;
          break;
        }
      if (job->snapshot && p->snapshot_every > 0 && it > 0 && it % p->snapshot_every == 0)
        {
          NsImage *snap = ns_image_new (lw, lh);
          if (snap)
            {
              if (planes == 3)
                ns_planar_to_interleaved (x, lw, lh, snap->data);
              else
                for (size_t q = 0; q < n; q++)
                  snap->data[3 * q] = snap->data[3 * q + 1] = snap->data[3 * q + 2] = x[q];
              job->snapshot (snap, &pr, job->snapshot_data);
              ns_image_free (snap);
            }
        }
      if (it >= iters)
        break;
      if (loss_stalled (job->history, level_start, p->tolerance_window, p->tolerance))
        {
          reason = NS_STOP_TOLERANCE;
          break;
        }
      int evals = 0;
      NsStepStatus st = ns_optimizer_step (opt, x, g, &f, counted_eval, &r->ectx, &evals);
      if (st != NS_STEP_OK)
        {
          reason = st == NS_STEP_NONFINITE ? NS_STOP_NONFINITE : NS_STOP_CONVERGED;
          break;
        }
      terms = ns_objective_last_terms (r->obj);
      if (fabs (terms.total - f) > 1e-6 * MAX (fabs (f), 1e-30))
        {
          /* the optimiser's last evaluation was not the accepted point */
          f = counted_eval (x, g, &r->ectx);
          terms = ns_objective_last_terms (r->obj);
        }
    }
  job->evaluations += r->ectx.evals;
  r->ectx.evals = 0;
  ns_optimizer_free (opt);
  g_free (g);
  return reason;
}

/* The result image at the job's working size from the best planar image of
 * the last level run (w x h): scaled if the run stopped on a coarse level or
 * was enlarged, colours preserved if asked. */
static NsImage *
finish (Run *r, const float *img, int w, int h, GError **error)
{
  NsJob *job = r->job;
  const int W = r->W, H = r->H;
  float *final = g_try_new (float, (gsize) 3 * W * H);
  float *content = planar_of (job->content, W, H);
  NsImage *result = NULL;
  if (final && content)
    {
      const int planes = image_planes (job);
      ns_planar_resize (img, planes, w, h, final, W, H);   /* a copy when w,h == W,H */
      if (planes == 1)       /* "luminance": Y with the content's Cb/Cr */
        for (int c = 1; c < 3; c++)
          memcpy (final + (size_t) c * W * H, final, (size_t) W * H * sizeof (float));
      if (job->params.preserve_colors || planes == 1)
        ns_preserve_colors (final, content, W, H);
      result = ns_image_new (W, H);
      if (result)
        ns_planar_to_interleaved (final, W, H, result->data);
      if (result && (W != job->work_w || H != job->work_h))
        {
          NsImage *small = ns_image_resize (result, job->work_w, job->work_h);
          ns_image_free (result);
          result = small;
        }
    }
  if (!result)
    g_set_error (error, NS_ERROR, NS_ERROR_NO_MEMORY, "out of memory (result image)");
  g_free (final);
  g_free (content);
  return result;
}

NsImage *
ns_job_run (NsJob *job, GError **error)
{
  const NsParams *p = &job->params;
  if (job->styles->len == 0)
    {
      g_set_error (error, NS_ERROR, NS_ERROR_INVALID_ARG, "no style image given");
      return NULL;
    }
  if (p->threads > 0)   /* both pools: OpenMP loops and OpenBLAS's GEMMs */
    {
      omp_set_num_threads (p->threads);
      openblas_set_num_threads (p->threads);
    }
  job->stop = NS_STOP_NONE;
  g_array_set_size (job->history, 0);
  job->evaluations = 0;
  int history, tile;
  if (!check_memory (job, &history, &tile, error))
    return NULL;

  Run r = { .job = job, .sec_per_unit = -1, .t0 = g_get_monotonic_time (),
            .history = history };
  r.obj = ns_objective_new (job->model, p, error);
  if (r.obj && !ns_objective_set_tiling (r.obj, tile, 0, error))
    g_clear_pointer (&r.obj, ns_objective_free);
  if (!r.obj)
    return NULL;
  memset (job->tiling, 0, sizeof job->tiling);
  r.ectx = (EvalCtx) { job, r.obj, 0 };

  /* Images smaller than the network's pooling are worked on enlarged (the
   * shorter side = the smallest the tapped layers allow) and the result is
   * scaled back to the requested working size; coarse levels that would be
   * too small are dropped. */
  r.min_side = ns_network_min_side (ns_objective_network (r.obj));
  r.W = job->work_w;
  r.H = job->work_h;
  enlarge_to_min_side (&r.W, &r.H, r.min_side);
  r.levels = ns_schedule_levels (p, r.W, r.H, ns_arch_info (job->model->arch)->auto_level_side);
  for (; r.levels > 1; r.levels--)
    {
      int cw, ch;
      ns_schedule_level_size (r.W, r.H, 1, r.levels, &cw, &ch);
      if (MIN (cw, ch) >= r.min_side)
        break;
    }
  for (int l = 1; l <= r.levels; l++)
    {
      int lw, lh;
      ns_schedule_level_size (r.W, r.H, l, r.levels, &lw, &lh);
      r.total_work += ns_schedule_level_iterations (p, r.W, r.H, l, r.levels)
        * ((double) lw * lh) / ((double) r.W * r.H);
    }

  float *prev = NULL;   /* best image of the previous level */
  int prev_w = 0, prev_h = 0;
  gboolean ok = TRUE;
  for (int level = 1; level <= r.levels && ok; level++)
    {
      int lw, lh;
      ns_schedule_level_size (r.W, r.H, level, r.levels, &lw, &lh);
      const int planes = image_planes (job);
      const size_t n = (size_t) planes * lw * lh;
      float *content = planar_of (job->content, lw, lh);
      if (content && planes == 1)
        ns_color_to_gray3 (content, (size_t) lw * lh);
      float *x = g_try_new (float, n), *best = g_try_new (float, n);
      ok = content && x && best && set_level_targets (&r, content, lw, lh, error);
      if (ok)
        {
          ns_objective_tiling (r.obj, &job->tiling[0], &job->tiling[1], &job->tiling[2],
                               &job->tiling[3]);
          if (level == 1)
            initial_image (job, content, lw, lh, x);
          else
            ns_planar_resize (prev, planes, prev_w, prev_h, x, lw, lh);
          g_clear_pointer (&content, g_free);   /* targets and x0 are set */
          job->stop = optimize_level (&r, level, lw, lh, x, best);
          ok = job->stop != NS_STOP_NONE;
        }
      g_free (content);
      g_free (x);
      if (ok)
        {
          g_free (prev);
          prev = best;
          prev_w = lw;
          prev_h = lh;
        }
      else
        g_free (best);
      if (job->stop == NS_STOP_CANCELLED || job->stop == NS_STOP_NONFINITE)
        break;
    }

  NsImage *result = NULL;
  if (ok && prev)
    result = finish (&r, prev, prev_w, prev_h, error);
  else if (error && !*error)
    g_set_error (error, NS_ERROR, NS_ERROR_NO_MEMORY,
                 "out of memory for a %dx%d working image", r.W, r.H);
  g_free (prev);
  ns_objective_free (r.obj);
  return result;
}
