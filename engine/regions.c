/* regions.c — guided Gram matrices and the content strength map (regions.h
 * has the definitions; Gatys et al. CVPR 2017, sec. 4).
 *
 * Guided Gram through the plain kernels: with s_l(p) = m_l(p)·sqrt(N/M),
 * M = Σ_p m_l(p)², the scaled map F̃ = F·s_l has F̃ F̃ᵀ / N = G^m, so
 * ns_style_layer_op on F̃ gives the loss and D with dL/dF̃ = D F̃; by the
 * chain rule dL/dF(p) = s_l(p) D F̃(p) = D (s_l(p)² F(p)).
 */
#include "regions.h"
#include "edge_pad.h"
#include "losses.h"
#include "masks.h"

#include <math.h>
#include <string.h>

#define NS_MASK_MIN_SUM 1e-12   /* Σ m_l² below this: the term is left out */

typedef struct
{
  float     *full;          /* mask at the padded level size */
  float    **scale;         /* per style layer: s_l [N], NULL = left out */
  float    **D;             /* per style layer: C x C operator of the last forward */
  int       *C;             /* per style layer: channels (D's side) */
} StyleMask;

struct NsRegions
{
  int        W, H, pw, ph;
  GPtrArray *styles;        /* StyleMask* or NULL (whole image), one per style */
  int        n_style;       /* style layers the per-layer arrays have */
  float     *content_full;  /* content mask at the padded level size, NULL = none */
  double     strength;
  float    **content_w;     /* per content layer: c_l [N] */
  int        n_content;
  float     *scratch;       /* F̃: largest C·N of a style layer */
  size_t     scratch_floats;
};

static void
style_mask_free (NsRegions *r, StyleMask *m)
{
  if (!m)
    return;
  for (int k = 0; k < r->n_style && m->scale; k++)
    {
      g_free (m->scale[k]);
      g_free (m->D[k]);
    }
  g_free (m->scale);
  g_free (m->D);
  g_free (m->C);
  g_free (m->full);
  g_free (m);
}

NsRegions *
ns_regions_new (void)
{
  NsRegions *r = g_new0 (NsRegions, 1);
  r->styles = g_ptr_array_new ();
  return r;
}

static void
clear_content (NsRegions *r)
{
  for (int i = 0; i < r->n_content && r->content_w; i++)
    g_free (r->content_w[i]);
  g_clear_pointer (&r->content_w, g_free);
  g_clear_pointer (&r->content_full, g_free);
  r->n_content = 0;
}

void
ns_regions_clear_styles (NsRegions *r)
{
  for (guint s = 0; s < r->styles->len; s++)
    style_mask_free (r, g_ptr_array_index (r->styles, s));
  g_ptr_array_set_size (r->styles, 0);
  r->n_style = 0;
}

void
ns_regions_free (NsRegions *r)
{
  if (!r)
    return;
  ns_regions_clear_styles (r);
  g_ptr_array_free (r->styles, TRUE);
  clear_content (r);
  g_free (r->scratch);
  g_free (r);
}

void
ns_regions_set_level (NsRegions *r, int W, int H, int pw, int ph)
{
  r->W = W;
  r->H = H;
  r->pw = pw;
  r->ph = ph;
  clear_content (r);
}

/* The W x H mask extended like the network's input (edge_pad.h). */
static float *
padded (const NsRegions *r, const float *mask, GError **error)
{
  float *full = g_try_new (float, (size_t) (r->W + r->pw) * (r->H + r->ph));
  if (!full)
    g_set_error (error, NS_ERROR, NS_ERROR_NO_MEMORY, "out of memory (mask)");
  else if (r->pw || r->ph)
    ns_edge_pad (mask, 1, r->W, r->H, r->pw, r->ph, full);
  else
    memcpy (full, mask, (size_t) r->W * r->H * sizeof (float));
  return full;
}

