/* test_tiles.c — the exact tiled evaluation (issue 18; objective_tiled.c,
 * net/tiles.h).
 *
 *  - geometry: the halo derived from the architecture table (VGG-19 up to
 *    relu5_2: 96 px, SqueezeNet up to fire7: 80 px; the default taps, where
 *    the content blend drops relu5_2 / fire7: 80 and 32 px), GoogLeNet refused with
 *    an error, and the owned positions of every grid partitioning every
 *    tapped map exactly (sides that are not multiples of the core);
 *  - parity: loss terms and gradient of the tiled objective against the
 *    untiled one with small forced tiles (core 48 / 64 px) at sizes that are
 *    not multiples of the core, on seeded random VGG-19 and the real
 *    SqueezeNet 1.1 (odd/even sides: SqueezeNet's reflected edge row), the
 *    style image tiled too; relative 1e-4 on each term and on the gradient
 *    (measured ~1e-6: float summation order);
 *  - the halo matters: one stride less and the same comparison is off by
 *    more than 1e-3 (so this test fails if the halo is made too small);
 *  - no seams: a default SqueezeNet run (dog.jpg at 256 px, 50 iterations)
 *    with forced 64 px tiles: the mean |difference| between neighbouring
 *    pixels across the tile borders is within 1.2x of that elsewhere.
 */
#include "test_util.h"
#include "test_random_model.h"

#include "objective.h"
#include "tiles.h"

#include "image_io.h"

#include <gegl.h>

static void
test_geometry (void)
{
  const char *vgg[] = { "relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu4_2", "relu5_1",
                        "relu5_2" };
  const char *sq[] = { "relu1", "fire2", "fire3", "fire4", "fire5", "fire7" };
  const char *gl[] = { "conv1/7x7_s2" };
  GError *err = NULL;
  NsTileGeom *gv = ns_tile_geom_new (NS_ARCH_VGG19, vgg, 7, &err);
  NsTileGeom *gs = ns_tile_geom_new (NS_ARCH_SQUEEZENET1_1, sq, 6, &err);
  CHECK (gv && gs, "geometry: %s", err ? err->message : "");
  CHECK (ns_tile_stride (gv) == 16 && ns_tile_halo (gv) == 96, "vgg19: S %d halo %d",
         ns_tile_stride (gv), ns_tile_halo (gv));
  CHECK (ns_tile_stride (gs) == 16 && ns_tile_halo (gs) == 80, "squeezenet: S %d halo %d",
         ns_tile_stride (gs), ns_tile_halo (gs));
  NsTileGeom *gg = ns_tile_geom_new (NS_ARCH_GOOGLENET_BVLC, gl, 1, &err);
  CHECK (!gg && err && strstr (err->message, "chain"), "googlenet refused: %s",
         err ? err->message : "(no error)");
  g_clear_error (&err);

  /* owned positions partition each tap's map, for many sides and cores */
  NsTileGeom *geoms[2] = { gv, gs };
  int bad = 0;
  for (int a = 0; a < 2 && gv && gs; a++)
    for (int side = 40; side <= 700; side += 13)
      for (int core = 16; core <= 256; core += 48)
        for (int t = 0; t < (a ? 6 : 7); t++)
          {
            int n, len = ns_tile_tap_len (geoms[a], t, side);
            NsTile *tl = ns_tile_grid (geoms[a], side, 1, core, ns_tile_halo (geoms[a]), &n);
            int *count = g_new0 (int, len + 1);
            for (int i = 0; i < n; i++)
              {
                int l0, l1, g0;
                ns_tile_owned (geoms[a], t, &tl[i].x, side, &l0, &l1, &g0);
                bad += l1 < l0 || l0 < 0 || g0 + l1 - l0 > len
                  || (tl[i].x.c0 % ns_tile_stride (geoms[a])) != 0;
                for (int j = g0; j < g0 + l1 - l0 && j <= len; j++)
                  count[j]++;
              }
            for (int j = 0; j < len; j++)
              bad += count[j] != 1;
            g_free (count);
            g_free (tl);
          }
  CHECK (bad == 0, "owned positions do not partition the maps (%d cases)", bad);
  ns_tile_geom_free (gv);
  ns_tile_geom_free (gs);
}

