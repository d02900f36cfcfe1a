/* model.h — the architecture table (VGG-19, VGG-16, SqueezeNet 1.1, BVLC
 * GoogLeNet), layer descriptions and input preprocessing, built on a
 * validated safetensors file. */
#ifndef NS_MODEL_H
#define NS_MODEL_H

#include "neural_style.h"
#include "safetensors.h"

/* Index into the architecture table (arch.c); the table's order is also
 * the order in which detection tries them. */
typedef enum
{
  NS_ARCH_VGG19, NS_ARCH_VGG16, NS_ARCH_SQUEEZENET1_1, NS_ARCH_GOOGLENET_BVLC, NS_ARCH_COUNT
} NsArch;

/* Maps the optimised image x (sRGB, 0..1, channel c = R,G,B) to the network
 * input:  in[k] = (x[perm[k]] * scale - mean[k]) / std[k]  (k in network
 * channel order, so perm = {2,1,0} for BGR networks). */
typedef struct
{
  int   perm[3];
  float scale;
  float mean[3];
  float std[3];
} NsPreprocess;

/* in = preprocess(x) for planar [3][hw] images, and the chain rule
 * back: dx (overwritten) = dL/dx given din = dL/din. */
void ns_preprocess_apply    (const NsPreprocess *p, const float *x, size_t hw, float *in);
void ns_preprocess_backward (const NsPreprocess *p, const float *din, size_t hw, float *dx);

struct NsModel
{
  NsSafetensors *st;
  NsArch         arch;
  NsPreprocess   pre;
  char          *path;
};

/* ---- the architecture table (arch.c) ---------------------------------
 * Each architecture is one entry: its layers in a topological order (as
 * torchvision's `features` module or Caffe's deploy.prototxt runs them),
 * default layers, multires floor, how to recognise it.  Users tap layers by
 * `name`.  Chain architectures leave `bottom` empty (each layer reads the
 * one before); graph architectures name their inputs. */
typedef enum
{
  NS_LAYER_CONV, NS_LAYER_RELU, NS_LAYER_POOL, NS_LAYER_FIRE,
  NS_LAYER_LRN, NS_LAYER_CONCAT, NS_LAYER_FC, NS_LAYER_SOFTMAX
} NsLayerKind;

#define NS_LAYER_MAX_BOTTOMS 4

typedef struct
{
  NsLayerKind kind;
  const char *name;     /* conv1_1, relu1_1, pool1 (VGG); fire2 (SqueezeNet);
                         * conv2/3x3, inception_3a/output (GoogLeNet: Caffe blob names) */
  const char *prefix;   /* tensor prefix: "features.0"; fire: "features.3" (+ ".squeeze" etc.) */
  int cin, cout;        /* conv/fc: channels; fire: in and out (= e1 + e3); concat: out */
  int k, stride, pad;   /* conv / pool geometry; LRN: local size */
  int ceil_mode;        /* pool */
  int squeeze, e1, e3;  /* fire: squeeze 1x1 -> ReLU -> [expand1x1 | expand3x3 (pad 1)] -> ReLU */
  int relu;             /* conv: ReLU in place after it (Caffe's in-place ReLU: the
                         * blob `name` is the rectified output) */
  int avg;              /* pool: always average (whatever the pooling option) */
  float alpha, beta, lrn_k;                   /* LRN (Caffe's formula, ops/lrn.h) */
  const char *bottom[NS_LAYER_MAX_BOTTOMS];   /* graph: input layers ("data": the
                                               * image); NULL: the layer before */
} NsLayerDesc;

typedef struct
{
  const char *name;              /* "vgg19": __metadata__ "architecture" */
  const NsLayerDesc *layers;
  int n_layers;
  const char *style_layers;      /* defaults */
  const char *content_layers;    /* "primary,secondary" */
  int auto_level_side;           /* automatic multires floor */
  const char *signature;         /* a tensor only this architecture has, tried in
                                  * table order (files without "architecture") */
  int graph;                     /* layers name their bottoms (branches, concat) */
  int torchvision;               /* the .pth importer recognises it */
  int input_size;                /* classifier input side (0: no classifier) */
  double est_gflops;             /* effective rate of the time estimate on the
                                  * reference machine (engine/estimate.c) */
} NsArchInfo;

/* The weighted sub-layers of a layer, stated once: CONV one, FIRE three
 * (squeeze, expand1x1, expand3x3), FC one (dense: weight [cout][cin]). */
typedef struct
{
  char prefix[96];
  int cout, cin, k, stride, pad;
  int dense;
} NsConvDesc;

const NsArchInfo  *ns_arch_info   (NsArch arch);
const NsLayerDesc *ns_arch_layers (NsArch arch, int *n_layers);
const char        *ns_arch_name   (NsArch arch);                 /* "vgg19", … */
gboolean           ns_arch_from_name (const char *name, NsArch *arch);
/* "vgg19, vgg16, squeezenet1_1, googlenet_bvlc" (static) */
const char        *ns_arch_names  (void);
int                ns_layer_convs (const NsLayerDesc *l, NsConvDesc convs[3]);

/* Weight/bias of a conv by torchvision prefix ("features.0",
 * "features.3.squeeze", …): checked shape [O][I][kh][kw] and bias [O].
 * Returns g_malloc'd float copies (F16 converted). */
gboolean ns_model_get_conv (const NsModel *m, const char *prefix,
                            int out_c, int in_c, int kh, int kw,
                            float **weight, float **bias, GError **error);
/* The same without copying when the file allows (ns_st_view_f32): *weight
 * and *bias point into the model's mapping (valid while the model is open)
 * or at copies, which are also returned in *owned_w / *owned_b (else NULL)
 * for the caller to free. */
gboolean ns_model_view_conv (const NsModel *m, const char *prefix,
                             int out_c, int in_c, int kh, int kw,
                             const float **weight, const float **bias,
                             float **owned_w, float **owned_b, GError **error);

/* The same for one weighted sub-layer of the table (ns_layer_convs). */
gboolean ns_model_view_weights (const NsModel *m, const NsConvDesc *c,
                                const float **weight, const float **bias,
                                float **owned_w, float **owned_b, GError **error);

#endif