gboolean
ns_regions_add_style (NsRegions *r, const float *mask, GError **error)
{
  StyleMask *m = NULL;
  if (mask)
    {
      m = g_new0 (StyleMask, 1);
      if (!(m->full = padded (r, mask, error)))
        {
          g_free (m);
          return FALSE;
        }
    }
  g_ptr_array_add (r->styles, m);
  return TRUE;
}

gboolean
ns_regions_set_content_map (NsRegions *r, const float *mask, double strength, GError **error)
{
  clear_content (r);
  r->strength = strength;
  return !mask || (r->content_full = padded (r, mask, error)) != NULL;
}

gboolean
ns_regions_style_masked (const NsRegions *r, int s)
{
  return s < (int) r->styles->len && g_ptr_array_index (r->styles, s) != NULL;
}

gboolean
ns_regions_has_content_map (const NsRegions *r)
{
  return r->content_full != NULL;
}

static gboolean
oom (GError **error)
{
  g_set_error (error, NS_ERROR, NS_ERROR_NO_MEMORY, "out of memory (masks at the layers)");
  return FALSE;
}

/* s_l = m_l·sqrt(N/M) of one style layer, or NULL when M < 1e-12. */
static float *
style_scale (const float *full, int Wp, int Hp, int w, int h, gboolean *fail)
{
  const size_t N = (size_t) w * h;
  float *ml = g_try_new (float, N);
  if (!ml)
    {
      *fail = TRUE;
      return NULL;
    }
  ns_mask_cells (full, Wp, Hp, ml, w, h);
  double M = 0.0;
  for (size_t p = 0; p < N; p++)
    M += (double) ml[p] * ml[p];
  if (M < NS_MASK_MIN_SUM)
    {
      g_free (ml);
      return NULL;
    }
  const double k = sqrt ((double) N / M);
  for (size_t p = 0; p < N; p++)
    ml[p] = (float) (ml[p] * k);
  return ml;
}

gboolean
ns_regions_prepare (NsRegions *r, const NsNetwork *net, const int *style_taps, int n_style,
                    const int *content_taps, int n_content, GError **error)
{
  const int Wp = r->W + r->pw, Hp = r->H + r->ph;
  size_t need = 0;
  gboolean fail = FALSE;
  for (guint s = 0; s < r->styles->len; s++)
    {
      StyleMask *m = g_ptr_array_index (r->styles, s);
      if (!m || m->scale)
        continue;
      r->n_style = n_style;
      m->scale = g_new0 (float *, n_style);
      m->D = g_new0 (float *, n_style);
      m->C = g_new0 (int, n_style);
      for (int k = 0; k < n_style; k++)
        {
          int C, h, w;
          ns_network_tap_shape (net, style_taps[k], &C, &h, &w);
          m->C[k] = C;
          m->scale[k] = style_scale (m->full, Wp, Hp, w, h, &fail);
          m->D[k] = g_try_new (float, (size_t) C * C);
          fail |= m->D[k] == NULL;
          need = MAX (need, (size_t) C * w * h);
        }
    }
  if (need > r->scratch_floats)
    {
      g_free (r->scratch);
      r->scratch = g_try_new (float, need);
      r->scratch_floats = r->scratch ? need : 0;
      fail |= r->scratch == NULL;
    }
  if (r->content_full && !r->content_w)
    {
      r->content_w = g_new0 (float *, MAX (n_content, 1));
      r->n_content = n_content;
      for (int i = 0; i < n_content; i++)
        {
          int h, w;
          ns_network_tap_shape (net, content_taps[i], NULL, &h, &w);
          const size_t N = (size_t) w * h;
          float *c = r->content_w[i] = g_try_new (float, N);
          if (!c)
            {
              fail = TRUE;
              continue;
            }
          ns_mask_cells (r->content_full, Wp, Hp, c, w, h);
          for (size_t p = 0; p < N; p++)        /* c = 1 + (S − 1) m */
            c[p] = (float) (1.0 + (r->strength - 1.0) * c[p]);
        }
    }
  return fail ? oom (error) : TRUE;
}

