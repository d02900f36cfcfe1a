/* arch.c — the architecture table: one entry per supported network.
 *
 * VGG (Simonyan & Zisserman 2015): 3x3 convs, pad 1, ReLU after each, 2x2/2
 * pooling after each block.  SqueezeNet 1.1 (Iandola et al. 2016): conv1
 * 3x3/2 no pad, ReLU, 3x3/2 ceil-mode pooling, Fire modules.  BVLC GoogLeNet
 * (Szegedy et al. 2015, Caffe's bvlc_googlenet deploy.prototxt): 7x7/2 conv,
 * 3x3/2 ceil-mode max pools, LRN, nine Inception modules, 7x7 average pool,
 * classifier.  The GoogLeNet topology is embedded here rather than read from
 * googlenet_bvlc.layers.json at run time: the model file alone then
 * suffices (as for VGG), a JSON that went missing or astray cannot change
 * the network, and tests/test_googlenet.c checks this table against the
 * JSON (names, kinds, bottoms, shapes at 224 px).
 *
 * Adding a VGG-like network is one table: its layer list and one entry in
 * `archs` below (tests/test_model.c adds VGG-11 that way).
 */
#include "model.h"

#include <string.h>

#define CONV(n, p, ci, co)  { .kind = NS_LAYER_CONV, .name = n, .prefix = p, .cin = ci, \
                              .cout = co, .k = 3, .stride = 1, .pad = 1 }
#define RELU(n, c)          { .kind = NS_LAYER_RELU, .name = n, .cin = c, .cout = c }
#define VPOOL(n, c)         { .kind = NS_LAYER_POOL, .name = n, .cin = c, .cout = c, .k = 2, \
                              .stride = 2 }
#define SPOOL(n, c)         { .kind = NS_LAYER_POOL, .name = n, .cin = c, .cout = c, .k = 3, \
                              .stride = 2, .ceil_mode = 1 }
#define FIRE(n, p, ci, s, e) { .kind = NS_LAYER_FIRE, .name = n, .prefix = p, .cin = ci, \
                               .cout = 2 * (e), .squeeze = s, .e1 = e, .e3 = e }

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
  { .kind = NS_LAYER_CONV, .name = "conv1", .prefix = "features.0", .cin = 3, .cout = 64,
    .k = 3, .stride = 2 },
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

/* GoogLeNet: Caffe layer names (tensors "<name>.weight"); every conv has an
 * in-place ReLU; pools round up (Caffe). */
#define GCONV(n, b, ci, co, k_, s, p) { .kind = NS_LAYER_CONV, .name = n, .prefix = n, \
    .cin = ci, .cout = co, .k = k_, .stride = s, .pad = p, .relu = 1, .bottom = { b } }
#define GPOOL(n, b, c, k_, s, p, a) { .kind = NS_LAYER_POOL, .name = n, .cin = c, .cout = c, \
    .k = k_, .stride = s, .pad = p, .ceil_mode = 1, .avg = a, .bottom = { b } }
#define LRN(n, b, c) { .kind = NS_LAYER_LRN, .name = n, .cin = c, .cout = c, .k = 5, \
    .alpha = 1e-4f, .beta = 0.75f, .lrn_k = 1.0f, .bottom = { b } }
/* Inception module N on bottom B: 1x1 | 1x1 -> 3x3 | 1x1 -> 5x5 | 3x3/1 max
 * pool -> 1x1, concatenated along channels in that order. */
#define INCEPTION(N, B, ci, c1, c3r, c3, c5r, c5, pp) \
  GCONV (N "/1x1", B, ci, c1, 1, 1, 0), \
  GCONV (N "/3x3_reduce", B, ci, c3r, 1, 1, 0), \
  GCONV (N "/3x3", N "/3x3_reduce", c3r, c3, 3, 1, 1), \
  GCONV (N "/5x5_reduce", B, ci, c5r, 1, 1, 0), \
  GCONV (N "/5x5", N "/5x5_reduce", c5r, c5, 5, 1, 2), \
  GPOOL (N "/pool", B, ci, 3, 1, 1, 0), \
  GCONV (N "/pool_proj", N "/pool", ci, pp, 1, 1, 0), \
  { .kind = NS_LAYER_CONCAT, .name = N "/output", .cin = ci, .cout = (c1) + (c3) + (c5) + (pp), \
    .bottom = { N "/1x1", N "/3x3", N "/5x5", N "/pool_proj" } }

