/* judge.h — the `judge` subcommand (judge.c): does a stylised picture keep
 * its subject, and how far has the style moved in?  Both figures come from
 * BVLC GoogLeNet, a network the style transfer never optimises with.
 *
 *  content rank: the best rank (1 = top) that any of CONTENT's top-5
 *                classes reaches among OUTPUT's class probabilities;
 *                kept = rank <= 10.
 *  style gain:   1 - d(OUTPUT, STYLE) / d(CONTENT, STYLE), with
 *                d(a, b) = mean over the four layers L of
 *                ||G_L(a) - G_L(b)||_F^2 / ||G_L(b)||_F^2,
 *                G_L = F F^T / (H W) of the ReLU'd activations F [C][HW].
 *                0: no style moved in; 1: the style's statistics reached.
 *
 * Every image is preprocessed as the classifier was trained (Caffe: warp to
 * 256x256, centre crop 224; the model's own mean/BGR order).
 */
#ifndef NS_JUDGE_H
#define NS_JUDGE_H

#include "neural_style.h"

#define NS_JUDGE_N_LAYERS 4
#define NS_JUDGE_TOP 5        /* CONTENT's classes that count */
#define NS_JUDGE_KEPT_RANK 10

extern const char *const ns_judge_layers[NS_JUDGE_N_LAYERS];

typedef struct NsJudge NsJudge;

/* What the judge sees of one image. */
typedef struct
{
  int     n_classes;
  float  *probs;                       /* [n_classes] */
  int     C[NS_JUDGE_N_LAYERS];
  double *gram[NS_JUDGE_N_LAYERS];     /* [C][C] */
} NsJudgeView;

NsJudge     *ns_judge_new       (const char *model_path, GError **error);
void         ns_judge_free      (NsJudge *judge);
NsJudgeView *ns_judge_view      (NsJudge *judge, const NsImage *img, GError **error);
void         ns_judge_view_free (NsJudgeView *view);

/* G = F F^T / HW for F [C][HW] (G: [C][C], double). */
void   ns_judge_gram          (const float *F, int C, int HW, double *G);
/* ||Ga - Gb||_F^2 / ||Gb||_F^2 (C x C). */
double ns_judge_gram_distance (const double *Ga, const double *Gb, int C);
/* d(a, b): the mean of the above over the four layers. */
double ns_judge_style_distance (const NsJudgeView *a, const NsJudgeView *b);
/* 1 - d(output, style) / d(content, style); 0 when d(content, style) = 0. */
double ns_judge_style_gain    (const NsJudgeView *content, const NsJudgeView *style,
                               const NsJudgeView *output);
/* Best rank (1 = top) among `output` of any of the `top` most probable
 * classes of `content`; ties count in the class's favour. */
int    ns_judge_content_rank  (const float *content, const float *output, int n, int top);

/* argv[1] is "judge"; gegl_init() must have been called. */
int ns_cmd_judge (int argc, char **argv);

#endif
