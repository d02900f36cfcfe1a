/* objective.c — targets and evaluation of the style-transfer objective.
 *
 *   L(x) = α Σ_l b_l · mean((F_l(x) − F_l(c))²) / (mean(F_l(c)²) + 1e-8)
 *        + β Σ_k w_k Σ_s β_s ‖G_k(x) − G_k(s)‖²_F / (‖G_k(s)‖²_F + 1e-8)
 *        + γ TV(x)
 * (Gatys et al. 2016, eqs. 1–7, with per-layer normalisation so that the
 * weights are scale-free ratios; losses.h has the exact per-term forms.)
 * F_l(x) is read from the network's view of x: x itself, or x extended at
 * the bottom/right by reflection where a window would leave its last
 * rows/columns out (edge_pad.h; the content target likewise); the gradient
 * of the extension is folded back onto the pixels it copies.
 * Regions (regions.h, Gatys et al. 2017 sec. 4): a style with a mask has
 * its own guided Gram term; the content term may be weighted by a strength
 * map.  Luminance-only transfer (sec. 5.1): x is one plane Y and the network
 * sees (Y, Y, Y).
 */
#include "objective_private.h"
#include "style_balance.h"
#include "losses.h"

#include <math.h>
#include <string.h>


char **
ns_parse_layer_list (const char *list)
{
  if (!list)
    return NULL;
  char **parts = g_strsplit (list, ",", -1);
  GPtrArray *out = g_ptr_array_new ();
  for (int i = 0; parts[i]; i++)
    {
      char *s = g_strstrip (parts[i]);
      if (*s)
        g_ptr_array_add (out, g_strdup (s));
    }
  g_strfreev (parts);
  if (out->len == 0)
    {
      g_ptr_array_free (out, TRUE);
      return NULL;
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

static int
tap_index (GPtrArray *taps, const char *name)
{
  for (guint i = 0; i < taps->len; i++)
    if (strcmp (g_ptr_array_index (taps, i), name) == 0)
      return (int) i;
  g_ptr_array_add (taps, g_strdup (name));
  return (int) taps->len - 1;
}

static gboolean
check_layers (const NsModel *model, char **names, const char *what, GError **error)
{
  for (int i = 0; names && names[i]; i++)
    if (!ns_model_has_layer (model, names[i]))
      {
        g_set_error (error, NS_ERROR, NS_ERROR_INVALID_ARG,
                     "unknown %s layer \"%s\" for %s", what, names[i],
                     ns_model_architecture (model));
        return FALSE;
      }
  return TRUE;
}

/* The content and style layer lists of p (or the architecture's defaults),
 * checked against the model.  *custom_content: the content list was given
 * explicitly (equal weights) rather than the default blend pair. */
static gboolean
layer_lists (const NsModel *model, const NsParams *p, char ***content_names,
             char ***style_names, gboolean *custom_content, GError **error)
{
  *content_names = ns_parse_layer_list (p->content_layers);
  *style_names = ns_parse_layer_list (p->style_layers ? p->style_layers
                                      : ns_model_default_style_layers (model));
  *custom_content = *content_names != NULL;
  if (!*custom_content)
    *content_names = ns_parse_layer_list (ns_model_default_content_layers (model));

  gboolean ok = TRUE;
  if (!*style_names)
    {
      g_set_error (error, NS_ERROR, NS_ERROR_INVALID_ARG, "the style layer list is empty");
      ok = FALSE;
    }
  else
    ok = check_layers (model, *content_names, "content", error)
      && check_layers (model, *style_names, "style", error);
  if (!ok)
    {
      g_clear_pointer (content_names, g_strfreev);
      g_clear_pointer (style_names, g_strfreev);
    }
  return ok;
}

gboolean
ns_objective_check_layers (const NsModel *model, const NsParams *p, GError **error)
{
  char **content_names, **style_names;
  gboolean custom;
  if (!layer_lists (model, p, &content_names, &style_names, &custom, error))
    return FALSE;
  g_strfreev (content_names);
  g_strfreev (style_names);
  return TRUE;
}

static NsObjective *
objective_new (const NsModel *model, const NsParams *p, gboolean plan_only, GError **error)
{
  char **content_names, **style_names;
  gboolean custom_content;
  if (!layer_lists (model, p, &content_names, &style_names, &custom_content, error))
    return NULL;

  NsObjective *obj = g_new0 (NsObjective, 1);
  GPtrArray *taps = g_ptr_array_new ();
  obj->arch = model->arch;
  obj->alpha = p->content_weight;
  obj->beta = p->style_weight;
  obj->gamma = p->tv_weight;
  obj->style_loss = p->style_loss;
  obj->seed = p->seed;
  obj->balance = p->style_balance == NS_STYLE_BALANCE_AUTO && p->style_loss == NS_STYLE_LOSS_GRAM;

  /* Content: default = blend b on the primary, 1-b on the secondary layer
   * (layers with weight 0 are dropped); custom list = equal 1/n. */
  int nc = g_strv_length (content_names);
  obj->content = g_new0 (LayerUse, nc);
  for (int i = 0; i < nc; i++)
    {
      double b = custom_content ? 1.0 / nc
        : (i == 0 ? p->content_weight_blend : 1.0 - p->content_weight_blend);
      if (b <= 0.0)
        continue;
      obj->content[obj->n_content++] = (LayerUse) { tap_index (taps, content_names[i]), b };
    }

  /* Style: w_k = e^k / Σ_j e^j. */
  int ns = g_strv_length (style_names);
  obj->style = g_new0 (LayerUse, ns);
  double sum = 0.0;
  for (int k = 0; k < ns; k++)
    sum += pow (p->style_layer_weight_exp, k);
  for (int k = 0; k < ns; k++)
    obj->style[obj->n_style++] = (LayerUse) { tap_index (taps, style_names[k]),
                                              pow (p->style_layer_weight_exp, k) / sum };
  g_strfreev (content_names);
  g_strfreev (style_names);

  obj->n_taps = (int) taps->len;
  g_ptr_array_add (taps, NULL);
  obj->taps = (char **) g_ptr_array_free (taps, FALSE);
  obj->net = (plan_only ? ns_network_new_plan : ns_network_new)
    (model, p->pooling, (const char *const *) obj->taps, obj->n_taps, error);
  obj->axis = ns_edge_axis_windows (model->arch, (const char *const *) obj->taps,
                                    obj->n_taps, &obj->n_axis);
  obj->style_targets = g_ptr_array_new ();
  obj->style_beta = g_array_new (FALSE, FALSE, sizeof (double));
  obj->content_feat = g_new0 (float *, MAX (obj->n_content, 1));
  obj->content_msq = g_new0 (double, MAX (obj->n_content, 1));
  obj->content_gscale = g_new0 (double, MAX (obj->n_content, 1));
  obj->style_op = g_new0 (float *, MAX (obj->n_style, 1));
  obj->regions = ns_regions_new ();
  obj->style_taps = g_new0 (int, MAX (obj->n_style, 1));
  obj->content_taps = g_new0 (int, MAX (obj->n_content, 1));
  for (int k = 0; k < obj->n_style; k++)
    obj->style_taps[k] = obj->style[k].tap;
  for (int i = 0; i < obj->n_content; i++)
    obj->content_taps[i] = obj->content[i].tap;
  obj->luma = p->color_transfer == NS_COLOR_TRANSFER_LUMINANCE;
  obj->swd_dir = g_new0 (float *, MAX (obj->n_style, 1));
  obj->swd_grad = g_new0 (float *, MAX (obj->n_style, 1));
  obj->content_gram = g_new0 (float *, MAX (obj->n_style, 1));
  if (!obj->net)
    {
      ns_objective_free (obj);
      return NULL;
    }
  return obj;
}

NsObjective *
ns_objective_new (const NsModel *model, const NsParams *p, GError **error)
{
  return objective_new (model, p, FALSE, error);
}

NsObjective *
ns_objective_new_plan (const NsModel *model, const NsParams *p, GError **error)
{
  return objective_new (model, p, TRUE, error);
}

static void
free_style_target (NsObjective *obj, StyleTarget *t)
{
  for (int k = 0; k < obj->n_style; k++)
    {
      g_free (t[k].gram);
      g_free (t[k].sorted);
    }
  g_free (t);
}

void
ns_objective_clear_styles (NsObjective *obj)
{
  for (guint i = 0; i < obj->style_targets->len; i++)
    free_style_target (obj, g_ptr_array_index (obj->style_targets, i));
  g_ptr_array_set_size (obj->style_targets, 0);
  g_array_set_size (obj->style_beta, 0);
  ns_regions_clear_styles (obj->regions);
}

void
ns_objective_free (NsObjective *obj)
{
  if (!obj)
    return;
  ns_objective_clear_styles (obj);
  ns_obj_tiling_free (obj->tiling, obj->n_style);
  g_ptr_array_free (obj->style_targets, TRUE);
  g_array_free (obj->style_beta, TRUE);
  for (int i = 0; i < obj->n_content; i++)
    g_free (obj->content_feat[i]);
  g_free (obj->content_feat);
  g_free (obj->content_msq);
  g_free (obj->content_gscale);
  for (int k = 0; k < obj->n_style && obj->style_op; k++)
    g_free (obj->style_op[k]);
  g_free (obj->style_op);
  for (int k = 0; k < obj->n_style && obj->swd_dir; k++)
    {
      g_free (obj->swd_dir[k]);
      g_free (obj->swd_grad[k]);
    }
  g_free (obj->swd_dir);
  g_free (obj->swd_grad);
  for (int k = 0; k < obj->n_style && obj->content_gram; k++)
    g_free (obj->content_gram[k]);
  g_free (obj->content_gram);
  g_free (obj->balance_f);
  g_free (obj->swd_pairs);
  g_free (obj->swd_n_tmp);
  g_free (obj->content);
  g_free (obj->style);
  g_strfreev (obj->taps);
  g_free (obj->gram_ws);
  g_free (obj->beta_norm);
  g_free (obj->targets_tmp);
  g_free (obj->norms_tmp);
  g_free (obj->betas_tmp);
  g_free (obj->axis);
  g_free (obj->xpad);
  g_free (obj->gpad);
  ns_regions_free (obj->regions);
  g_free (obj->style_taps);
  g_free (obj->content_taps);
  g_free (obj->y3);
  g_free (obj->g3);
  ns_network_free (obj->net);
  g_free (obj);
}

NsNetwork *
ns_objective_network (NsObjective *obj)
{
  return obj->net;
}

static gboolean
ensure_gram_ws (NsObjective *obj, int C, GError **error)
{
  size_t need = ns_style_ws_floats (C);
  if (need <= obj->gram_ws_floats)
    return TRUE;
  g_free (obj->gram_ws);
  obj->gram_ws = g_try_new (float, need);
  obj->gram_ws_floats = obj->gram_ws ? need : 0;
  if (!obj->gram_ws)
    g_set_error (error, NS_ERROR, NS_ERROR_NO_MEMORY, "out of memory (Gram matrix)");
  return obj->gram_ws != NULL;
}

void
ns_objective_edge_pad (const NsObjective *obj, int W, int H, int *pad_w, int *pad_h)
{
  *pad_w = ns_edge_pad_for (obj->axis, obj->n_axis, W);
  *pad_h = ns_edge_pad_for (obj->axis, obj->n_axis, H);
}

/* Working size W x H: the pads and (untiled: tiles read the image through
 * the reflection themselves) their buffers. */
static gboolean
set_edge_pad (NsObjective *obj, int W, int H, GError **error)
{
  g_clear_pointer (&obj->xpad, g_free);
  g_clear_pointer (&obj->gpad, g_free);
  if ((obj->pad_w == 0 && obj->pad_h == 0) || obj->tiled)
    return TRUE;
  size_t n = (size_t) 3 * (W + obj->pad_w) * (H + obj->pad_h);
  obj->xpad = g_try_new (float, n);
  obj->gpad = g_try_new (float, n);
  if (!obj->xpad || !obj->gpad)
    {
      g_set_error (error, NS_ERROR, NS_ERROR_NO_MEMORY, "out of memory (edge padding)");
      return FALSE;
    }
  return TRUE;
}

/* The network's input for the working image x: x itself, or x padded. */
static const float *
network_input (NsObjective *obj, const float *x)
{
  if (!obj->xpad)
    return x;
  ns_edge_pad (x, 3, obj->W, obj->H, obj->pad_w, obj->pad_h, obj->xpad);
  return obj->xpad;
}

/* Style balance: the content image's Gram matrices at the style layers,
 * computed as a style image's are (W x H as it is, tiled where the level
 * is). */
static gboolean
content_grams (NsObjective *obj, const float *content, int W, int H, GError **error)
{
  gboolean tiled = FALSE;
  for (int k = 0; k < obj->n_style; k++)
    g_clear_pointer (&obj->content_gram[k], g_free);
  if (!ns_obj_tiled_style_grams (obj, content, W, H, obj->content_gram, &tiled, error))
    return FALSE;
  if (tiled)
    return TRUE;
  if (!ns_network_prepare (obj->net, H, W, error))
    return FALSE;
  ns_network_forward (obj->net, content);
  for (int k = 0; k < obj->n_style; k++)
    {
      int C, h, w;
      const float *F = ns_network_tap (obj->net, obj->style[k].tap, &C, &h, &w);
      if (!(obj->content_gram[k] = g_try_new (float, (size_t) C * C)))
        {
          g_set_error (error, NS_ERROR, NS_ERROR_NO_MEMORY, "out of memory (Gram matrix)");
          return FALSE;
        }
      ns_gram (F, C, h * w, obj->content_gram[k]);
    }
  return TRUE;
}

gboolean
ns_objective_set_content (NsObjective *obj, const float *content, int W, int H,
                          GError **error)
{
  obj->W = W;
  obj->H = H;
  ns_objective_edge_pad (obj, W, H, &obj->pad_w, &obj->pad_h);
  if (!ns_obj_tiling_level (obj, error) || !set_edge_pad (obj, W, H, error)
      || (!obj->tiled && !ns_network_prepare (obj->net, H + obj->pad_h, W + obj->pad_w, error)))
    return FALSE;
  ns_regions_set_level (obj->regions, W, H, obj->pad_w, obj->pad_h);
  g_clear_pointer (&obj->y3, g_free);
  g_clear_pointer (&obj->g3, g_free);
  if (obj->luma
      && (!(obj->y3 = g_try_new (float, (size_t) 3 * W * H))
          || !(obj->g3 = g_try_new (float, (size_t) 3 * W * H))))
    {
      g_set_error (error, NS_ERROR, NS_ERROR_NO_MEMORY, "out of memory (luminance image)");
      return FALSE;
    }
  if (obj->balance && !content_grams (obj, content, W, H, error))
    return FALSE;
  if (obj->tiled)
    return ns_obj_tiled_content (obj, content, error);
  if (obj->balance && !ns_network_prepare (obj->net, H + obj->pad_h, W + obj->pad_w, error))
    return FALSE;
  ns_network_forward (obj->net, network_input (obj, content));
  for (int i = 0; i < obj->n_content; i++)
    {
      int C, h, w;
      const float *F = ns_network_tap (obj->net, obj->content[i].tap, &C, &h, &w);
      size_t n = (size_t) C * h * w;
      g_free (obj->content_feat[i]);
      obj->content_feat[i] = g_try_new (float, n);
      if (!obj->content_feat[i])
        {
          g_set_error (error, NS_ERROR, NS_ERROR_NO_MEMORY, "out of memory (content features)");
          return FALSE;
        }
      memcpy (obj->content_feat[i], F, n * sizeof (float));
      obj->content_msq[i] = ns_mean_square (F, n);
    }
  return TRUE;
}

/* Store the targets t (n_style Gram matrices, owned from now on) of one
 * style image with raw blend weight beta and its mask (NULL: whole image). */
static gboolean
store_style (NsObjective *obj, StyleTarget *t, const int *C, double beta, const float *mask,
             GError **error)
{
  for (int k = 0; k < obj->n_style && obj->style_loss != NS_STYLE_LOSS_SWD; k++)
    {
      if (!obj->style_op[k])
        obj->style_op[k] = g_try_new (float, (size_t) C[k] * C[k]);
      if (!t[k].gram || !obj->style_op[k] || !ensure_gram_ws (obj, C[k], error))
        {
          if (error && !*error)
            g_set_error (error, NS_ERROR, NS_ERROR_NO_MEMORY, "out of memory (Gram matrix)");
          free_style_target (obj, t);
          return FALSE;
        }
      t[k].norm_sq = ns_frobenius_sq (t[k].gram, (size_t) C[k] * C[k]);
    }
  if (!ns_regions_add_style (obj->regions, mask, error))
    {
      free_style_target (obj, t);
      return FALSE;
    }
  g_ptr_array_add (obj->style_targets, t);
  g_array_append_val (obj->style_beta, beta);
  return TRUE;
}

gboolean
ns_objective_set_content_map (NsObjective *obj, const float *mask, double strength,
                              GError **error)
{
  return ns_regions_set_content_map (obj->regions, mask, strength, error);
}

gboolean
ns_objective_add_style (NsObjective *obj, const float *style, int sw, int sh,
                        double beta, GError **error)
{
  return ns_objective_add_style_masked (obj, style, sw, sh, beta, NULL, error);
}

gboolean
ns_objective_add_style_masked (NsObjective *obj, const float *style, int sw, int sh,
                               double beta, const float *mask, GError **error)
{
  if (mask && obj->style_loss == NS_STYLE_LOSS_SWD)
    {
      g_set_error (error, NS_ERROR, NS_ERROR_INVALID_ARG,
                   "a style with a mask (region) needs the Gram style loss, not swd");
      return FALSE;
    }
  StyleTarget *t = g_new0 (StyleTarget, obj->n_style);
  int *C = g_new0 (int, MAX (obj->n_style, 1));
  float **grams = g_new0 (float *, MAX (obj->n_style, 1));
  gboolean tiled = FALSE;
  if (!mask && !ns_obj_tiled_style_grams (obj, style, sw, sh, grams, &tiled, error))
    goto fail;
  if (!tiled && !ns_network_prepare (obj->net, sh, sw, error))
    goto fail;
  if (!tiled)
    ns_network_forward (obj->net, style);
  for (int k = 0; k < obj->n_style; k++)
    {
      if (tiled)
        {
          t[k].gram = grams[k];
          ns_network_tap_shape (obj->net, obj->style[k].tap, &C[k], NULL, NULL);
          continue;
        }
      int h, w;
      const float *F = ns_network_tap (obj->net, obj->style[k].tap, &C[k], &h, &w);
      if (obj->style_loss == NS_STYLE_LOSS_SWD)
        {
          if (!obj->swd_dir[k] && (obj->swd_dir[k] = g_try_new (float, (size_t) C[k] * C[k])))
            ns_swd_directions (C[k], obj->seed + (guint64) k, obj->swd_dir[k]);
          t[k].sorted = g_try_new (float, (size_t) C[k] * h * w);
          if (!obj->swd_dir[k] || !t[k].sorted)
            {
              g_set_error (error, NS_ERROR, NS_ERROR_NO_MEMORY, "out of memory (style projections)");
              free_style_target (obj, t);
              g_free (C);
              return FALSE;
            }
          t[k].n = h * w;
          t[k].norm_sq = ns_swd_sorted_projections (F, C[k], h * w, obj->swd_dir[k], t[k].sorted);
          continue;
        }
      t[k].gram = g_try_new (float, (size_t) C[k] * C[k]);
      if (t[k].gram)
        ns_gram (F, C[k], h * w, t[k].gram);
    }
  g_free (grams);
  gboolean ok = store_style (obj, t, C, beta, mask, error);
  g_free (C);
  return ok;
fail:
  g_prefix_error (error, "style image: ");
  for (int k = 0; k < obj->n_style; k++)
    g_free (grams[k]);
  g_free (grams);
  free_style_target (obj, t);
  g_free (C);
  return FALSE;
}

int
ns_objective_n_styles (const NsObjective *obj)
{
  return (int) obj->style_targets->len;
}

int
ns_objective_n_style_layers (const NsObjective *obj)
{
  return obj->n_style;
}

const float *
ns_objective_style_gram (const NsObjective *obj, int s, int k, int *C)
{
  const StyleTarget *t = g_ptr_array_index (obj->style_targets, s);
  ns_network_tap_shape (obj->net, obj->style[k].tap, C, NULL, NULL);
  return t[k].gram;
}

gboolean
ns_objective_add_style_grams (NsObjective *obj, const float *const *grams, const int *C,
                              double beta, GError **error)
{
  if (obj->style_loss != NS_STYLE_LOSS_GRAM)
    {
      g_set_error (error, NS_ERROR, NS_ERROR_INVALID_ARG, "Gram targets need the Gram style loss");
      return FALSE;
    }
  StyleTarget *t = g_new0 (StyleTarget, obj->n_style);
  for (int k = 0; k < obj->n_style; k++)
    t[k].gram = g_memdup2 (grams[k], (gsize) C[k] * C[k] * sizeof (float));
  return store_style (obj, t, C, beta, NULL, error);
}

/* SWD at the working size: the projections' gradients and the sort scratch. */
static gboolean
swd_prepare (NsObjective *obj, GError **error)
{
  size_t max_hw = 1;
  for (int k = 0; k < obj->n_style; k++)
    {
      int C, h, w;
      ns_network_tap_shape (obj->net, obj->style[k].tap, &C, &h, &w);
      g_free (obj->swd_grad[k]);
      obj->swd_grad[k] = g_try_new (float, (size_t) C * h * w);
      if (!obj->swd_grad[k])
        goto oom;
      max_hw = MAX (max_hw, (size_t) h * w);
    }
  g_free (obj->swd_pairs);
  g_free (obj->swd_n_tmp);
  obj->swd_pairs = g_try_new (NsSwdPair, 2 * max_hw);
  obj->swd_n_tmp = g_new (int, obj->style_targets->len);
  if (obj->swd_pairs)
    return TRUE;
oom:
  g_set_error (error, NS_ERROR, NS_ERROR_NO_MEMORY, "out of memory (sliced Wasserstein loss)");
  return FALSE;
}

/* Style balance: β_s times the rule's factor f_s (style_balance.h) from
 * ρ_k = ‖G_k(c)‖ / ‖G_k(s)‖ of each style layer. */
static void
apply_balance (NsObjective *obj)
{
  int n = (int) obj->style_targets->len;
  double *log_rho = g_new (double, obj->n_style), *w = g_new (double, obj->n_style);
  g_free (obj->balance_f);
  obj->balance_f = g_new (double, n);
  for (int s = 0; s < n; s++)
    {
      StyleTarget *st = g_ptr_array_index (obj->style_targets, s);
      for (int k = 0; k < obj->n_style; k++)
        {
          int C;
          ns_network_tap_shape (obj->net, obj->style[k].tap, &C, NULL, NULL);
          log_rho[k] = ns_style_balance_log_rho (obj->content_gram[k], st[k].gram, C);
          w[k] = obj->style[k].weight;
        }
      obj->balance_f[s] = ns_style_balance_factor (log_rho, w, obj->n_style);
      obj->beta_norm[s] *= obj->balance_f[s];
    }
  g_free (log_rho);
  g_free (w);
}

gboolean
ns_objective_ready (NsObjective *obj, GError **error)
{
  int n = (int) obj->style_targets->len;
  if (n == 0)
    {
      g_set_error (error, NS_ERROR, NS_ERROR_INVALID_ARG, "no style image");
      return FALSE;
    }
  double sum = 0.0;
  for (int s = 0; s < n; s++)
    sum += g_array_index (obj->style_beta, double, s);
  if (!(sum > 0.0) || !isfinite (sum))
    {
      g_set_error (error, NS_ERROR, NS_ERROR_INVALID_ARG,
                   "style weights must be >= 0 and not all 0");
      return FALSE;
    }
  g_free (obj->beta_norm);
  g_free (obj->targets_tmp);
  g_free (obj->norms_tmp);
  g_free (obj->betas_tmp);
  obj->betas_tmp = g_new (double, n);
  obj->beta_norm = g_new (double, n);
  obj->targets_tmp = g_new (const float *, n);
  obj->norms_tmp = g_new (double, n);
  for (int s = 0; s < n; s++)
    obj->beta_norm[s] = g_array_index (obj->style_beta, double, s) / sum;
  if (obj->balance)
    apply_balance (obj);
  if (obj->tiled)
    return ns_obj_tiled_check (obj, error);
  if (!ns_network_prepare (obj->net, obj->H + obj->pad_h, obj->W + obj->pad_w, error)
      || !ns_regions_prepare (obj->regions, obj->net, obj->style_taps, obj->n_style,
                              obj->content_taps, obj->n_content, error))
    return FALSE;
  return obj->style_loss != NS_STYLE_LOSS_SWD || swd_prepare (obj, error);
}

/* Forward-pass callback: the content and style losses of tap t, and the
 * parts of their gradients that need the whole map (content_gscale, the
 * style operators D). */
static double
tap_loss (int t, const float *F, int C, int HW, void *ctx)
{
  NsObjective *obj = ctx;
  double loss = 0.0;
  for (int i = 0; i < obj->n_content; i++)
    if (obj->content[i].tap == t)
      {
        const size_t n = (size_t) C * HW;
        const double b = obj->alpha * obj->content[i].weight;
        double l = ns_regions_has_content_map (obj->regions)
          ? ns_regions_content_loss (obj->regions, i, F, obj->content_feat[i], C, HW,
                                     obj->content_msq[i], b)
          : ns_content_loss (F, obj->content_feat[i], n, obj->content_msq[i], b, NULL);
        obj->content_gscale[i] = ns_content_grad_scale (n, obj->content_msq[i], b);
        obj->last.content += l;
        loss += l;
      }
  int n = (int) obj->style_targets->len;
  for (int k = 0; k < obj->n_style; k++)
    if (obj->style[k].tap == t)
      {
        const double lw = obj->beta * obj->style[k].weight;
        if (obj->style_loss == NS_STYLE_LOSS_SWD)
          {
            /* sliced Wasserstein (loss_swd.c; styles have no masks here) */
            for (int s = 0; s < n; s++)
              {
                StyleTarget *st = g_ptr_array_index (obj->style_targets, s);
                obj->targets_tmp[s] = st[k].sorted;
                obj->norms_tmp[s] = st[k].norm_sq;
                obj->swd_n_tmp[s] = st[k].n;
              }
            double l = ns_swd_layer_op (F, C, HW, obj->swd_dir[k], obj->targets_tmp,
                                        obj->swd_n_tmp, obj->norms_tmp, obj->beta_norm, n, lw,
                                        obj->swd_grad[k], obj->swd_pairs);
            obj->last.style += l;
            loss += l;
            continue;
          }
        /* styles without a mask: one plain term (losses.c); the masked
         * ones: a guided term each (regions.c) */
        double l = 0.0;
        int m = 0;
        for (int s = 0; s < n; s++)
          {
            StyleTarget *st = g_ptr_array_index (obj->style_targets, s);
            if (ns_regions_style_masked (obj->regions, s))
              l += ns_regions_style_term (obj->regions, s, k, F, C, HW, st[k].gram,
                                          st[k].norm_sq, obj->beta_norm[s], lw, obj->gram_ws);
            else
              {
                obj->targets_tmp[m] = st[k].gram;
                obj->norms_tmp[m] = st[k].norm_sq;
                obj->betas_tmp[m++] = obj->beta_norm[s];
              }
          }
        if (m > 0)
          {
            l += ns_style_layer_op (F, C, HW, obj->targets_tmp, obj->norms_tmp,
                                    obj->betas_tmp, m, lw, obj->gram_ws);
            memcpy (obj->style_op[k], obj->gram_ws, (size_t) C * C * sizeof (float));
          }
        else
          memset (obj->style_op[k], 0, (size_t) C * C * sizeof (float));
        obj->last.style += l;
        loss += l;
      }
  return loss;
}

/* Backward-pass callback: add the content and style gradients of tap t for
 * pixels off .. off+n-1. */
static void
tap_grad (int t, const float *F, size_t ldf, int C, int n, size_t off, float *dF, size_t ldd,
          void *ctx)
{
  NsObjective *obj = ctx;
  for (int i = 0; i < obj->n_content; i++)
    if (obj->content[i].tap == t)
      {
        int h, w;
        ns_network_tap_shape (obj->net, t, NULL, &h, &w);
        const size_t hw = (size_t) h * w;
        if (ns_regions_has_content_map (obj->regions))
          ns_regions_content_apply (obj->regions, i, F, ldf, obj->content_feat[i], C, (int) hw,
                                    n, off, obj->content_gscale[i], dF, ldd);
        else if (ldf == hw && ldd == hw && (size_t) n == hw)     /* the whole map at once */
          ns_content_apply (F, obj->content_feat[i], (size_t) C * hw, obj->content_gscale[i], dF);
        else
          for (int c = 0; c < C; c++)
            ns_content_apply (F + c * ldf, obj->content_feat[i] + c * hw + off, (size_t) n,
                              obj->content_gscale[i], dF + c * ldd);
      }
  for (int k = 0; k < obj->n_style; k++)
    if (obj->style[k].tap == t)
      {
        if (obj->style_loss == NS_STYLE_LOSS_SWD)
          {
            int h, w;
            ns_network_tap_shape (obj->net, t, NULL, &h, &w);
            ns_swd_layer_apply (obj->swd_dir[k], obj->swd_grad[k], h * w, off, C, n, dF, ldd);
          }
        else
          {
            ns_style_layer_apply (obj->style_op[k], F, ldf, C, n, dF, ldd, obj->gram_ws);
            ns_regions_style_apply (obj->regions, k, F, ldf, C, n, off, dF, ldd, obj->gram_ws);
          }
      }
}

static const NsTapLoss tap_losses = { tap_loss, tap_grad };

static double
eval_rgb (NsObjective *obj, const float *x, float *g)
{
  if (obj->tiled)
    return ns_obj_tiled_eval (obj, x, g);
  obj->last = (NsLossTerms) { 0, 0, 0, 0 };
  ns_network_forward_losses (obj->net, network_input (obj, x), &tap_losses, obj);
  ns_network_backward (obj->net, &tap_losses, obj, obj->gpad ? obj->gpad : g);
  if (obj->gpad)
    ns_edge_pad_adjoint (obj->gpad, 3, obj->W, obj->H, obj->pad_w, obj->pad_h, g);
  obj->last.tv = ns_tv_loss (x, obj->H, obj->W, obj->gamma, g);
  obj->last.total = obj->last.content + obj->last.style + obj->last.tv;
  return obj->last.total;
}

/* Luminance-only (sec. 5.1): x = Y [H][W]; the objective of (Y, Y, Y), so
 * the TV term is Σ over Y's differences / (H·W), and ∂L/∂Y = Σ of the three
 * channels' gradients. */
double
ns_objective_eval (const float *x, float *g, void *ctx)
{
  NsObjective *obj = ctx;
  if (!obj->luma)
    return eval_rgb (obj, x, g);
  const size_t n = (size_t) obj->W * obj->H;
  for (int c = 0; c < 3; c++)
    memcpy (obj->y3 + c * n, x, n * sizeof (float));
  double f = eval_rgb (obj, obj->y3, obj->g3);
  for (size_t p = 0; p < n; p++)
    g[p] = obj->g3[p] + obj->g3[n + p] + obj->g3[2 * n + p];
  return f;
}

gboolean
ns_objective_luminance (const NsObjective *obj)
{
  return obj->luma;
}

NsLossTerms
ns_objective_last_terms (const NsObjective *obj)
{
  return obj->last;
}

guint64
ns_objective_memory_bytes (NsObjective *obj, int W, int H, int n_styles)
{
  /* network buffers at the padded W x H (this also plans every node's
   * shape, which the tap queries below read), the padded image and its
   * gradient */
  int pw, ph;
  ns_objective_edge_pad (obj, W, H, &pw, &ph);
  guint64 bytes = ns_network_memory_bytes (obj->net, H + ph, W + pw);
  if (bytes == 0)
    return 0;
  if (pw || ph)
    bytes += (guint64) 2 * 3 * (W + pw) * (H + ph) * sizeof (float);
  int max_c = 0;
  for (int k = 0; k < obj->n_style; k++)
    {
      int C;
      ns_network_tap_shape (obj->net, obj->style[k].tap, &C, NULL, NULL);
      bytes += (guint64) (n_styles + 1) * C * C * sizeof (float);   /* target Grams, D */
      if (obj->style_loss == NS_STYLE_LOSS_SWD)
        {
          /* directions; dL/dY, sort scratch and (about) each style's sorted
           * projections at the working size */
          int h, w;
          ns_network_tap_shape (obj->net, obj->style[k].tap, NULL, &h, &w);
          bytes += (guint64) C * C * sizeof (float)
                   + (guint64) (n_styles + 1) * C * h * w * sizeof (float)
                   + (guint64) 2 * h * w * sizeof (NsSwdPair);
        }
      max_c = MAX (max_c, C);
    }
  bytes += ns_style_ws_floats (max_c) * sizeof (float);     /* Gram + GEMM scratch */
  for (int i = 0; i < obj->n_content; i++)
    {
      int C, h, w;
      ns_network_tap_shape (obj->net, obj->content[i].tap, &C, &h, &w);
      bytes += (guint64) C * h * w * sizeof (float);          /* content targets */
    }
  return bytes;
}

guint64
ns_objective_regions_bytes (NsObjective *obj, int W, int H, int n_masked, gboolean content_map)
{
  int pw, ph;
  ns_objective_edge_pad (obj, W, H, &pw, &ph);
  if (ns_network_memory_bytes (obj->net, H + ph, W + pw) == 0)   /* plans the tap shapes */
    return 0;
  guint64 bytes = ns_regions_memory_bytes (obj->net, obj->style_taps, obj->n_style,
                                           obj->content_taps, obj->n_content, W + pw, H + ph,
                                           n_masked, content_map);
  if (obj->luma)     /* (Y, Y, Y) and its gradient */
    bytes += (guint64) 2 * 3 * W * H * sizeof (float);
  return bytes;
}