/* The objective at W x H with a sw x sh style: core 0 = untiled. */
static NsObjective *
objective (NsModel *m, int core, int halo, const float *content, int W, int H,
           const float *style, int sw, int sh)
{
  NsParams p;
  ns_params_init (&p);
  GError *err = NULL;
  NsObjective *o = ns_objective_new (m, &p, &err);
  gboolean ok = o && ns_objective_set_tiling (o, core, halo, &err)
    && ns_objective_set_content (o, content, W, H, &err)
    && ns_objective_add_style (o, style, sw, sh, 1.0, &err) && ns_objective_ready (o, &err);
  CHECK (ok, "objective (core %d): %s", core, err ? err->message : "");
  g_clear_error (&err);
  if (!ok)
    {
      ns_objective_free (o);
      return NULL;
    }
  return o;
}

static double
rel_diff (const float *a, const float *b, size_t n)
{
  double d = 0, s = 0;
  for (size_t i = 0; i < n; i++)
    {
      d += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
      s += (double) b[i] * b[i];
    }
  return sqrt (d / (s + 1e-300));
}

/* Largest relative difference of the loss terms and of the gradient. */
static double
compare (NsModel *m, const char *what, int W, int H, int core, int halo, const float *content,
         const float *style, int sw, int sh, const float *x, const float *gu,
         NsLossTerms tu, gboolean verbose, int *halo_used)
{
  const size_t n = (size_t) 3 * W * H;
  NsObjective *o = objective (m, core, halo, content, W, H, style, sw, sh);
  if (!o)
    return INFINITY;
  int nx, ny, c, h;
  ns_objective_tiling (o, &nx, &ny, &c, &h);
  CHECK (nx * ny > 1, "%s: tiled into %dx%d", what, nx, ny);
  if (halo_used)
    *halo_used = h;
  float *g = g_new (float, n);
  ns_objective_eval (x, g, o);
  NsLossTerms tt = ns_objective_last_terms (o);
  double dc = fabs (tt.content - tu.content) / fabs (tu.content);
  double ds = fabs (tt.style - tu.style) / fabs (tu.style);
  double dt = fabs (tt.tv - tu.tv) / fabs (tu.tv);
  double dg = rel_diff (g, gu, n);
  if (verbose)
    printf ("  %s %dx%d, %dx%d tiles of %d + halo %d: content %.2e style %.2e tv %.2e "
            "gradient %.2e (relative)\n", what, W, H, nx, ny, c, h, dc, ds, dt, dg);
  g_free (g);
  ns_objective_free (o);
  return MAX (MAX (dc, ds), MAX (dt, dg));
}

/* halo: the one the objective must derive for its taps; S: their total
 * stride (the halo is tested one S short) */
static void
test_parity (NsModel *m, const char *what, int W, int H, int core, int halo, int S, int sw,
             int sh)
{
  if (!m)
    return;
  const size_t n = (size_t) 3 * W * H;
  float *content = g_new (float, n), *x = g_new (float, n), *gu = g_new (float, n);
  float *style = g_new (float, (size_t) 3 * sw * sh);
  test_fill_random (content, n, 3, 0.f, 1.f);
  test_fill_random (style, (size_t) 3 * sw * sh, 5, 0.f, 1.f);
  test_fill_random (x, n, 7, 0.f, 1.f);
  for (size_t i = 0; i < n; i++)
    x[i] = 0.6f * x[i] + 0.4f * content[i];

  NsObjective *u = objective (m, 0, 0, content, W, H, style, sw, sh);
  if (u)
    {
      ns_objective_eval (x, gu, u);
      NsLossTerms tu = ns_objective_last_terms (u);
      ns_objective_free (u);
      int derived = 0;
      double exact = compare (m, what, W, H, core, 0, content, style, sw, sh, x, gu, tu, TRUE,
                              &derived);
      CHECK (derived == halo, "%s: derived halo %d, expected %d", what, derived, halo);
      CHECK (exact < 1e-4, "%s: tiled differs from untiled by %.3g (relative)", what, exact);
      /* the halo one stride short: core features next to a tile border see
       * the tile's zero padding */
      const int short_halo = halo - S;
      double off = compare (m, what, W, H, core, short_halo, content, style, sw, sh, x, gu,
                            tu, FALSE, NULL);
      printf ("  %s with halo %d (one stride short): off by %.2e\n", what, short_halo, off);
      CHECK (off > 1e-3, "%s: a halo of %d px should not be enough (off by %.3g)", what,
             short_halo, off);
    }
  g_free (content);
  g_free (x);
  g_free (gu);
  g_free (style);
}

