/* neural_style.h — public API of the Neural Style engine.
 *
 * Gatys et al., "Image Style Transfer Using Convolutional Neural Networks"
 * (CVPR 2016), in plain C on OpenBLAS + GLib.  No GIMP dependency.
 *
 * Typical use:
 *
 *   NsModel *m = ns_model_load ("vgg19.safetensors", &err);
 *   NsParams p;  ns_params_init (&p);
 *   NsJob *job = ns_job_new (m, content, &p, &err);
 *   ns_job_add_style (job, style, 1.0, 1.0, &err);
 *   ns_job_set_progress (job, on_progress, data);
 *   NsImage *out = ns_job_run (job, &err);      // NULL + err on failure
 *   ... ns_job_get_stop_reason (job), ns_job_get_history (job) ...
 *   ns_image_free (out); ns_job_free (job); ns_model_free (m);
 *
 * Images: NsImage holds width*height*3 floats, *interleaved* RGB
 * (R,G,B,R,G,B,… row by row, top row first), sRGB-encoded, nominal range
 * 0..1 (the same layout as babl's "R'G'B' float").
 *
 * Thread safety: an NsModel may be shared (read-only) by several jobs; one
 * NsJob must be used from one thread at a time.  The engine keeps no global
 * mutable state.
 */
#ifndef NEURAL_STYLE_H
#define NEURAL_STYLE_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

G_BEGIN_DECLS

#define NS_ERROR (ns_error_quark ())
GQuark ns_error_quark (void);

typedef enum
{
  NS_ERROR_IO,            /* file cannot be opened/read/mapped                   */
  NS_ERROR_FORMAT,        /* malformed model file (message names the problem)   */
  NS_ERROR_UNSUPPORTED,   /* unknown architecture, dtype, …                      */
  NS_ERROR_INVALID_ARG,   /* bad parameter or image (message names it)           */
  NS_ERROR_NO_MEMORY,     /* the job would exceed the memory limit / alloc fails */
  NS_ERROR_NUMERIC        /* non-finite values where none may be                 */
} NsErrorCode;

/* ---------------------------------------------------------------- images */

typedef struct
{
  int    width;
  int    height;
  float *data;     /* width*height*3, interleaved sRGB, 0..1 */
} NsImage;

NsImage *ns_image_new        (int width, int height);           /* zero-filled; NULL if too large */
NsImage *ns_image_copy       (const NsImage *src);
void     ns_image_free       (NsImage *img);
/* Resample to width x height (area average when shrinking, bilinear when
 * enlarging, separable).  Same size returns an exact copy. */
NsImage *ns_image_resize     (const NsImage *src, int width, int height);
/* Size whose longest side is `longest`, aspect kept (each side >= 1). */
void     ns_image_fit_size   (int width, int height, int longest, int *out_w, int *out_h);

/* ---------------------------------------------------------------- models */

typedef struct NsModel NsModel;

/* Open a safetensors file (memory-mapped).  Every structural problem is
 * detected here and reported as NS_ERROR_FORMAT / NS_ERROR_UNSUPPORTED. */
NsModel    *ns_model_load          (const char *path, GError **error);
void        ns_model_free          (NsModel *model);
/* "vgg19", "vgg16", "squeezenet1_1" or "googlenet_bvlc". */
const char *ns_model_architecture  (const NsModel *model);
/* Default layer lists for this architecture (comma separated). */
const char *ns_model_default_style_layers   (const NsModel *model);
const char *ns_model_default_content_layers (const NsModel *model); /* "primary,secondary" for content-weight-blend */
/* TRUE if `name` is a layer users may tap in this architecture. */
gboolean    ns_model_has_layer     (const NsModel *model, const char *name);
/* Classification (models with a classifier: googlenet_bvlc).  The input
 * side S (0: no classifier) and the class probabilities (softmax) of a
 * planar sRGB image [3][S][S], 0..1, into probs[0 .. n_classes-1]
 * (n_classes from ns_model_n_classes). */
int         ns_model_input_size    (const NsModel *model);
int         ns_model_n_classes     (const NsModel *model);
gboolean    ns_model_classify      (const NsModel *model, const float *image, float *probs,
                                    GError **error);

/* ------------------------------------------------------------ parameters */

