/* arch.c — layer tables of the supported architectures (torchvision order).
 *
 * VGG (Simonyan & Zisserman 2015): 3x3 convs, pad 1, ReLU after each, 2x2/2
 * pooling after each block.  SqueezeNet 1.1 (Iandola et al. 2016): conv1
 * 3x3/2 no pad, ReLU, 3x3/2 ceil-mode pooling, Fire modules.
 */
#include "model.h"

#include <string.h>

#define CONV(n, p, ci, co)  { NS_LAYER_CONV, n, p, ci, co, 3, 1, 1, 0, 0, 0, 0 }
#define RELU(n, c)          { NS_LAYER_RELU, n, NULL, c, c, 0, 0, 0, 0, 0, 0, 0 }
#define VPOOL(n, c)         { NS_LAYER_POOL, n, NULL, c, c, 2, 2, 0, 0, 0, 0, 0 }
#define SPOOL(n, c)         { NS_LAYER_POOL, n, NULL, c, c, 3, 2, 0, 1, 0, 0, 0 }
#define FIRE(n, p, ci, s, e) { NS_LAYER_FIRE, n, p, ci, 2 * (e), 0, 0, 0, 0, s, e, e }

static const NsLayerDesc vgg19_layers[] = {
  CONV ("conv1_1", "features.0", 3, 64),     RELU ("relu1_1", 64),
  CONV ("conv1_2", "features.2", 64, 64),    RELU ("relu1_2", 64),   VPOOL ("pool1", 64),
  CONV ("conv2_1", "features.5", 64, 128),   RELU ("relu2_1", 128),
  CONV ("conv2_2", "features.7", 128, 128),  RELU ("relu2_2", 128),  VPOOL ("pool2", 128),
  CONV ("conv3_1", "features.10", 128, 256), RELU ("relu3_1", 256),
  CONV ("conv3_2", "features.12", 256, 256), RELU ("relu3_2", 256),
  CONV ("conv3_3", "features.14", 256, 256), RELU ("relu3_3", 256),
  CONV ("conv3_4", "features.16", 256, 256), RELU ("relu3_4", 256),  VPOOL ("pool3", 256),
  CONV ("conv4_1", "features.19", 256, 512), RELU ("relu4_1", 512),
  CONV ("conv4_2", "features.21", 512, 512), RELU ("relu4_2", 512),
  CONV ("conv4_3", "features.23", 512, 512), RELU ("relu4_3", 512),
  CONV ("conv4_4", "features.25", 512, 512), RELU ("relu4_4", 512),  VPOOL ("pool4", 512),
  CONV ("conv5_1", "features.28", 512, 512), RELU ("relu5_1", 512),
  CONV ("conv5_2", "features.30", 512, 512), RELU ("relu5_2", 512),
  CONV ("conv5_3", "features.32", 512, 512), RELU ("relu5_3", 512),
  CONV ("conv5_4", "features.34", 512, 512), RELU ("relu5_4", 512),  VPOOL ("pool5", 512),
};

static const NsLayerDesc vgg16_layers[] = {
  CONV ("conv1_1", "features.0", 3, 64),     RELU ("relu1_1", 64),
  CONV ("conv1_2", "features.2", 64, 64),    RELU ("relu1_2", 64),   VPOOL ("pool1", 64),
  CONV ("conv2_1", "features.5", 64, 128),   RELU ("relu2_1", 128),
  CONV ("conv2_2", "features.7", 128, 128),  RELU ("relu2_2", 128),  VPOOL ("pool2", 128),
  CONV ("conv3_1", "features.10", 128, 256), RELU ("relu3_1", 256),
  CONV ("conv3_2", "features.12", 256, 256), RELU ("relu3_2", 256),
  CONV ("conv3_3", "features.14", 256, 256), RELU ("relu3_3", 256),  VPOOL ("pool3", 256),
  CONV ("conv4_1", "features.17", 256, 512), RELU ("relu4_1", 512),
  CONV ("conv4_2", "features.19", 512, 512), RELU ("relu4_2", 512),
  CONV ("conv4_3", "features.21", 512, 512), RELU ("relu4_3", 512),  VPOOL ("pool4", 512),
  CONV ("conv5_1", "features.24", 512, 512), RELU ("relu5_1", 512),
  CONV ("conv5_2", "features.26", 512, 512), RELU ("relu5_2", 512),
  CONV ("conv5_3", "features.28", 512, 512), RELU ("relu5_3", 512),  VPOOL ("pool5", 512),
};

