/* style_cache.c — Gram targets of style images, computed once and reused
 * by later jobs (a batch of content images with the same styles).
 *
 * A style image's targets depend on its pixels, the size it is resampled
 * to (scale x the working content's longest side) and the network (model,
 * pooling, style layers); the job builds the key from all of these, so a
 * hit gives exactly the targets ns_objective_add_style would compute. */
#include "neural_style.h"
#include "style_cache.h"

#include <string.h>

typedef struct
{
  int     n;        /* style layers */
  int    *C;        /* channels per layer */
  float **gram;     /* C[k] x C[k] per layer */
} CachedGrams;

struct NsStyleCache
{
  GHashTable *table;   /* key (string) -> CachedGrams */
  int computed, reused;
};

static void
cached_free (gpointer data)
{
  CachedGrams *c = data;
  for (int k = 0; k < c->n; k++)
    g_free (c->gram[k]);
  g_free (c->gram);
  g_free (c->C);
  g_free (c);
}

NsStyleCache *
ns_style_cache_new (void)
{
  NsStyleCache *cache = g_new0 (NsStyleCache, 1);
  cache->table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, cached_free);
  return cache;
}

void
ns_style_cache_free (NsStyleCache *cache)
{
  if (!cache)
    return;
  g_hash_table_destroy (cache->table);
  g_free (cache);
}

void
ns_style_cache_counts (const NsStyleCache *cache, int *computed, int *reused)
{
  if (computed)
    *computed = cache->computed;
  if (reused)
    *reused = cache->reused;
}

gboolean
ns_style_cache_apply (NsStyleCache *cache, const char *key, NsObjective *obj, double beta,
                      gboolean *ok, GError **error)
{
  const CachedGrams *c = g_hash_table_lookup (cache->table, key);
  if (!c || c->n != ns_objective_n_style_layers (obj))
    return FALSE;
  *ok = ns_objective_add_style_grams (obj, (const float *const *) c->gram, c->C, beta, error);
  cache->reused += *ok;
  return TRUE;
}

void
ns_style_cache_store (NsStyleCache *cache, const char *key, const NsObjective *obj, int s)
{
  CachedGrams *c = g_new0 (CachedGrams, 1);
  c->n = ns_objective_n_style_layers (obj);
  c->C = g_new0 (int, MAX (c->n, 1));
  c->gram = g_new0 (float *, MAX (c->n, 1));
  cache->computed++;
  for (int k = 0; k < c->n; k++)
    {
      const float *g = ns_objective_style_gram (obj, s, k, &c->C[k]);
      c->gram[k] = g_try_malloc ((gsize) c->C[k] * c->C[k] * sizeof (float));
      if (!c->gram[k])   /* out of memory: just do not cache it */
        {
          c->n = k;
          cached_free (c);
          return;
        }
      memcpy (c->gram[k], g, (gsize) c->C[k] * c->C[k] * sizeof (float));
    }
  g_hash_table_replace (cache->table, g_strdup (key), c);
}