typedef enum { NS_OPTIMIZER_LBFGS = 0, NS_OPTIMIZER_ADAM = 1 } NsOptimizerType;
typedef enum { NS_POOLING_MAX = 0, NS_POOLING_AVG = 1 } NsPoolingType;
/* Style loss: Gram matrices (Gatys et al.) or sliced Wasserstein (Heitz et al. 2021) */
typedef enum { NS_STYLE_LOSS_GRAM = 0, NS_STYLE_LOSS_SWD = 1 } NsStyleLossType;
/* Style balance (issue #20, README "Style balance"): off = every style
 * image weighs β·β_s; auto = β_s times a factor from the content's and the
 * style's Gram matrices at the style layers (engine/style_balance.h). */
typedef enum { NS_STYLE_BALANCE_OFF = 0, NS_STYLE_BALANCE_AUTO = 1 } NsStyleBalance;
typedef enum { NS_INIT_NOISE = 0, NS_INIT_CONTENT = 1, NS_INIT_IMAGE = 2 } NsInitType;
/* Colour control (Gatys et al. 2017, sec. 5): none; meancov = each style
 * recoloured to the content's RGB mean and covariance before its targets;
 * luminance = the transfer on luminance alone (the optimised image is one
 * channel Y; the output gets the content's chroma). */
typedef enum
{
  NS_COLOR_TRANSFER_NONE = 0, NS_COLOR_TRANSFER_MEANCOV = 1, NS_COLOR_TRANSFER_LUMINANCE = 2,
  NS_COLOR_TRANSFER_COUNT
} NsColorTransfer;

typedef struct
{
  /* objective:  L = content_weight*L_c + style_weight*L_s + tv_weight*L_tv */
  double content_weight;
  double style_weight;
  double tv_weight;
  double content_weight_blend;    /* b on primary content layer, 1-b on secondary */
  double style_layer_weight_exp;  /* w_k ∝ exp^k */
  char  *content_layers;          /* NULL = default (blend); owned by caller */
  char  *style_layers;            /* NULL = architecture default; owned by caller */
  NsPoolingType pooling;
  NsStyleLossType style_loss;     /* GRAM (default) or SWD; SWD's directions from seed */
  NsStyleBalance style_balance;   /* per-style weight factor (Gram loss only) */

  /* optimisation */
  NsOptimizerType optimizer;
  int    iterations;              /* per level; 0 = evaluate the initial image only */
  double tolerance;               /* 0 = off; stop when |L_{i-k}-L_i|/|L_i| < tol */
  int    tolerance_window;        /* k */
  int    lbfgs_history;           /* 0 (default) = automatic: 8, fewer (3..7) where the
                                   * job would exceed the memory limit */
  double learning_rate;           /* Adam */
  double beta1, beta2, epsilon;   /* Adam */

  /* initial image */
  NsInitType init;
  double initial_noiseblend;      /* x0 = (1-b)*init + b*noise */
  guint64 seed;

  /* output */
  gboolean preserve_colors;       /* stylised luminance + content chroma (YCbCr) */
  NsColorTransfer color_transfer; /* default none */
  int    size;                    /* longest side of the working image; 0 = as is */
  int    multires;                /* levels: 1 single scale, 0 automatic */

  int    threads;                 /* 0 = all cores */
  int    snapshot_every;          /* 0 = never */
  double memory_limit_mb;         /* 0 = default (a fraction of physical RAM) */
  int    tile_size;               /* tiled evaluation (exact; memory bounded by the
                                   * tile): core side in px; 0 = automatic, tiled
                                   * only where the memory limit needs it */
  int    detail_side;             /* multires levels with a longer side than this px are
                                   * detail passes from the upsampled level below:
                                   * detail_iterations each (README "Multi-resolution");
                                   * 0 = none, every level doubles */
  int    detail_iterations;       /* per detail level (at most `iterations`) */
} NsParams;

void ns_params_init (NsParams *params);   /* fill with documented defaults */

const char *ns_color_transfer_name      (NsColorTransfer mode);   /* "none", "meancov", "luminance" */
gboolean    ns_color_transfer_from_name (const char *name, NsColorTransfer *mode);

