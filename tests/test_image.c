/* test_image.c — NsImage allocation, resampling (against an exact integer
 * sub-grid reference for area shrinking and hand-computed bilinear weights),
 * layout conversion, colour preservation and the RNG.
 */
#include "test_util.h"
#include "image_ops.h"

#include <limits.h>

static NsImage *
random_image (int w, int h, guint32 seed)
{
  NsImage *img = ns_image_new (w, h);
  test_fill_random (img->data, (size_t) w * h * 3, seed, 0.0f, 1.0f);
  return img;
}

/* 1-D area average, exact reference: on the common grid of n*m sub-units,
 * output j covers [j n, (j+1) n) and source i covers [i m, (i+1) m). */
static void
ref_area_1d (const double *x, int n, int m, double *y)
{
  for (int j = 0; j < m; j++)
    {
      double s = 0.0;
      for (long u = (long) j * n; u < (long) (j + 1) * n; u++)
        s += x[u / m];
      y[j] = s / n;
    }
}

/* Separable 2-D area reference on one channel of an interleaved image. */
static double *
ref_area_2d (const NsImage *img, int c, int w2, int h2)
{
  const int w = img->width, h = img->height;
  double *tmp = g_new (double, (size_t) h * w2), *out = g_new (double, (size_t) w2 * h2);
  double *row = g_new (double, MAX (w, h)), *col = g_new (double, MAX (w2, h2));
  for (int y = 0; y < h; y++)
    {
      for (int x = 0; x < w; x++)
        row[x] = img->data[(y * w + x) * 3 + c];
      ref_area_1d (row, w, w2, col);
      for (int x = 0; x < w2; x++)
        tmp[y * w2 + x] = col[x];
    }
  for (int x = 0; x < w2; x++)
    {
      for (int y = 0; y < h; y++)
        row[y] = tmp[y * w2 + x];
      ref_area_1d (row, h, h2, col);
      for (int y = 0; y < h2; y++)
        out[y * w2 + x] = col[y];
    }
  g_free (tmp); g_free (row); g_free (col);
  return out;
}

static void
test_alloc (void)
{
  NsImage *img = ns_image_new (3, 2);
  CHECK (img && img->width == 3 && img->height == 2, "new 3x2");
  int zero = 1;
  for (int i = 0; i < 18; i++)
    zero &= img->data[i] == 0.0f;
  CHECK (zero, "zero filled");
  CHECK (ns_image_new (0, 5) == NULL && ns_image_new (5, 0) == NULL
         && ns_image_new (-1, 5) == NULL, "non-positive sizes rejected");
  CHECK (ns_image_new (INT_MAX, INT_MAX) == NULL, "INT_MAX^2 rejected");
  CHECK (ns_image_new (50000, 50000) == NULL, "7.5e9 floats rejected");
  CHECK (ns_image_new (1 << 16, 1 << 15) == NULL, "just over 2^31 floats rejected");

  img->data[5] = 0.25f;
  NsImage *cp = ns_image_copy (img);
  CHECK (cp && cp->data != img->data && memcmp (cp->data, img->data, 18 * sizeof (float)) == 0,
         "copy is equal and independent");
  CHECK (ns_image_copy (NULL) == NULL, "copy(NULL)");
  CHECK (ns_image_resize (NULL, 2, 2) == NULL, "resize(NULL)");
  CHECK (ns_image_resize (img, 0, 2) == NULL, "resize to 0 rejected");
  ns_image_free (cp);
  ns_image_free (img);
  ns_image_free (NULL);
}

