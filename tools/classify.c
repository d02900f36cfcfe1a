/* classify.c — `neural-style classify IMAGE --model MODEL [--top N] [--labels FILE]`:
 * the top N classes (default 5) of a photo with their probabilities, for
 * models with a classifier (googlenet_bvlc).
 *
 * Preprocessing as the model was trained (../shared/models/README.md):
 * resize to 256x256, centre crop to the model's input side (224); the
 * engine then applies the model's own normalisation.  Labels: one class
 * name per line in output order (Caffe's synset_words.txt; the wordnet id
 * before the first space is dropped), by default imagenet_synset_words.txt
 * next to the model.
 */
#include "classify.h"
#include "image_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* NULL-terminated names or NULL (missing file: indices only). */
static char **
read_labels (const char *path, int n)
{
  char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  char **lines = g_strsplit (text, "\n", -1);
  g_free (text);
  if ((int) g_strv_length (lines) < n)
    {
      g_strfreev (lines);
      return NULL;
    }
  for (int i = 0; lines[i]; i++)
    {
      const char *sp = strchr (lines[i], ' ');
      if (sp && g_str_has_prefix (lines[i], "n") && sp - lines[i] == 9)
        memmove (lines[i], sp + 1, strlen (sp + 1) + 1);
      g_strstrip (lines[i]);
    }
  return lines;
}

float *
ns_classify_input (const NsImage *img, int S)
{
  const int R = MAX (256, S), off = (R - S) / 2;
  NsImage *r = ns_image_resize (img, R, R);
  if (!r)
    return NULL;
  float *planar = g_new (float, 3 * (gsize) S * S);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < S; y++)
      for (int x = 0; x < S; x++)
        planar[((gsize) c * S + y) * S + x] = r->data[((gsize) (y + off) * R + x + off) * 3 + c];
  ns_image_free (r);
  return planar;
}

int
ns_cmd_classify (int argc, char **argv)
{
  const char *image = NULL, *model_path = NULL, *labels_path = NULL;
  int top = 5;
  for (int i = 2; i < argc; i++)
    {
      if (strcmp (argv[i], "--model") == 0 && i + 1 < argc)
        model_path = argv[++i];
      else if (strcmp (argv[i], "--labels") == 0 && i + 1 < argc)
        labels_path = argv[++i];
      else if (strcmp (argv[i], "--top") == 0 && i + 1 < argc)
        top = atoi (argv[++i]);
      else if (argv[i][0] != '-' && !image)
        image = argv[i];
      else
        image = NULL, i = argc;
    }
  if (!image || !model_path || top < 1)
    {
      fprintf (stderr, "usage: neural-style classify IMAGE --model MODEL.safetensors "
               "[--top N] [--labels FILE]\n");
      return 2;
    }
  GError *err = NULL;
  NsModel *m = ns_model_load (model_path, &err);
  NsImage *img = m ? ns_io_load (image, &err) : NULL;
  const int S = m ? ns_model_input_size (m) : 0;
  if (m && img && S <= 0)
    g_set_error (&err, NS_ERROR, NS_ERROR_UNSUPPORTED,
                 "%s: a %s model has no classifier (googlenet_bvlc has)", model_path,
                 ns_model_architecture (m));
  const int n = m ? ns_model_n_classes (m) : 0;
  float *probs = g_new0 (float, MAX (n, 1));
  float *planar = img && S > 0 ? ns_classify_input (img, S) : NULL;
  int rc = 1;
  if (planar && ns_model_classify (m, planar, probs, &err))
    {
      char *dir = g_path_get_dirname (model_path);
      char *def = g_build_filename (dir, "imagenet_synset_words.txt", NULL);
      char **labels = read_labels (labels_path ? labels_path : def, n);
      if (labels_path && !labels)
        fprintf (stderr, "warning: cannot read %d labels from %s\n", n, labels_path);
      top = MIN (top, n);
      gboolean *taken = g_new0 (gboolean, n);
      for (int t = 0; t < top; t++)
        {
          int best = -1;
          for (int k = 0; k < n; k++)
            if (!taken[k] && (best < 0 || probs[k] > probs[best]))
              best = k;
          taken[best] = TRUE;
          printf ("%d. %.4f  %4d  %s\n", t + 1, probs[best], best,
                  labels ? labels[best] : "");
        }
      g_free (taken);
      g_strfreev (labels);
      g_free (def);
      g_free (dir);
      rc = 0;
    }
  if (err)
    fprintf (stderr, "neural-style classify: %s\n", err->message);
  g_clear_error (&err);
  g_free (planar);
  g_free (probs);
  ns_image_free (img);
  ns_model_free (m);
  return rc;
}
