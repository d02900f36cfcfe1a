/* style_cache.h — the engine side of NsStyleCache (neural_style.h): Gram
 * targets of style images kept by key across jobs. */
#ifndef NS_STYLE_CACHE_H
#define NS_STYLE_CACHE_H

#include "objective.h"

/* If key is cached, add its targets to obj with blend weight beta and
 * return TRUE (*ok: FALSE and error set on failure); FALSE if not cached. */
gboolean ns_style_cache_apply (NsStyleCache *cache, const char *key, NsObjective *obj,
                               double beta, gboolean *ok, GError **error);
/* Keep a copy of the targets of obj's s-th style image under key (counted
 * as one computation). */
void     ns_style_cache_store (NsStyleCache *cache, const char *key, const NsObjective *obj,
                               int s);

#endif
