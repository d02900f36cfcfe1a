/* model.h — architectures (VGG-19, VGG-16, SqueezeNet 1.1), layer tables
 * and input preprocessing, built on a validated safetensors file. */
#ifndef NS_MODEL_H
#define NS_MODEL_H

#include "neural_style.h"
#include "safetensors.h"

typedef enum { NS_ARCH_VGG19, NS_ARCH_VGG16, NS_ARCH_SQUEEZENET1_1 } NsArch;

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

struct NsModel
{
  NsSafetensors *st;
  NsArch         arch;
  NsPreprocess   pre;
  char          *path;
};

/* ---- layer tables (arch.c) ------------------------------------------
 * Each architecture is a sequence of layers as torchvision's `features`
 * module runs them.  Users tap layers by `name`. */
typedef enum { NS_LAYER_CONV, NS_LAYER_RELU, NS_LAYER_POOL, NS_LAYER_FIRE } NsLayerKind;

typedef struct
{
  NsLayerKind kind;
  const char *name;     /* conv1_1, relu1_1, pool1 (VGG); conv1, relu1, pool1, fire2 (SqueezeNet) */
  const char *prefix;   /* tensor prefix: "features.0"; fire: "features.3" (+ ".squeeze" etc.) */
  int cin, cout;        /* conv: channels; fire: in and out (= e1 + e3) */
  int k, stride, pad;   /* conv / pool geometry */
  int ceil_mode;        /* pool */
  int squeeze, e1, e3;  /* fire: squeeze 1x1 -> ReLU -> [expand1x1 | expand3x3 (pad 1)] -> ReLU */
} NsLayerDesc;

const NsLayerDesc *ns_arch_layers (NsArch arch, int *n_layers);
const char        *ns_arch_name   (NsArch arch);                 /* "vgg19", … */
gboolean           ns_arch_from_name (const char *name, NsArch *arch);
int                 ns_arch_auto_level_side        (NsArch arch);   /* automatic multires floor */
const char        *ns_arch_default_style_layers   (NsArch arch);
const char        *ns_arch_default_content_layers (NsArch arch);  /* "primary,secondary" */

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

#endif