static const NsLayerDesc googlenet_layers[] = {
  GCONV ("conv1/7x7_s2", "data", 3, 64, 7, 2, 3),
  GPOOL ("pool1/3x3_s2", "conv1/7x7_s2", 64, 3, 2, 0, 0),
  LRN ("pool1/norm1", "pool1/3x3_s2", 64),
  GCONV ("conv2/3x3_reduce", "pool1/norm1", 64, 64, 1, 1, 0),
  GCONV ("conv2/3x3", "conv2/3x3_reduce", 64, 192, 3, 1, 1),
  LRN ("conv2/norm2", "conv2/3x3", 192),
  GPOOL ("pool2/3x3_s2", "conv2/norm2", 192, 3, 2, 0, 0),
  INCEPTION ("inception_3a", "pool2/3x3_s2", 192, 64, 96, 128, 16, 32, 32),
  INCEPTION ("inception_3b", "inception_3a/output", 256, 128, 128, 192, 32, 96, 64),
  GPOOL ("pool3/3x3_s2", "inception_3b/output", 480, 3, 2, 0, 0),
  INCEPTION ("inception_4a", "pool3/3x3_s2", 480, 192, 96, 208, 16, 48, 64),
  INCEPTION ("inception_4b", "inception_4a/output", 512, 160, 112, 224, 24, 64, 64),
  INCEPTION ("inception_4c", "inception_4b/output", 512, 128, 128, 256, 24, 64, 64),
  INCEPTION ("inception_4d", "inception_4c/output", 512, 112, 144, 288, 32, 64, 64),
  INCEPTION ("inception_4e", "inception_4d/output", 528, 256, 160, 320, 32, 128, 128),
  GPOOL ("pool4/3x3_s2", "inception_4e/output", 832, 3, 2, 0, 0),
  INCEPTION ("inception_5a", "pool4/3x3_s2", 832, 256, 160, 320, 32, 128, 128),
  INCEPTION ("inception_5b", "inception_5a/output", 832, 384, 192, 384, 48, 128, 128),
  GPOOL ("pool5/7x7_s1", "inception_5b/output", 1024, 7, 1, 0, 1),
  /* (pool5/drop_7x7_s1: dropout, the identity at inference) */
  { .kind = NS_LAYER_FC, .name = "loss3/classifier", .prefix = "loss3/classifier",
    .cin = 1024, .cout = 1000, .bottom = { "pool5/7x7_s1" } },
  { .kind = NS_LAYER_SOFTMAX, .name = "prob", .cin = 1000, .cout = 1000,
    .bottom = { "loss3/classifier" } },
};

/* Defaults and multires floors:
 * - style layers: VGG the first ReLU of each block (Gatys et al. 2016,
 *   Fig. 2); SqueezeNet the first ReLU and the Fire modules of the first
 *   three resolutions (a similar spread of receptive fields; fire7 and
 *   deeper add little but blotches at 256 px — compared in docs/gallery);
 *   GoogLeNet the stem convs and the Inception outputs of 1/8 and the first
 *   of 1/16 (the same spread).
 * - content: relu4_2 (Gatys) blended with relu5_2 (anishathalye/
 *   neural-style); SqueezeNet fire5 (end of the 1/8-resolution block)
 *   blended with fire7; GoogLeNet inception_3b (end of 1/8) with
 *   inception_4b.
 * - automatic multires: levels are added while the coarsest side stays at
 *   least this.  VGG: 128 px (bench/README.md: at 512 px, 3 levels x 50
 *   iterations beat 500 single-scale iterations in 21% of the time).
 *   SqueezeNet: 128 px too.  Its fire5 is then an 8x8 map that holds little
 *   of the photo, so the style lays down its large-scale structure there and
 *   the 256 / 512 px levels bring the content back (README "Quality and
 *   presets": with alpha 70 and the style balance, 32 of 36 subjects kept at
 *   median style gain 0.645, against 30 at 0.630 with two levels and alpha
 *   30; +9 % time at 512 px).
 *   GoogLeNet pools to 1/16 by inception_4a; below 256 px its content layers
 *   hold too little and the result loses the content's shapes. */
