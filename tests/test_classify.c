/* test_classify.c — the engine's SqueezeNet forward pass is the real network.
 *
 * Real pretrained SqueezeNet 1.1 (../shared/models, Caffe convention: BGR,
 * 0..255, mean 104/117/123), the engine's network up to fire9, plus the
 * classifier head written here (conv10 1x1 -> ReLU -> global average pool).
 * Preprocessing as in ../shared/models/README.md: resize to 256x256, centre
 * crop 227.  Expected (README table): eagle.jpg -> bald eagle (class 22)
 * top-1; dog.jpg -> a dog breed (151..268) in the top 5.
 */
#include "test_util.h"
#include "image_io.h"
#include "image_ops.h"
#include "network.h"

#include <gegl.h>

static void
top5 (NsModel *m, const char *image_path, int *top)
{
  GError *err = NULL;
  NsImage *img = ns_io_load (image_path, &err);
  CHECK (img != NULL, "load %s: %s", image_path, err ? err->message : "");
  if (!img)
    return;
  NsImage *r = ns_image_resize (img, 256, 256);
  const int S = 227, off = (256 - S) / 2;
  float *planar = g_new (float, 3 * S * S);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < S; y++)
      for (int x = 0; x < S; x++)
        planar[(c * S + y) * S + x] = r->data[((y + off) * 256 + x + off) * 3 + c];

  const char *taps[] = { "fire9" };
  NsNetwork *net = ns_network_new (m, NS_POOLING_MAX, taps, 1, &err);
  CHECK (net && ns_network_prepare (net, S, S, &err), "network: %s", err ? err->message : "");
  ns_network_forward (net, planar);
  int C, H, W;
  const float *F = ns_network_tap (net, 0, &C, &H, &W);
  CHECK (C == 512 && H == 14 && W == 14, "fire9 %dx%dx%d", C, H, W);

  const NsTensorInfo *tw = ns_st_find (m->st, "classifier.1.weight");
  const NsTensorInfo *tb = ns_st_find (m->st, "classifier.1.bias");
  CHECK (tw && tb, "classifier tensors present");
  float *w = ns_st_read_f32 (m->st, tw), *b = ns_st_read_f32 (m->st, tb);
  double logits[1000];
  for (int k = 0; k < 1000; k++)
    {
      double sum = 0;
      for (int p = 0; p < H * W; p++)
        {
          double a = b[k];
          for (int c = 0; c < C; c++)
            a += (double) w[k * C + c] * F[c * H * W + p];
          sum += a > 0 ? a : 0;
        }
      logits[k] = sum / (H * W);
    }
  for (int t = 0; t < 5; t++)
    {
      int best = -1;
      for (int k = 0; k < 1000; k++)
        {
          gboolean taken = FALSE;
          for (int u = 0; u < t; u++)
            taken |= top[u] == k;
          if (!taken && (best < 0 || logits[k] > logits[best]))
            best = k;
        }
      top[t] = best;
    }
  printf ("%s: top-5 %d %d %d %d %d\n", image_path, top[0], top[1], top[2], top[3], top[4]);
  g_free (w); g_free (b); g_free (planar);
  ns_network_free (net);
  ns_image_free (r);
  ns_image_free (img);
}

int
main (void)
{
  test_begin ("classify");
  const char *shared = test_shared_dir ();
  gegl_init (NULL, NULL);
  char *model_path = g_build_filename (shared, "models", "squeezenet1_1.safetensors", NULL);
  GError *err = NULL;
  NsModel *m = ns_model_load (model_path, &err);
  CHECK (m != NULL, "load: %s", err ? err->message : "");
  if (m)
    {
      int top[5] = { -1, -1, -1, -1, -1 };
      char *eagle = g_build_filename (shared, "images", "eagle.jpg", NULL);
      top5 (m, eagle, top);
      CHECK (top[0] == 22, "eagle.jpg top-1 is %d, expected 22 (bald eagle)", top[0]);
      char *dog = g_build_filename (shared, "images", "dog.jpg", NULL);
      int dtop[5] = { -1, -1, -1, -1, -1 };
      top5 (m, dog, dtop);
      gboolean breed = FALSE;
      for (int t = 0; t < 5; t++)
        breed |= dtop[t] >= 151 && dtop[t] <= 268;
      CHECK (breed, "dog.jpg: no dog breed (151..268) in the top 5");
      g_free (eagle);
      g_free (dog);
      ns_model_free (m);
    }
  g_clear_error (&err);
  g_free (model_path);
  /* no gegl_exit (): GEGL keeps its modules loaded, so that leak checkers
   * can attribute its one-time allocations (tests/lsan.supp) */
  return test_finish ();
}
