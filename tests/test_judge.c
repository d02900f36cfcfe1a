/* test_judge.c — the quality judge (tools/judge.c).
 *
 *  gram distance : ||G(a)-G(b)||²_F / ||G(b)||²_F of the judge's Grams
 *                  against an independent computation in pixel space:
 *                  with G = F Fᵀ/HW, ⟨G(a),G(b)⟩_F = ||F_aᵀ F_b||²_F / HW²,
 *                  so ||Ga-Gb||² = (||F_aᵀF_a||² - 2||F_aᵀF_b||² + ||F_bᵀF_b||²)/HW²
 *                  (HW x HW products, never a C x C Gram).
 *  content rank  : hand-made probability vectors (best of the top five,
 *                  ties in the class's favour).
 *  real GoogLeNet: output = content => rank 1, gain 0; output = style =>
 *                  gain 1; a 50 % blend of content and style lies between;
 *                  the tapped activations are ReLU'd (>= 0) and the Grams
 *                  have the layers' channel counts (64, 192, 256, 512).
 */
#include "test_util.h"
#include "image_io.h"
#include "judge.h"

#include <gegl.h>

static void
test_gram_distance (void)
{
  const int C = 7, HW = 11;
  float *Fa = g_new (float, C * HW), *Fb = g_new (float, C * HW);
  test_fill_random (Fa, (size_t) C * HW, 1, 0.0f, 2.0f);
  test_fill_random (Fb, (size_t) C * HW, 2, 0.0f, 1.5f);
  double *Ga = g_new (double, C * C), *Gb = g_new (double, C * C);
  ns_judge_gram (Fa, C, HW, Ga);
  ns_judge_gram (Fb, C, HW, Gb);

  /* pixel-space products: P_xy[p][q] = Σ_c x[c][p] y[c][q] */
  double aa = 0, ab = 0, bb = 0;
  for (int p = 0; p < HW; p++)
    for (int q = 0; q < HW; q++)
      {
        double xaa = 0, xab = 0, xbb = 0;
        for (int c = 0; c < C; c++)
          {
            xaa += (double) Fa[c * HW + p] * Fa[c * HW + q];
            xab += (double) Fa[c * HW + p] * Fb[c * HW + q];
            xbb += (double) Fb[c * HW + p] * Fb[c * HW + q];
          }
        aa += xaa * xaa, ab += xab * xab, bb += xbb * xbb;
      }
  const double want = (aa - 2 * ab + bb) / bb;
  CHECK_CLOSE (ns_judge_gram_distance (Ga, Gb, C), want, 1e-9, 1e-12, "gram distance");
  CHECK_CLOSE (ns_judge_gram_distance (Gb, Gb, C), 0.0, 0, 0, "distance to itself");
  /* one entry by hand */
  double g = 0;
  for (int p = 0; p < HW; p++)
    g += (double) Fa[2 * HW + p] * Fa[5 * HW + p];
  CHECK_CLOSE (Ga[2 * C + 5], g / HW, 1e-12, 0, "G[2][5]");
  CHECK (Ga[5 * C + 2] == Ga[2 * C + 5], "symmetric");
  g_free (Fa); g_free (Fb); g_free (Ga); g_free (Gb);
}

static void
test_rank (void)
{
  /* content's top five: 4 (.30) 1 (.25) 7 (.2) 0 (.1) 9 (.05) */
  const float content[10] = { .10f, .25f, .02f, .01f, .30f, .01f, .02f, .20f, .04f, .05f };
  /* output: 3 > 2 > 8 > 7 > ...: class 7 (content's third) at rank 4 */
  const float output[10] = { .01f, .02f, .25f, .30f, .01f, .05f, .03f, .15f, .18f, .00f };
  CHECK (ns_judge_content_rank (content, output, 10, 5) == 4, "rank %d",
         ns_judge_content_rank (content, output, 10, 5));
  CHECK (ns_judge_content_rank (content, output, 10, 2) == 7, "top-2 only: rank %d",
         ns_judge_content_rank (content, output, 10, 2));   /* classes 4, 1: ranks 8, 7 */
  CHECK (ns_judge_content_rank (content, content, 10, 5) == 1, "itself");
  const float flat[10] = { 0 };
  CHECK (ns_judge_content_rank (content, flat, 10, 5) == 1, "ties count in favour");
}