static const NsArchInfo archs[NS_ARCH_COUNT] = {
  [NS_ARCH_VGG19] = {
    .name = "vgg19", .layers = vgg19_layers, .n_layers = G_N_ELEMENTS (vgg19_layers),
    .style_layers = "relu1_1,relu2_1,relu3_1,relu4_1,relu5_1",
    .content_layers = "relu4_2,relu5_2", .auto_level_side = 128, .est_gflops = 700,
    .signature = "features.34.weight", .torchvision = 1 },
  [NS_ARCH_VGG16] = {
    .name = "vgg16", .layers = vgg16_layers, .n_layers = G_N_ELEMENTS (vgg16_layers),
    .style_layers = "relu1_1,relu2_1,relu3_1,relu4_1,relu5_1",
    .content_layers = "relu4_2,relu5_2", .auto_level_side = 128, .est_gflops = 700,
    .signature = "features.28.weight", .torchvision = 1 },
  [NS_ARCH_SQUEEZENET1_1] = {
    .name = "squeezenet1_1", .layers = squeezenet_layers,
    .n_layers = G_N_ELEMENTS (squeezenet_layers),
    .style_layers = "relu1,fire2,fire3,fire4,fire5", .content_layers = "fire5,fire7",
    .auto_level_side = 128, .signature = "features.3.squeeze.weight", .torchvision = 1,
    .est_gflops = 30 },
  [NS_ARCH_GOOGLENET_BVLC] = {
    .name = "googlenet_bvlc", .layers = googlenet_layers,
    .n_layers = G_N_ELEMENTS (googlenet_layers),
    .style_layers = "conv1/7x7_s2,conv2/3x3,inception_3a/output,inception_3b/output,"
                    "inception_4a/output",
    .content_layers = "inception_3b/output,inception_4b/output", .auto_level_side = 256,
    .est_gflops = 55,
    .signature = "inception_3a/1x1.weight", .graph = 1, .input_size = 224 },
};

const NsArchInfo *
ns_arch_info (NsArch arch)
{
  return &archs[(unsigned) arch < NS_ARCH_COUNT ? arch : NS_ARCH_VGG19];
}

const NsLayerDesc *
ns_arch_layers (NsArch arch, int *n_layers)
{
  *n_layers = ns_arch_info (arch)->n_layers;
  return ns_arch_info (arch)->layers;
}

const char *
ns_arch_name (NsArch arch)
{
  return ns_arch_info (arch)->name;
}

gboolean
ns_arch_from_name (const char *name, NsArch *arch)
{
  for (int a = 0; a < NS_ARCH_COUNT; a++)
    if (g_strcmp0 (name, archs[a].name) == 0)
      {
        *arch = (NsArch) a;
        return TRUE;
      }
  return FALSE;
}

const char *
ns_arch_names (void)
{
  return "vgg19, vgg16, squeezenet1_1, googlenet_bvlc";
}

int
ns_layer_convs (const NsLayerDesc *l, NsConvDesc c[3])
{
  switch (l->kind)
    {
    case NS_LAYER_CONV:
    case NS_LAYER_FC:
      c[0] = (NsConvDesc) { "", l->cout, l->cin, l->kind == NS_LAYER_FC ? 1 : l->k, l->stride,
                            l->pad, l->kind == NS_LAYER_FC };
      g_strlcpy (c[0].prefix, l->prefix, sizeof c[0].prefix);
      return 1;
    case NS_LAYER_FIRE:
      c[0] = (NsConvDesc) { "", l->squeeze, l->cin, 1, 1, 0, 0 };
      c[1] = (NsConvDesc) { "", l->e1, l->squeeze, 1, 1, 0, 0 };
      c[2] = (NsConvDesc) { "", l->e3, l->squeeze, 3, 1, 1, 0 };
      g_snprintf (c[0].prefix, sizeof c[0].prefix, "%s.squeeze", l->prefix);
      g_snprintf (c[1].prefix, sizeof c[1].prefix, "%s.expand1x1", l->prefix);
      g_snprintf (c[2].prefix, sizeof c[2].prefix, "%s.expand3x3", l->prefix);
      return 3;
    default:
      return 0;
    }
}
