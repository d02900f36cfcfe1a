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

/* Weight/bias of a conv by torchvision prefix ("features.0",
 * "features.3.squeeze", …): checked shape [O][I][kh][kw] and bias [O].
 * Returns g_malloc'd float copies (F16 converted). */
gboolean ns_model_get_conv (const NsModel *m, const char *prefix,
                            int out_c, int in_c, int kh, int kw,
                            float **weight, float **bias, GError **error);

#endif