static void
test_fit_size (void)
{
  int w, h;
  ns_image_fit_size (400, 300, 200, &w, &h);
  CHECK (w == 200 && h == 150, "fit 400x300 -> %dx%d", w, h);
  ns_image_fit_size (300, 400, 200, &w, &h);
  CHECK (w == 150 && h == 200, "fit 300x400 -> %dx%d", w, h);
  ns_image_fit_size (1000, 1, 10, &w, &h);
  CHECK (w == 10 && h == 1, "fit 1000x1 -> %dx%d", w, h);
  ns_image_fit_size (1, 1000, 10, &w, &h);
  CHECK (w == 1 && h == 10, "fit 1x1000 -> %dx%d", w, h);
  ns_image_fit_size (640, 427, 512, &w, &h);
  CHECK (w == 512 && h == 342, "fit 640x427 -> %dx%d (rounded)", w, h);
  ns_image_fit_size (30, 20, 90, &w, &h);
  CHECK (w == 90 && h == 60, "fit enlarges too -> %dx%d", w, h);
  ns_image_fit_size (30, 20, 0, &w, &h);
  CHECK (w == 30 && h == 20, "longest 0 keeps size -> %dx%d", w, h);
}

static void
test_resize (void)
{
  /* same size: byte-identical */
  NsImage *a = random_image (17, 9, 1);
  NsImage *b = ns_image_resize (a, 17, 9);
  CHECK (b && memcmp (a->data, b->data, 17 * 9 * 3 * sizeof (float)) == 0,
         "same-size resize byte-identical");
  ns_image_free (b);

  /* constant stays constant: shrink (non-divisible), enlarge, mixed */
  const int sizes[][2] = { { 10, 7 }, { 4, 2 }, { 1, 1 }, { 50, 31 }, { 5, 40 } };
  NsImage *k = ns_image_new (37, 23);
  for (int i = 0; i < 37 * 23 * 3; i++)
    k->data[i] = 0.37f;
  for (size_t s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      NsImage *r = ns_image_resize (k, sizes[s][0], sizes[s][1]);
      int ok = r != NULL;
      for (int i = 0; ok && i < sizes[s][0] * sizes[s][1] * 3; i++)
        ok &= r->data[i] == 0.37f;
      CHECK (ok, "constant image stays exactly constant at %dx%d", sizes[s][0], sizes[s][1]);
      ns_image_free (r);
    }
  ns_image_free (k);

  /* 2x box downscale = 2x2 means exactly (values on a 1/1024 grid) */
  NsImage *g = ns_image_new (8, 6);
  for (int i = 0; i < 8 * 6 * 3; i++)
    g->data[i] = (float) ((i * 37 + 11) % 1024) / 1024.0f;
  NsImage *h = ns_image_resize (g, 4, 3);
  int exact = 1;
  for (int y = 0; y < 3; y++)
    for (int x = 0; x < 4; x++)
      for (int c = 0; c < 3; c++)
        {
          double m = (g->data[((2 * y) * 8 + 2 * x) * 3 + c] + g->data[((2 * y) * 8 + 2 * x + 1) * 3 + c]
                    + g->data[((2 * y + 1) * 8 + 2 * x) * 3 + c]
                    + g->data[((2 * y + 1) * 8 + 2 * x + 1) * 3 + c]) / 4.0;
          exact &= h->data[(y * 4 + x) * 3 + c] == (float) m;
        }
  CHECK (exact, "2x downscale equals 2x2 means exactly");
  ns_image_free (g);
  ns_image_free (h);

  /* general area shrink vs exact sub-grid reference; mean preserved */
  ns_image_free (a);
  a = random_image (37, 23, 2);
  const int ts[][2] = { { 10, 7 }, { 36, 5 }, { 1, 1 }, { 37, 11 }, { 3, 23 } };
  for (size_t s = 0; s < G_N_ELEMENTS (ts); s++)
    {
      NsImage *r = ns_image_resize (a, ts[s][0], ts[s][1]);
      double worst = 0.0;
      for (int c = 0; c < 3; c++)
        {
          double *ref = ref_area_2d (a, c, ts[s][0], ts[s][1]);
          double m_in = 0.0, m_out = 0.0;
          for (int i = 0; i < ts[s][0] * ts[s][1]; i++)
            {
              worst = fmax (worst, fabs (r->data[i * 3 + c] - ref[i]));
              m_out += r->data[i * 3 + c];
            }
          for (int i = 0; i < 37 * 23; i++)
            m_in += a->data[i * 3 + c];
          CHECK_CLOSE (m_out / (ts[s][0] * ts[s][1]), m_in / (37 * 23), 1e-6, 0,
                       "area downscale preserves the mean");
          g_free (ref);
        }
      CHECK (worst < 1e-6, "area shrink 37x23 -> %dx%d vs reference (err %g)",
             ts[s][0], ts[s][1], worst);
      ns_image_free (r);
    }

  /* bilinear, align_corners=False: [p, q] -> [p, .75p+.25q, .25p+.75q, q] */
  NsImage *two = ns_image_new (2, 1);
  for (int c = 0; c < 3; c++)
    two->data[c] = 0.2f * (c + 1), two->data[3 + c] = 1.0f - 0.1f * c;
  NsImage *four = ns_image_resize (two, 4, 1);
  for (int c = 0; c < 3; c++)
    {
      double p = two->data[c], q = two->data[3 + c];
      CHECK_CLOSE (four->data[0 * 3 + c], p, 0, 1e-7, "bilinear j=0");
      CHECK_CLOSE (four->data[1 * 3 + c], 0.75 * p + 0.25 * q, 0, 1e-7, "bilinear j=1");
      CHECK_CLOSE (four->data[2 * 3 + c], 0.25 * p + 0.75 * q, 0, 1e-7, "bilinear j=2");
      CHECK_CLOSE (four->data[3 * 3 + c], q, 0, 1e-7, "bilinear j=3");
    }
  ns_image_free (two);
  ns_image_free (four);

  /* upscale then downscale ~ identity on a smooth image */
  NsImage *sm = ns_image_new (16, 12);
  for (int y = 0; y < 12; y++)
    for (int x = 0; x < 16; x++)
      for (int c = 0; c < 3; c++)
        sm->data[(y * 16 + x) * 3 + c] = 0.5f + 0.4f * sinf (0.3f * x + 0.2f * y + c);
  NsImage *up = ns_image_resize (sm, 32, 24), *down = ns_image_resize (up, 16, 12);
  double err = 0.0;
  for (int i = 0; i < 16 * 12 * 3; i++)
    err = fmax (err, fabs (down->data[i] - sm->data[i]));
  CHECK (err < 0.03, "up then down ~ identity (max err %g)", err);
  CHECK (err > 0.0, "and not trivially identical (err %g)", err);
  ns_image_free (up);
  ns_image_free (sm);
  ns_image_free (down);

  /* 1x1 and 1xN */
  NsImage *one = ns_image_new (1, 1);
  one->data[0] = 0.1f; one->data[1] = 0.5f; one->data[2] = 0.9f;
  NsImage *big = ns_image_resize (one, 5, 3);
  int rep = 1;
  for (int i = 0; i < 15; i++)
    rep &= big->data[i * 3] == 0.1f && big->data[i * 3 + 1] == 0.5f && big->data[i * 3 + 2] == 0.9f;
  CHECK (rep, "1x1 enlarged replicates the pixel");
  ns_image_free (big);
  ns_image_free (one);

  NsImage *col = random_image (1, 9, 3);
  NsImage *col3 = ns_image_resize (col, 1, 3);
  for (int j = 0; j < 3; j++)
    for (int c = 0; c < 3; c++)
      CHECK_CLOSE (col3->data[j * 3 + c],
                   (col->data[(3 * j) * 3 + c] + col->data[(3 * j + 1) * 3 + c]
                    + col->data[(3 * j + 2) * 3 + c]) / 3.0, 0, 1e-7, "1x9 -> 1x3 means");
  NsImage *wide = ns_image_resize (col, 4, 9);
  int same = 1;
  for (int y = 0; y < 9; y++)
    for (int x = 0; x < 4; x++)
      for (int c = 0; c < 3; c++)
        same &= wide->data[(y * 4 + x) * 3 + c] == col->data[y * 3 + c];
  CHECK (same, "1x9 -> 4x9 replicates columns exactly");
  NsImage *dot = ns_image_resize (col, 1, 1);
  for (int c = 0; c < 3; c++)
    {
      double m = 0.0;
      for (int y = 0; y < 9; y++)
        m += col->data[y * 3 + c];
      CHECK_CLOSE (dot->data[c], m / 9.0, 0, 1e-7, "1x9 -> 1x1 mean");
    }
  ns_image_free (col); ns_image_free (col3); ns_image_free (wide); ns_image_free (dot);

  /* planar resize uses the same filter as the interleaved one */
  const int W2 = 23, H2 = 8;
  NsImage *ir = ns_image_resize (a, W2, H2);
  float *pl = g_new (float, 37 * 23 * 3), *pr = g_new (float, W2 * H2 * 3),
        *back = g_new (float, W2 * H2 * 3);
  ns_interleaved_to_planar (a->data, 37, 23, pl);
  ns_planar_resize (pl, 3, 37, 23, pr, W2, H2);
  ns_planar_to_interleaved (pr, W2, H2, back);
  CHECK (memcmp (back, ir->data, W2 * H2 * 3 * sizeof (float)) == 0,
         "planar resize == interleaved resize");
  g_free (back);
  back = g_new (float, 37 * 23 * 3);
  ns_planar_resize (pl, 3, 37, 23, back, 37, 23);
  CHECK (memcmp (pl, back, 37 * 23 * 3 * sizeof (float)) == 0, "planar same size is a copy");
  g_free (pl); g_free (pr); g_free (back);
  ns_image_free (ir);
  ns_image_free (a);
}

