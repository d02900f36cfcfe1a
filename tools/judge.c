/* judge.c — `neural-style judge CONTENT STYLE OUTPUT [CONTENT STYLE OUTPUT ...]
 * [--model GOOGLENET] [--report FILE]`: content rank and style gain of each
 * triple (definitions in judge.h) and a summary line (kept count, medians).
 *
 * One GoogLeNet network tapped at the four style layers and the softmax
 * runs each distinct image once (images repeat across triples in a sweep).
 */
#include "judge.h"
#include "classify.h"
#include "image_io.h"
#include "network.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const ns_judge_layers[NS_JUDGE_N_LAYERS] = {
  "conv1/7x7_s2", "conv2/3x3", "inception_3a/output", "inception_4a/output"
};

#define DEFAULT_MODEL "../shared/models/googlenet_bvlc.safetensors"

struct NsJudge
{
  NsModel   *model;
  NsNetwork *net;        /* taps: the four layers, then the softmax */
  int        S;          /* input side (224) */
};

NsJudge *
ns_judge_new (const char *model_path, GError **error)
{
  NsModel *m = ns_model_load (model_path, error);
  if (!m)
    return NULL;
  const int S = ns_model_input_size (m);
  if (S <= 0 || !ns_model_has_layer (m, ns_judge_layers[NS_JUDGE_N_LAYERS - 1]))
    {
      g_set_error (error, NS_ERROR, NS_ERROR_UNSUPPORTED,
                   "%s: the judge needs googlenet_bvlc (a %s model has not its layers "
                   "and classifier)", model_path, ns_model_architecture (m));
      ns_model_free (m);
      return NULL;
    }
  const char *taps[NS_JUDGE_N_LAYERS + 1];
  for (int l = 0; l < NS_JUDGE_N_LAYERS; l++)
    taps[l] = ns_judge_layers[l];
  taps[NS_JUDGE_N_LAYERS] = "prob";
  NsNetwork *net = ns_network_new (m, NS_POOLING_MAX, taps, NS_JUDGE_N_LAYERS + 1, error);
  if (!net || !ns_network_prepare (net, S, S, error))
    {
      ns_network_free (net);
      ns_model_free (m);
      return NULL;
    }
  NsJudge *j = g_new0 (NsJudge, 1);
  *j = (NsJudge) { .model = m, .net = net, .S = S };
  return j;
}

void
ns_judge_free (NsJudge *j)
{
  if (!j)
    return;
  ns_network_free (j->net);
  ns_model_free (j->model);
  g_free (j);
}

void
ns_judge_gram (const float *F, int C, int HW, double *G)
{
  for (int i = 0; i < C; i++)
    for (int k = i; k < C; k++)
      {
        const float *a = F + (size_t) i * HW, *b = F + (size_t) k * HW;
        double s = 0;
        for (int p = 0; p < HW; p++)
          s += (double) a[p] * b[p];
        G[(size_t) i * C + k] = G[(size_t) k * C + i] = s / HW;
      }
}

NsJudgeView *
ns_judge_view (NsJudge *j, const NsImage *img, GError **error)
{
  float *planar = ns_classify_input (img, j->S);
  if (!planar)
    {
      g_set_error (error, NS_ERROR, NS_ERROR_INVALID_ARG, "image too large to resize");
      return NULL;
    }
  ns_network_forward (j->net, planar);
  g_free (planar);
  NsJudgeView *v = g_new0 (NsJudgeView, 1);
  for (int l = 0; l < NS_JUDGE_N_LAYERS; l++)
    {
      int C, H, W;
      const float *F = ns_network_tap (j->net, l, &C, &H, &W);
      v->C[l] = C;
      v->gram[l] = g_new (double, (size_t) C * C);
      ns_judge_gram (F, C, H * W, v->gram[l]);
    }
  const float *p = ns_network_tap (j->net, NS_JUDGE_N_LAYERS, &v->n_classes, NULL, NULL);
  v->probs = g_memdup2 (p, sizeof (float) * (size_t) v->n_classes);
  return v;
}