static NsImage *
blend (const NsImage *a, const NsImage *b, float t)
{
  NsImage *bb = ns_image_resize (b, a->width, a->height);
  NsImage *r = ns_image_resize (a, a->width, a->height);
  for (size_t i = 0; i < (size_t) a->width * a->height * 3; i++)
    r->data[i] = (1 - t) * a->data[i] + t * bb->data[i];
  ns_image_free (bb);
  return r;
}

static void
test_real (const char *shared)
{
  char *model = g_build_filename (shared, "models", "googlenet_bvlc.safetensors", NULL);
  char *cpath = g_build_filename (shared, "images", "eagle.jpg", NULL);
  char *spath = g_build_filename (shared, "images", "scream.jpg", NULL);
  GError *err = NULL;
  NsJudge *j = ns_judge_new (model, &err);
  NsImage *ci = ns_io_load (cpath, &err), *si = ns_io_load (spath, &err);
  CHECK (j && ci && si, "load: %s", err ? err->message : "");
  if (j && ci && si)
    {
      NsImage *bi = blend (ci, si, 0.5f);
      NsJudgeView *c = ns_judge_view (j, ci, &err), *s = ns_judge_view (j, si, &err);
      NsJudgeView *o = ns_judge_view (j, ci, &err), *b = ns_judge_view (j, bi, &err);
      const int want_C[NS_JUDGE_N_LAYERS] = { 64, 192, 256, 512 };
      for (int l = 0; l < NS_JUDGE_N_LAYERS; l++)
        {
          CHECK (c->C[l] == want_C[l], "%s: C %d", ns_judge_layers[l], c->C[l]);
          double mindiag = INFINITY;
          for (int i = 0; i < c->C[l]; i++)
            mindiag = MIN (mindiag, c->gram[l][(size_t) i * c->C[l] + i]);
          CHECK (mindiag >= 0, "%s: diagonal >= 0", ns_judge_layers[l]);
        }
      /* ReLU'd features: every Gram entry of non-negative F is >= 0 */
      double mn = 0;
      for (int l = 0; l < NS_JUDGE_N_LAYERS; l++)
        for (size_t i = 0; i < (size_t) s->C[l] * s->C[l]; i++)
          mn = MIN (mn, s->gram[l][i]);
      CHECK (mn >= 0, "Gram entries >= 0 (ReLU'd activations): min %g", mn);

      CHECK (ns_judge_content_rank (c->probs, o->probs, c->n_classes, 5) == 1,
             "output = content: rank 1");
      CHECK_CLOSE (ns_judge_style_gain (c, s, o), 0.0, 0, 1e-12, "output = content: gain");
      CHECK_CLOSE (ns_judge_style_gain (c, s, s), 1.0, 0, 1e-12, "output = style: gain");
      const double gb = ns_judge_style_gain (c, s, b);
      CHECK (gb > 0.05 && gb < 0.95, "50%% blend: gain %.3f strictly between", gb);
      CHECK (ns_judge_style_distance (c, s) > 0.1, "eagle and scream differ: d %.3f",
             ns_judge_style_distance (c, s));
      ns_judge_view_free (c); ns_judge_view_free (s);
      ns_judge_view_free (o); ns_judge_view_free (b);
      ns_image_free (bi);
    }
  /* a model without the classifier is refused with a message */
  char *sq = g_build_filename (shared, "models", "squeezenet1_1.safetensors", NULL);
  g_clear_error (&err);
  NsJudge *bad = ns_judge_new (sq, &err);
  CHECK (!bad && err && strstr (err->message, "googlenet"), "squeezenet refused: %s",
         err ? err->message : "(no error)");
  g_clear_error (&err);
  g_free (sq);
  ns_image_free (ci); ns_image_free (si);
  ns_judge_free (j);
  g_free (model); g_free (cpath); g_free (spath);
}

int
main (void)
{
  test_begin ("judge");
  test_gram_distance ();
  test_rank ();
  const char *shared = test_shared_dir ();
  gegl_init (NULL, NULL);
  test_real (shared);
  gegl_exit ();
  return test_finish ();
}