static void
test_layout (void)
{
  const int w = 5, h = 3;
  float in[45], pl[45], back[45];
  for (int i = 0; i < 45; i++)
    in[i] = (float) i;
  ns_interleaved_to_planar (in, w, h, pl);
  int ok = 1;
  for (int c = 0; c < 3; c++)
    for (int i = 0; i < w * h; i++)
      ok &= pl[c * w * h + i] == in[3 * i + c];
  CHECK (ok, "interleaved -> planar layout");
  ns_planar_to_interleaved (pl, w, h, back);
  CHECK (memcmp (in, back, sizeof in) == 0, "planar -> interleaved round trip");
}

static void
ycbcr (double r, double g, double b, double *y, double *cb, double *cr)
{
  *y = 0.299 * r + 0.587 * g + 0.114 * b;
  *cb = 0.5 - 0.168736 * r - 0.331264 * g + 0.5 * b;
  *cr = 0.5 + 0.5 * r - 0.418688 * g - 0.081312 * b;
}

static void
test_preserve_colors (void)
{
  const int w = 7, h = 5, n = w * h;
  float *img = g_new (float, 3 * n), *content = g_new (float, 3 * n), *orig = g_new (float, 3 * n);
  test_fill_random (content, 3 * n, 5, 0.4f, 0.6f);  /* moderate chroma: no clamping */
  test_fill_random (img, 3 * n, 6, 0.3f, 0.7f);
  memcpy (orig, img, 3 * n * sizeof (float));
  ns_preserve_colors (img, content, w, h);
  double ey = 0, ec = 0;
  for (int i = 0; i < n; i++)
    {
      double y, cb, cr, y0, cb0, cr0, yc, cbc, crc;
      ycbcr (img[i], img[n + i], img[2 * n + i], &y, &cb, &cr);
      ycbcr (orig[i], orig[n + i], orig[2 * n + i], &y0, &cb0, &cr0);
      ycbcr (content[i], content[n + i], content[2 * n + i], &yc, &cbc, &crc);
      ey = fmax (ey, fabs (y - y0));
      ec = fmax (ec, fmax (fabs (cb - cbc), fabs (cr - crc)));
    }
  CHECK (ey < 1e-5, "luminance from the stylised image (err %g)", ey);
  CHECK (ec < 1e-5, "chroma from the content (err %g)", ec);

  /* saturated content + bright stylised image: clamped into 0..1 */
  for (int i = 0; i < n; i++)
    {
      content[i] = 1.0f; content[n + i] = 0.0f; content[2 * n + i] = 0.0f;
      img[i] = img[n + i] = img[2 * n + i] = (i % 2) ? 1.0f : 0.0f;
    }
  ns_preserve_colors (img, content, w, h);
  int in_range = 1;
  for (int i = 0; i < 3 * n; i++)
    in_range &= img[i] >= 0.0f && img[i] <= 1.0f;
  CHECK (in_range, "result clamped to 0..1");
  /* red content: Cb = -0.168736, Cr = 0.5.  Black pixel (Y=0):
   * R = 0.701, G = -0.299 -> 0, B = -0.299 -> 0.  White pixel (Y=1):
   * R = 1.701 -> 1, G = 0.701001, B = 0.700999808. */
  CHECK_CLOSE (img[0], 0.701, 0, 1e-6, "black: R");
  CHECK (img[n] == 0.0f && img[2 * n] == 0.0f, "black: G, B clamped to 0");
  CHECK (img[1] == 1.0f, "white: R clamped to 1");
  CHECK_CLOSE (img[n + 1], 0.701001, 0, 2e-6, "white: G");
  CHECK_CLOSE (img[2 * n + 1], 0.700999808, 0, 2e-6, "white: B");
  g_free (img); g_free (content); g_free (orig);
}