/* Limits of the parameters (ns_job_new refuses values beyond them). */
#define NS_MAX_ITERATIONS     100000   /* iterations (also per automatic level) */
#define NS_MAX_LBFGS_HISTORY  100      /* lbfgs_history */
#define NS_MAX_MULTIRES       8        /* multires levels */
#define NS_MAX_WORKING_SIDE   16384    /* size (also detail_side) */
/* Defaults of detail_side / detail_iterations (ns_params_init). */
#define NS_DEFAULT_DETAIL_SIDE        1024
#define NS_DEFAULT_DETAIL_ITERATIONS  10

/* Presets: measured points on the quality frontier (bench/quality.sh,
 * README "Presets"), from keeping the subject to moving the style in.
 * Applying one sets the objective's weights (α, β, γ) and the start image's
 * noise share and leaves every other field alone; balanced = the defaults.
 * The GIMP dialog and the CLI's --preset read this one table. */
typedef enum
{
  NS_PRESET_SUBTLE = 0, NS_PRESET_BALANCED = 1, NS_PRESET_STRONG = 2, NS_PRESET_COUNT
} NsPreset;

const char *ns_preset_name         (NsPreset preset);      /* "subtle", "balanced", "strong" */
const char *ns_preset_description  (NsPreset preset);      /* one line, English */
gboolean    ns_preset_from_name    (const char *name, NsPreset *preset);
void        ns_params_apply_preset (NsParams *params, NsPreset preset);

/* Working size of a width x height content image: longest side
 * params->size (0 = as is), aspect kept.  The job optimises at this size. */
void     ns_working_size     (const NsParams *params, int width, int height,
                              int *work_w, int *work_h);
/* Longest side a style image needs for a working size and its style scale:
 * twice the largest size the job resamples it to (scale x the working
 * size's longest side), at least 64.  ns_job_add_style shrinks larger
 * styles to this first; callers that read styles from big sources (GIMP
 * composites) may shrink them to it already, with the same result. */
int      ns_style_read_side  (int work_w, int work_h, double style_scale);

/* ----------------------------------------------------------------- jobs */

typedef enum
{
  NS_STOP_NONE = 0,
  NS_STOP_ITERATIONS,      /* reached the iteration count                   */
  NS_STOP_TOLERANCE,       /* the loss stopped changing                     */
  NS_STOP_CONVERGED,       /* gradient vanished / no further descent        */
  NS_STOP_CANCELLED,       /* progress callback returned FALSE              */
  NS_STOP_NONFINITE        /* loss or gradient became NaN/Inf               */
} NsStopReason;

const char *ns_stop_reason_to_string (NsStopReason reason);

typedef struct
{
  int    iteration;        /* accepted steps so far in this level (0 = initial image) */
  int    iterations;       /* planned steps in this level */
  int    level, levels;    /* 1-based multires level */
  int    width, height;    /* working size of this level */
  int    evaluations;      /* function evaluations so far (all levels) */
  double content, style, tv, total;  /* weighted terms α·L_c, β·L_s, γ·L_tv and sum */
  double seconds;          /* time spent on this iteration */
  double elapsed;          /* since ns_job_run started */
  double eta;              /* estimated seconds left (all levels), <0 unknown */
  double fraction;         /* 0..1 overall progress */
} NsProgress;

/* Return FALSE to cancel; the engine then returns the best image so far. */
typedef gboolean (*NsProgressFunc) (const NsProgress *progress, gpointer user_data);
/* Called every params.snapshot_every iterations with the current image
 * (working size of that level, colours not yet preserved). */
typedef void     (*NsSnapshotFunc) (const NsImage *image, const NsProgress *progress,
                                    gpointer user_data);

typedef struct NsJob NsJob;

/* The job reads the model's weights in place: keep the model open until
 * ns_job_free. */
NsJob   *ns_job_new           (NsModel *model, const NsImage *content,
                               const NsParams *params, GError **error);
/* weight: blend weight (>=0; weights are normalised to sum 1);
 * scale: style size relative to the working content size (>0). */
gboolean ns_job_add_style     (NsJob *job, const NsImage *style, double weight,
                               double scale, GError **error);
/* Regions (Gatys et al. 2017, sec. 4): the same with a mask image (any
 * size; gray = mean of R'G'B' clamped to 0..1, resized to each level's
 * working size) where the style applies: its Gram matrices on the content
 * are guided by the mask.  mask NULL = the whole image (= ns_job_add_style). */