double
ns_regions_style_term (NsRegions *r, int s, int k, const float *F, int C, int N,
                       const float *A, double a_norm_sq, double beta, double layer_weight,
                       float *G_ws)
{
  StyleMask *m = g_ptr_array_index (r->styles, s);
  const float *sc = m->scale[k];
  if (!sc)
    return 0.0;
  float *Ft = r->scratch;                       /* F̃ = F · s_l   [C][N] */
#pragma omp parallel for schedule(static) if ((size_t) C * N >= 32768)
  for (int c = 0; c < C; c++)
    for (int p = 0; p < N; p++)
      Ft[(size_t) c * N + p] = F[(size_t) c * N + p] * sc[p];
  double loss = ns_style_layer_op (Ft, C, N, &A, &a_norm_sq, &beta, 1, layer_weight, G_ws);
  memcpy (m->D[k], G_ws, (size_t) C * C * sizeof (float));
  return loss;
}

void
ns_regions_style_apply (NsRegions *r, int k, const float *F, size_t ldf, int C, int n,
                        size_t off, float *dF, size_t ldd, float *scratch)
{
  for (guint s = 0; s < r->styles->len; s++)
    {
      StyleMask *m = g_ptr_array_index (r->styles, s);
      if (!m || !m->scale[k])
        continue;
      const float *sc = m->scale[k] + off;
      float *Fw = r->scratch;                   /* s_l² F for these pixels  [C][n] */
#pragma omp parallel for schedule(static) if ((size_t) C * n >= 32768)
      for (int c = 0; c < C; c++)
        for (int j = 0; j < n; j++)
          Fw[(size_t) c * n + j] = F[c * ldf + j] * (sc[j] * sc[j]);
      ns_style_layer_apply (m->D[k], Fw, (size_t) n, C, n, dF, ldd, scratch);
    }
}

double
ns_regions_content_loss (const NsRegions *r, int i, const float *F, const float *P, int C,
                         int N, double p_mean_sq, double weight)
{
  const float *cw = r->content_w[i];
  double s = 0.0;
  for (int c = 0; c < C; c++)
    for (int p = 0; p < N; p++)
      {
        const double d = (double) F[(size_t) c * N + p] - P[(size_t) c * N + p];
        s += cw[p] * d * d;
      }
  return weight * s / ((double) C * N) / (p_mean_sq + NS_LOSS_EPS);
}

void
ns_regions_content_apply (const NsRegions *r, int i, const float *F, size_t ldf,
                          const float *P, int C, int N, int n, size_t off, double gscale,
                          float *dF, size_t ldd)
{
  const float *cw = r->content_w[i] + off;
  const float k = (float) gscale;
#pragma omp parallel for schedule(static) if ((size_t) C * n >= 32768)
  for (int c = 0; c < C; c++)
    for (int j = 0; j < n; j++)
      dF[c * ldd + j] += k * cw[j] * (F[c * ldf + j] - P[(size_t) c * N + off + j]);
}

guint64
ns_regions_memory_bytes (const NsNetwork *net, const int *style_taps, int n_style,
                         const int *content_taps, int n_content, int Wp, int Hp,
                         int n_masked, gboolean content_map)
{
  guint64 floats = 0, per_style = (guint64) Wp * Hp, scratch = 0;
  for (int k = 0; k < n_style && n_masked > 0; k++)
    {
      int C, h, w;
      ns_network_tap_shape (net, style_taps[k], &C, &h, &w);
      per_style += (guint64) w * h + (guint64) C * C;   /* s_l and D */
      scratch = MAX (scratch, (guint64) C * w * h);
    }
  if (n_masked > 0)
    floats += (guint64) n_masked * per_style + scratch;
  if (content_map)
    {
      floats += (guint64) Wp * Hp;
      for (int i = 0; i < n_content; i++)
        {
          int h, w;
          ns_network_tap_shape (net, content_taps[i], NULL, &h, &w);
          floats += (guint64) w * h;
        }
    }
  return floats * sizeof (float);
}