static void
test_rng (void)
{
  NsRng a, b, c;
  ns_rng_seed (&a, 0);
  /* splitmix64 reference: first output from state 0 */
  CHECK (a.s[0] == G_GUINT64_CONSTANT (0xE220A8397B1DCDAF), "splitmix64 seeding (s0=%016" G_GINT64_MODIFIER "x)", a.s[0]);
  ns_rng_seed (&a, 42);
  ns_rng_seed (&b, 42);
  ns_rng_seed (&c, 43);
  int same = 1, diff = 0;
  for (int i = 0; i < 1000; i++)
    {
      guint64 x = ns_rng_next (&a), y = ns_rng_next (&b), z = ns_rng_next (&c);
      same &= x == y;
      diff += x != z;
    }
  CHECK (same, "same seed, same sequence");
  CHECK (diff > 990, "different seed, different sequence");

  /* uniform = top 53 bits * 2^-53 */
  NsRng t = a;
  int top53 = 1;
  for (int i = 0; i < 64; i++)
    top53 &= ns_rng_uniform (&a) == (double) (ns_rng_next (&t) >> 11) / 9007199254740992.0;
  CHECK (top53, "uniform from the top 53 bits");

  const int N = 200000;
  int bins[10] = { 0 };
  double mean = 0.0, lo = 1.0, hi = 0.0;
  for (int i = 0; i < N; i++)
    {
      double v = ns_rng_uniform (&a);
      mean += v;
      lo = fmin (lo, v);
      hi = fmax (hi, v);
      int k = (int) (v * 10);
      if (k >= 0 && k < 10)
        bins[k]++;
    }
  mean /= N;
  CHECK (lo >= 0.0 && hi < 1.0, "uniform in [0,1) (%g, %g)", lo, hi);
  CHECK (fabs (mean - 0.5) < 0.005, "mean ~ 0.5 (%g)", mean);
  double chi2 = 0.0;
  for (int k = 0; k < 10; k++)
    chi2 += pow (bins[k] - N / 10.0, 2) / (N / 10.0);
  CHECK (chi2 < 30.0, "10-bin chi-square %g (9 dof, p~0.0005 at 30)", chi2);
}

int
main (void)
{
  test_begin ("image");
  test_alloc ();
  test_fit_size ();
  test_resize ();
  test_layout ();
  test_preserve_colors ();
  test_rng ();
  return test_finish ();
}