gboolean ns_job_add_style_masked (NsJob *job, const NsImage *style, double weight,
                                  double scale, const NsImage *mask, GError **error);
/* Content strength map: the content loss at each pixel weighted by
 * c = 1 + (strength − 1)·m (m from the mask image as above; strength >= 0,
 * NS_CONTENT_MASK_STRENGTH by default in the front ends).  NULL: none. */
#define NS_CONTENT_MASK_STRENGTH 10.0
gboolean ns_job_set_content_mask (NsJob *job, const NsImage *mask, double strength,
                                  GError **error);
void     ns_job_set_init_image (NsJob *job, const NsImage *init);   /* for NS_INIT_IMAGE */
void     ns_job_set_progress  (NsJob *job, NsProgressFunc func, gpointer user_data);
void     ns_job_set_snapshot  (NsJob *job, NsSnapshotFunc func, gpointer user_data);

/* Style targets shared by several jobs (a batch of content images with the
 * same styles): each style image's Gram targets are computed once per size
 * it is resampled to and reused by every later job of that cache.  The key
 * covers the style's pixels, its size and the network (model, pooling,
 * style layers), so reuse never changes a result.  One cache serves one
 * thread at a time; it must outlive the jobs that use it. */
typedef struct NsStyleCache NsStyleCache;

NsStyleCache *ns_style_cache_new   (void);
void          ns_style_cache_free  (NsStyleCache *cache);
/* Targets computed (one per style image and size) and reused so far. */
void          ns_style_cache_counts (const NsStyleCache *cache, int *computed, int *reused);
void     ns_job_set_style_cache (NsJob *job, NsStyleCache *cache);

/* Estimated peak memory (bytes) of running this job as configured. */
guint64  ns_job_estimate_memory (const NsJob *job);

/* Run the optimisation.  Returns the result at the working size of the last
 * level (the best image found), or NULL with error set.  On cancel or a
 * non-finite loss the best image so far is returned and the stop reason says
 * why. */
NsImage *ns_job_run           (NsJob *job, GError **error);

NsStopReason ns_job_get_stop_reason (const NsJob *job);

/* One record per accepted iteration (and iteration 0 = initial image) of
 * every level, in order. */
typedef struct
{
  int    level;
  int    iteration;
  double content, style, tv, total;
  double seconds;
} NsIterationRecord;

const NsIterationRecord *ns_job_get_history (const NsJob *job, int *n_records);
int      ns_job_get_evaluations (const NsJob *job);
/* The tile grid of the last level run: tiles across and down, core side
 * and halo in px (1, 1, 0, 0: untiled). */
void     ns_job_get_tiling    (const NsJob *job, int *tiles_x, int *tiles_y, int *core,
                               int *halo);
void     ns_job_free          (NsJob *job);

/* Estimate peak memory (bytes) of a job on a width x height content image
 * with n_styles style images as large as the content (styles of unknown
 * size), without a job (for dialogs).  Both estimates plan on the shapes
 * only: no weights are read (~10 µs). */
guint64  ns_estimate_memory   (const NsModel *model, const NsParams *params,
                               int width, int height, int n_styles);

/* Rough wall-time estimate (seconds) of a whole job (FLOP count of the
 * schedule / the architecture's rate on the reference machine, scaled by
 * the instruction set; ns_estimate_seconds_at below for a measured speed). */
double   ns_estimate_seconds  (const NsModel *model, const NsParams *params,
                               int width, int height, int n_styles);
/* The same two with n_masked of the styles masked and an optional content
 * strength map (masks as large as the content). */
guint64  ns_estimate_memory_regions  (const NsModel *model, const NsParams *params,
                                      int width, int height, int n_styles, int n_masked,
                                      gboolean content_map);
double   ns_estimate_seconds_regions (const NsModel *model, const NsParams *params,
                                      int width, int height, int n_styles, int n_masked);

/* How fast this machine evaluates a model's objective: seconds per
 * evaluation = eval_fixed_s + eval_s_per_gflop × its GFLOP, plus
 * job_fixed_s once per job (network build, filter packing).  Measured by
 * ns_speed_measure (two short evaluations at 128 and 256 px: about 1 s for
 * VGG-19, 0.2 s for SqueezeNet on 2 cores; threads 0 = the current pools);
 * a caller may keep the two numbers (the plug-ins cache them per model). */
