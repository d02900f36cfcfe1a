/* objective.h — the Gatys objective L = α·L_c + β·L_s + γ·L_tv over the
 * optimised image x (planar sRGB [3][H][W], 0..1), with its gradient.
 *
 * Layer weights: content layers b_l (content-weight-blend or 1/n), style
 * layers w_k = e^k / Σ_j e^j (e = style-layer-weight-exp), style images
 * β_s normalised to sum 1.  Targets are set per working size.
 */
#ifndef NS_OBJECTIVE_H
#define NS_OBJECTIVE_H

#include "network.h"

typedef struct NsObjective NsObjective;

typedef struct
{
  double content, style, tv, total;   /* weighted terms */
} NsLossTerms;

NsObjective *ns_objective_new       (const NsModel *model, const NsParams *params,
                                     GError **error);
/* For estimates only (ns_objective_memory_bytes, ns_objective_network's
 * FLOPs): a plan-only network, no weights read, nothing to evaluate. */
NsObjective *ns_objective_new_plan  (const NsModel *model, const NsParams *params,
                                     GError **error);
void         ns_objective_free      (NsObjective *obj);
/* Only the layer-name checks of ns_objective_new (no weights are read). */
gboolean     ns_objective_check_layers (const NsModel *model, const NsParams *params,
                                        GError **error);
/* Content target at W x H (planar content image of that size).  The
 * network sees this and every evaluated image padded at the bottom/right
 * by reflection where needed for every pixel to reach a tap (edge_pad.h). */
gboolean     ns_objective_set_content (NsObjective *obj, const float *content, int W, int H,
                                       GError **error);
/* Forget style targets (before a new level). */
void         ns_objective_clear_styles (NsObjective *obj);
/* Add a style target: planar image of sw x sh with blend weight beta (raw). */
gboolean     ns_objective_add_style (NsObjective *obj, const float *style, int sw, int sh,
                                     double beta, GError **error);
/* The same with a mask at the content size W x H (0..1; NULL = the whole
 * image): a guided Gram term (regions.h).  Call after set_content. */
gboolean     ns_objective_add_style_masked (NsObjective *obj, const float *style, int sw,
                                            int sh, double beta, const float *mask,
                                            GError **error);
/* Content strength map of this level: mask at W x H (NULL: none) and
 * strength S (c = 1 + (S − 1) m).  Call after set_content. */
gboolean     ns_objective_set_content_map (NsObjective *obj, const float *mask,
                                           double strength, GError **error);
/* Style targets as data (for NsStyleCache): the number of style layers,
 * the Gram matrix (C x C) of style layer k of the s-th added style image,
 * and adding a style image by its Gram matrices (copied) instead of its
 * pixels; the same targets as ns_objective_add_style of that image. */
int          ns_objective_n_styles (const NsObjective *obj);
int          ns_objective_n_style_layers (const NsObjective *obj);
const float *ns_objective_style_gram (const NsObjective *obj, int s, int k, int *C);
gboolean     ns_objective_add_style_grams (NsObjective *obj, const float *const *grams,
                                           const int *C, double beta, GError **error);
/* Prepare the network for evaluating images of the content size (and the
 * masks at every tap, once per level). */
gboolean     ns_objective_ready     (NsObjective *obj, GError **error);
/* NsObjectiveFunc: f(x) and g = ∇f.  x is planar RGB [3][H][W], or with
 * colour transfer "luminance" one plane Y [H][W] that the network sees as
 * (Y, Y, Y); set_content / add_style then take (Y, Y, Y) images. */
double       ns_objective_eval      (const float *x, float *g, void *obj);
/* The columns / rows the network's input gets beyond a W x H working
 * image (0, 0: it sees the image as it is). */
void         ns_objective_edge_pad  (const NsObjective *obj, int W, int H, int *pad_w,
                                     int *pad_h);
/* Tiled evaluation (objective_tiled.c; exact, memory bounded by the tile):
 * cores of at most `core` px (0: off), halo `halo` px (0: the one derived
 * from the architecture, net/tiles.h; tests pass a smaller one on purpose).
 * Call before set_content; levels one tile covers run untiled.  Graph
 * networks (GoogLeNet) are refused. */
gboolean     ns_objective_set_tiling (NsObjective *obj, int core, int halo, GError **error);
/* The grid of the current level: tiles across and down (1, 1: untiled),
 * core side and halo in px (0, 0: untiled). */
void         ns_objective_tiling    (const NsObjective *obj, int *nx, int *ny, int *core,
                                     int *halo);
/* Bytes a tiled evaluation with cores of `core` px needs at W x H (the
 * network at the largest tile, tile buffers, global Grams, content targets
 * and the rest ns_objective_memory_bytes counts); 0 when one tile covers
 * W x H or the network cannot be tiled. */
guint64      ns_objective_tiled_memory_bytes (NsObjective *obj, int W, int H, int n_styles,
                                              int core);
/* FLOPs of one forward pass over every tile (core + halo) of that grid;
 * 0 when untiled.  A tiled evaluation runs two forwards and one backward
 * per tile (objective_tiled.c). */
double       ns_objective_tiled_forward_flops (NsObjective *obj, int W, int H, int core);
/* Tiles across and down of that grid (1, 1: one tile covers W x H, or
 * the network cannot be tiled). */
void         ns_objective_tiled_grid (NsObjective *obj, int W, int H, int core, int *nx,
                                      int *ny);
/* Terms of the most recent evaluation. */
NsLossTerms  ns_objective_last_terms (const NsObjective *obj);
NsNetwork   *ns_objective_network   (NsObjective *obj);
/* Bytes the network buffers and the targets (content features, n_styles
 * Gram matrices per style layer) need at W x H; 0 if W x H is too small. */
guint64      ns_objective_memory_bytes (NsObjective *obj, int W, int H, int n_styles);

/* Whether x is one plane Y (colour transfer "luminance"). */
gboolean     ns_objective_luminance (const NsObjective *obj);
/* Bytes the masks (n_masked styles, a content map) and the luminance
 * buffers need at W x H beyond ns_objective_memory_bytes. */
guint64      ns_objective_regions_bytes (NsObjective *obj, int W, int H, int n_masked,
                                         gboolean content_map);

/* Parse "a,b,c" into a NULL-terminated vector of trimmed names (NULL if empty). */
char       **ns_parse_layer_list    (const char *list);

#endif