void
ns_judge_view_free (NsJudgeView *v)
{
  if (!v)
    return;
  for (int l = 0; l < NS_JUDGE_N_LAYERS; l++)
    g_free (v->gram[l]);
  g_free (v->probs);
  g_free (v);
}

double
ns_judge_gram_distance (const double *Ga, const double *Gb, int C)
{
  double num = 0, den = 0;
  for (size_t i = 0; i < (size_t) C * C; i++)
    {
      const double d = Ga[i] - Gb[i];
      num += d * d;
      den += Gb[i] * Gb[i];
    }
  return den > 0 ? num / den : (num > 0 ? INFINITY : 0);
}

double
ns_judge_style_distance (const NsJudgeView *a, const NsJudgeView *b)
{
  double s = 0;
  for (int l = 0; l < NS_JUDGE_N_LAYERS; l++)
    s += ns_judge_gram_distance (a->gram[l], b->gram[l], a->C[l]);
  return s / NS_JUDGE_N_LAYERS;
}

double
ns_judge_style_gain (const NsJudgeView *content, const NsJudgeView *style,
                     const NsJudgeView *output)
{
  const double dcs = ns_judge_style_distance (content, style);
  return dcs > 0 ? 1.0 - ns_judge_style_distance (output, style) / dcs : 0.0;
}

int
ns_judge_content_rank (const float *content, const float *output, int n, int top)
{
  int best = n + 1;
  gboolean *taken = g_new0 (gboolean, n);
  for (int t = 0; t < MIN (top, n); t++)
    {
      int k = -1;
      for (int i = 0; i < n; i++)
        if (!taken[i] && (k < 0 || content[i] > content[k]))
          k = i;
      taken[k] = TRUE;
      int rank = 1;
      for (int i = 0; i < n; i++)
        rank += output[i] > output[k];
      best = MIN (best, rank);
    }
  g_free (taken);
  return best;
}

/* ------------------------------------------------------------------ CLI */

typedef struct
{
  int    rank;
  double gain;
} Verdict;

