/* objective_private.h — (private to the driver) the objective's state,
 * shared by objective.c (targets, untiled evaluation) and objective_tiled.c
 * (the exact tiled evaluation, issue 18). */
#ifndef NS_OBJECTIVE_PRIVATE_H
#define NS_OBJECTIVE_PRIVATE_H

#include "objective.h"
#include "edge_pad.h"
#include "loss_swd.h"
#include "regions.h"

typedef struct NsObjTiling NsObjTiling;

typedef struct
{
  int     tap;
  double  weight;          /* b_l or w_k */
} LayerUse;

typedef struct
{
  float  *gram;            /* C x C */
  double  norm_sq;         /* ‖A‖²_F; SWD: mean of the sorted projections² */
  float  *sorted;          /* SWD: sorted projections [C][n] (loss_swd.h) */
  int     n;               /* SWD: pixels of the style's map */
} StyleTarget;

struct NsObjective
{
  NsNetwork *net;
  NsArch     arch;
  char     **taps;          /* unique layer names; index = tap */
  int        n_taps;
  LayerUse  *content;
  int        n_content;
  LayerUse  *style;
  int        n_style;
  double     alpha, beta, gamma;
  gboolean   balance;       /* style balance rule on (style_balance.h) */
  float    **content_gram;  /* balance: per style layer, G_k(content) C x C */
  double    *balance_f;     /* balance: per style image, the factor on β_s */
  NsStyleLossType style_loss;
  guint64    seed;
  float    **swd_dir;       /* SWD, per style layer: directions V [C][C] */
  float    **swd_grad;      /* SWD, per style layer: dL/dY [C][h*w] at the working size */
  NsSwdPair *swd_pairs;     /* SWD: sort scratch, 2 x largest h*w */
  int       *swd_n_tmp;

  int        W, H;          /* content (working) size */
  /* Edge padding (edge_pad.h): the network sees the working image
   * extended by pad_w columns and pad_h rows, reflected, so that every
   * pixel reaches a tap; xpad / gpad: that image and its gradient
   * [3][H + pad_h][W + pad_w] (NULL while both pads are 0). */
  NsAxisWindow *axis;
  int        n_axis;
  int        pad_w, pad_h;
  float     *xpad, *gpad;
  float    **content_feat;  /* per content layer: F_l(c) */
  double    *content_msq;   /* mean(F_l(c)²) */
  GPtrArray *style_targets; /* per style image: StyleTarget[n_style] */
  GArray    *style_beta;    /* raw blend weights */
  float     *gram_ws;       /* largest C x C */
  size_t     gram_ws_floats;

  /* per evaluation */
  double    *content_gscale;/* per content layer: dL/dF = gscale (F - P) */
  float    **style_op;      /* per style layer: D (C x C), dL/dF = D F */
  double    *beta_norm;     /* normalised β_s */
  const float **targets_tmp;
  double    *norms_tmp;
  double    *betas_tmp;
  NsLossTerms last;

  NsRegions *regions;       /* style masks, content strength map */
  int       *style_taps, *content_taps;   /* tap per style / content layer */
  gboolean   luma;          /* x is Y [H][W]; y3 / g3: (Y, Y, Y) and its gradient */
  float     *y3, *g3;

  NsObjTiling *tiling;      /* tiled evaluation (objective_tiled.c); NULL: never asked */
  gboolean   tiled;         /* this level runs tiled (more than one tile) */
};

/* objective_tiled.c */
void     ns_obj_tiling_free (NsObjTiling *t, int n_style);
/* Whether the working size (padded) runs tiled: sets obj->tiled, builds
 * the grid and its buffers. */
gboolean ns_obj_tiling_level (NsObjective *obj, GError **error);
gboolean ns_obj_tiled_content (NsObjective *obj, const float *content, GError **error);
/* Gram matrices G = F Fᵀ / N of the style layers of a sw x sh image, tile
 * by tile; gram[k]: C x C each.  FALSE (no error) when one tile covers it. */
gboolean ns_obj_tiled_style_grams (NsObjective *obj, const float *style, int sw, int sh,
                                   float **gram, gboolean *done, GError **error);
double   ns_obj_tiled_eval (NsObjective *obj, const float *x, float *g);
gboolean ns_obj_tiled_check (NsObjective *obj, GError **error);

#endif