typedef struct
{
  double eval_fixed_s;
  double eval_s_per_gflop;
  double job_fixed_s;
} NsSpeed;

gboolean ns_speed_measure       (const NsModel *model, int threads, NsSpeed *speed,
                                 GError **error);
/* The time estimate at a measured speed (NULL: the reference machine, as
 * ns_estimate_seconds*); < 0 if it cannot be planned. */
double   ns_estimate_seconds_at (const NsModel *model, const NsParams *params,
                                 int width, int height, int n_styles, int n_masked,
                                 const NsSpeed *speed);

/* What a job on a width x height content would do about memory, without a
 * job (for dialogs; estimate_plan.c): the job's own rule (ns_job_new's
 * refusal and automatic choices), then the estimates with its choices.
 * Styles of unknown size count as large as the content, n_masked of them
 * masked, an optional content strength map. */
#define NS_PLAN_TILE_CORES 2048, 1536, 1024, 768, 512, 384, 256  /* automatic cores, px */
typedef struct
{
  int     work_w, work_h;    /* the working size */
  guint64 limit_bytes;       /* memory_limit_mb, else 70 % of physical RAM */
  int     lbfgs_history;     /* the L-BFGS pairs it runs with */
  int     tile;              /* tile core asked for or chosen (0: untiled) */
  int     tiles_x, tiles_y;  /* its grid at the working size (1, 1: untiled) */
  guint64 memory_bytes;      /* the estimate with these choices */
  gboolean fits;             /* memory_bytes <= limit_bytes (else ns_job_run refuses) */
  double  seconds;           /* the time estimate with them at `speed` (< 0 unknown) */
} NsEstimatePlan;

/* The memory limit of params in bytes (memory_limit_mb, else 70 % of RAM). */
guint64  ns_memory_limit_bytes (const NsParams *params);
/* Whether the objective can run tiled: a chain network, the Gram loss, no masks. */
gboolean ns_plan_tileable      (const NsModel *model, const NsParams *params, int n_masked,
                                gboolean content_map);
/* Fills *plan; FALSE (plan zeroed) when it cannot be planned. */
gboolean ns_estimate_plan      (const NsModel *model, const NsParams *params, int width,
                                int height, int n_styles, int n_masked, gboolean content_map,
                                const NsSpeed *speed, NsEstimatePlan *plan);

/* ---------------------------------------------------------- model lookup */

/* The model file to use when none is given explicitly.  Order:
 *   1. $NEURAL_STYLE_MODEL (a file path)
 *   2. the per-user data dir  $XDG_DATA_HOME/neural-style/models/ (~/.local/share/…)
 *   3. the system data dir    <prefix>/share/neural-style/models/
 * In each directory the first existing of default.safetensors,
 * vgg19.safetensors, vgg16.safetensors, squeezenet1_1.safetensors is used.
 * Returns a newly allocated path, or NULL with an error that says how to
 * install a model. */
char    *ns_model_find_default (GError **error);

/* ---------------------------------------------------------- process */

/* Call first thing in main() of a program that runs jobs: if
 * OMP_WAIT_POLICY is unset, sets it to PASSIVE and re-executes the program
 * with the same arguments (idle OpenMP threads then sleep instead of
 * spinning against OpenBLAS's threads; 25–45% faster on 2 cores).  Returns
 * normally when the variable is already set or exec is impossible. */
void     ns_process_init      (char **argv);
/* The instruction set the engine's own kernels run with on this machine:
 * "avx512", "avx2" or "generic"; the environment variable NS_ISA
 * (avx512|avx2|generic) lowers it, to see what a CPU without AVX-512/AVX2
 * gets (OpenBLAS: OPENBLAS_CORETYPE). */
const char *ns_kernel_isa     (void);

/* ---------------------------------------------------------- import */

/* Convert a torchvision .pth (zip + pickle) state_dict into a safetensors file
 * holding only the features.* tensors.  Never executes code from the input. */
gboolean ns_convert_pth       (const char *pth_path, const char *safetensors_path,
                               const char *architecture /* NULL = detect */,
                               GError **error);

G_END_DECLS

#endif /* NEURAL_STYLE_H */