static int
cmp_double (const void *a, const void *b)
{
  const double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
median (double *v, int n)
{
  qsort (v, (size_t) n, sizeof *v, cmp_double);
  return n == 0 ? NAN : n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Views by path: each image is loaded and run once. */
static NsJudgeView *
view_of (NsJudge *j, GHashTable *cache, const char *path, GError **error)
{
  NsJudgeView *v = g_hash_table_lookup (cache, path);
  if (v)
    return v;
  NsImage *img = ns_io_load (path, error);
  v = img ? ns_judge_view (j, img, error) : NULL;
  ns_image_free (img);
  if (v)
    g_hash_table_insert (cache, g_strdup (path), v);
  else if (error && *error)
    g_prefix_error (error, "%s: ", path);
  return v;
}

static void
json_string (GString *s, const char *text)
{
  g_string_append_c (s, '"');
  for (const unsigned char *p = (const unsigned char *) text; *p; p++)
    if (*p == '"' || *p == '\\')
      g_string_append_printf (s, "\\%c", *p);
    else if (*p < 0x20)
      g_string_append_printf (s, "\\u%04x", *p);
    else
      g_string_append_c (s, (char) *p);
  g_string_append_c (s, '"');
}

static gboolean
write_report (const char *path, const char *model, char **files, const Verdict *v, int n,
              int kept, double med_rank, double med_gain, GError **error)
{
  GString *s = g_string_new ("{\n  \"model\": ");
  json_string (s, model);
  g_string_append_printf (s, ",\n  \"kept_rank\": %d,\n  \"triples\": [", NS_JUDGE_KEPT_RANK);
  for (int t = 0; t < n; t++)
    {
      g_string_append (s, t ? ",\n    {\"content\": " : "\n    {\"content\": ");
      json_string (s, files[3 * t]);
      g_string_append (s, ", \"style\": ");
      json_string (s, files[3 * t + 1]);
      g_string_append (s, ", \"output\": ");
      json_string (s, files[3 * t + 2]);
      g_string_append_printf (s, ", \"content_rank\": %d, \"kept\": %s, \"style_gain\": %.17g}",
                              v[t].rank, v[t].rank <= NS_JUDGE_KEPT_RANK ? "true" : "false",
                              v[t].gain);
    }
  g_string_append_printf (s, "\n  ],\n  \"summary\": {\"triples\": %d, \"kept\": %d, "
                          "\"median_rank\": %.17g, \"median_style_gain\": %.17g}\n}\n",
                          n, kept, med_rank, med_gain);
  gboolean ok = g_file_set_contents (path, s->str, (gssize) s->len, error);
  g_string_free (s, TRUE);
  return ok;
}

int
ns_cmd_judge (int argc, char **argv)
{
  const char *model_path = NULL, *report = NULL;
  GPtrArray *files = g_ptr_array_new ();
  gboolean bad = FALSE;
  for (int i = 2; i < argc; i++)
    if (strcmp (argv[i], "--model") == 0 && i + 1 < argc)
      model_path = argv[++i];
    else if (strcmp (argv[i], "--report") == 0 && i + 1 < argc)
      report = argv[++i];
    else if (argv[i][0] != '-')
      g_ptr_array_add (files, argv[i]);
    else
      bad = TRUE;
  if (bad || files->len == 0 || files->len % 3 != 0)
    {
      fprintf (stderr, "usage: neural-style judge CONTENT STYLE OUTPUT [CONTENT STYLE OUTPUT ...] "
               "[--model GOOGLENET.safetensors] [--report FILE]\n"
               "  (default model: $NS_JUDGE_MODEL, else " DEFAULT_MODEL ")\n");
      g_ptr_array_free (files, TRUE);
      return 2;
    }
  if (!model_path)
    model_path = g_getenv ("NS_JUDGE_MODEL");
  if (!model_path)
    model_path = DEFAULT_MODEL;

  GError *err = NULL;
  NsJudge *j = ns_judge_new (model_path, &err);
  GHashTable *cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) ns_judge_view_free);
  const int n = (int) files->len / 3;
  char **f = (char **) files->pdata;
  Verdict *v = g_new0 (Verdict, n);
  double *ranks = g_new (double, n), *gains = g_new (double, n);
  int kept = 0, done = 0;
  for (int t = 0; j && t < n; t++, done++)
    {
      NsJudgeView *c = view_of (j, cache, f[3 * t], &err);
      NsJudgeView *s = c ? view_of (j, cache, f[3 * t + 1], &err) : NULL;
      NsJudgeView *o = s ? view_of (j, cache, f[3 * t + 2], &err) : NULL;
      if (!o)
        break;
      v[t].rank = ns_judge_content_rank (c->probs, o->probs, c->n_classes, NS_JUDGE_TOP);
      v[t].gain = ns_judge_style_gain (c, s, o);
      kept += v[t].rank <= NS_JUDGE_KEPT_RANK;
      ranks[t] = v[t].rank;
      gains[t] = v[t].gain;
      printf ("%s  %s  %s  rank %d %s  gain %.3f\n", f[3 * t], f[3 * t + 1], f[3 * t + 2],
              v[t].rank, v[t].rank <= NS_JUDGE_KEPT_RANK ? "kept" : "lost", v[t].gain);
    }
  int rc = 1;
  if (!err && done == n)
    {
      const double mr = median (ranks, n), mg = median (gains, n);
      printf ("summary: %d triples  kept %d/%d (rank <= %d)  median rank %g  "
              "median gain %.3f\n", n, kept, n, NS_JUDGE_KEPT_RANK, mr, mg);
      rc = report && !write_report (report, model_path, f, v, n, kept, mr, mg, &err) ? 1 : 0;
    }
  if (err)
    fprintf (stderr, "neural-style judge: %s\n", err->message);
  g_clear_error (&err);
  g_free (ranks);
  g_free (gains);
  g_free (v);
  g_hash_table_destroy (cache);
  ns_judge_free (j);
  g_ptr_array_free (files, TRUE);
  return rc;
}