static const NsLayerDesc squeezenet_layers[] = {
  { NS_LAYER_CONV, "conv1", "features.0", 3, 64, 3, 2, 0, 0, 0, 0, 0 },
  RELU ("relu1", 64),
  SPOOL ("pool1", 64),
  FIRE ("fire2", "features.3", 64, 16, 64),
  FIRE ("fire3", "features.4", 128, 16, 64),
  SPOOL ("pool3", 128),
  FIRE ("fire4", "features.6", 128, 32, 128),
  FIRE ("fire5", "features.7", 256, 32, 128),
  SPOOL ("pool5", 256),
  FIRE ("fire6", "features.9", 256, 48, 192),
  FIRE ("fire7", "features.10", 384, 48, 192),
  FIRE ("fire8", "features.11", 384, 64, 256),
  FIRE ("fire9", "features.12", 512, 64, 256),
};

const NsLayerDesc *
ns_arch_layers (NsArch arch, int *n_layers)
{
  switch (arch)
    {
    case NS_ARCH_VGG19:
      *n_layers = G_N_ELEMENTS (vgg19_layers);
      return vgg19_layers;
    case NS_ARCH_VGG16:
      *n_layers = G_N_ELEMENTS (vgg16_layers);
      return vgg16_layers;
    case NS_ARCH_SQUEEZENET1_1:
    default:
      *n_layers = G_N_ELEMENTS (squeezenet_layers);
      return squeezenet_layers;
    }
}

const char *
ns_arch_name (NsArch arch)
{
  switch (arch)
    {
    case NS_ARCH_VGG19: return "vgg19";
    case NS_ARCH_VGG16: return "vgg16";
    case NS_ARCH_SQUEEZENET1_1:
    default: return "squeezenet1_1";
    }
}

gboolean
ns_arch_from_name (const char *name, NsArch *arch)
{
  static const struct { const char *name; NsArch arch; } names[] = {
    { "vgg19", NS_ARCH_VGG19 }, { "vgg16", NS_ARCH_VGG16 },
    { "squeezenet1_1", NS_ARCH_SQUEEZENET1_1 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (name, names[i].name) == 0)
      {
        *arch = names[i].arch;
        return TRUE;
      }
  return FALSE;
}

/* Style layers: the first ReLU of each VGG block (Gatys et al. 2016, Fig. 2).
 * SqueezeNet: the first ReLU and the Fire modules of the first three
 * resolutions (a similar spread of receptive fields; fire7 and deeper add
 * little but blotches at 256 px — compared in docs/gallery). */
/* Automatic multires: levels are added while the coarsest side stays at
 * least this.  VGG: 128 px (bench/README.md: at 512 px, 3 levels x 50
 * iterations beat 500 single-scale iterations in 21% of the time).
 * SqueezeNet pools to 1/16 by fire5, so below 256 px its content layers
 * hold too little and the result loses the content's shapes. */
int
ns_arch_auto_level_side (NsArch arch)
{
  return arch == NS_ARCH_SQUEEZENET1_1 ? 256 : 128;
}

const char *
ns_arch_default_style_layers (NsArch arch)
{
  if (arch == NS_ARCH_SQUEEZENET1_1)
    return "relu1,fire2,fire3,fire4,fire5";
  return "relu1_1,relu2_1,relu3_1,relu4_1,relu5_1";
}

/* Content: relu4_2 (Gatys) blended with relu5_2 (anishathalye/neural-style).
 * SqueezeNet: fire5 (end of the 1/8-resolution block) blended with fire7. */
const char *
ns_arch_default_content_layers (NsArch arch)
{
  if (arch == NS_ARCH_SQUEEZENET1_1)
    return "fire5,fire7";
  return "relu4_2,relu5_2";
}