/* Mean |R(p) − R(p − 1)| over pairs of neighbours along x (dx) or y: those
 * straddling a tile border (the previous pixel in the tile before) and the
 * rest. */
static void
edge_means (const NsImage *r, int step, int dx, double *border, double *inside)
{
  double sb = 0, si = 0;
  long nb = 0, ni = 0;
  for (int y = dx ? 0 : 1; y < r->height; y++)
    for (int x = dx ? 1 : 0; x < r->width; x++)
      {
        const float *p = r->data + ((size_t) y * r->width + x) * 3;
        const float *q = dx ? p - 3 : p - (size_t) 3 * r->width;
        double d = 0;
        for (int c = 0; c < 3; c++)
          d += fabs ((double) p[c] - q[c]) / 3;
        if ((dx ? x : y) % step == 0)
          sb += d, nb++;
        else
          si += d, ni++;
      }
  *border = sb / MAX (nb, 1);
  *inside = si / MAX (ni, 1);
}

static void
test_seams (NsModel *m, const char *shared)
{
  char *dp = g_build_filename (shared, "images", "dog.jpg", NULL);
  char *sp = g_build_filename (shared, "images", "scream.jpg", NULL);
  NsImage *dog = ns_io_load (dp, NULL), *scream = ns_io_load (sp, NULL);
  CHECK (dog && scream, "images load");
  NsParams p;
  ns_params_init (&p);
  p.size = 256;
  p.multires = 1;    /* one level, as the seams are the question */
  p.tile_size = 64;
  p.threads = 2;
  GError *err = NULL;
  NsJob *job = dog && scream ? ns_job_new (m, dog, &p, &err) : NULL;
  NsImage *r = job && ns_job_add_style (job, scream, 1, 1, &err) ? ns_job_run (job, &err) : NULL;
  CHECK (r, "tiled run: %s", err ? err->message : "");
  g_clear_error (&err);
  int tx = 0, ty = 0, core = 0, halo = 0;
  if (job)
    ns_job_get_tiling (job, &tx, &ty, &core, &halo);
  CHECK (tx >= 4 && ty >= 3 && core <= 64, "grid %dx%d of %d px", tx, ty, core);
  if (r && core > 0)
    {
      const char *png = g_getenv ("NS_TILES_SEAM_PNG");   /* to look at it */
      if (png)
        ns_io_save (r, png, NULL);
      for (int dx = 1; dx >= 0; dx--)
        {
          double border, inside;
          edge_means (r, core, dx, &border, &inside);
          printf ("  seams (%s borders): mean |difference| %.5f across, %.5f elsewhere "
                  "(ratio %.3f)\n", dx ? "vertical" : "horizontal", border, inside,
                  border / inside);
          CHECK (border <= 1.2 * inside, "%s tile borders stand out: %.5f vs %.5f",
                 dx ? "vertical" : "horizontal", border, inside);
        }
    }
  ns_image_free (r);
  ns_job_free (job);
  ns_image_free (dog);
  ns_image_free (scream);
  g_free (dp);
  g_free (sp);
}


int
main (void)
{
  test_begin ("tiles");
  test_geometry ();
  const char *shared = test_shared_dir ();
  NsModel *vgg = test_random_model ("vgg19", 17);
  /* default taps: relu1_1 .. relu5_1 and relu4_2 (content blend 1: relu5_2
   * dropped): reach 70 px, S 16 */
  test_parity (vgg, "vgg19", 176, 120, 48, 80, 16, 136, 104);
  ns_model_free (vgg);
  char *mp = g_build_filename (shared, "models", "squeezenet1_1.safetensors", NULL);
  GError *err = NULL;
  NsModel *sq = ns_model_load (mp, &err);
  CHECK (sq, "squeezenet: %s", err ? err->message : "");
  g_clear_error (&err);
  /* relu1 .. fire5: reach 31 px, S 8 */
  test_parity (sq, "squeezenet", 301, 198, 64, 32, 8, 250, 170);
  if (sq)
    {
      gegl_init (NULL, NULL);
      test_seams (sq, shared);
    }
  ns_model_free (sq);
  g_free (mp);
  return test_finish ();
}
