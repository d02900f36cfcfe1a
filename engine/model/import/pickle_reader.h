/* pickle_reader.h — a whitelisting reader for the pickles inside torch.save
 * files (protocol 2; the few protocol 3/4 opcodes a state_dict may use are
 * accepted too).
 *
 * This is not a Python unpickler: it builds a tree of plain values and
 * never calls anything.  Only the opcodes a state_dict needs are known, and
 * GLOBAL may name only these (anything else is an error):
 *   collections.OrderedDict              REDUCE with () -> empty dict
 *   torch._utils._rebuild_tensor_v2      REDUCE -> NS_PK_TENSOR
 *   torch._utils._rebuild_tensor         REDUCE -> NS_PK_TENSOR (torch < 0.4)
 *   torch._utils._rebuild_parameter      REDUCE -> its tensor argument
 *   torch.{Float,Half,BFloat16,Double}Storage   plain values (storage types
 *                                        inside persistent ids), never called
 * BINPERSID wraps its tuple in an NS_PK_PERSID value; the caller resolves it.
 * BUILD is accepted on dicts only (torch's OrderedDict `_metadata`) and its
 * state is ignored.
 */
#ifndef NS_PICKLE_READER_H
#define NS_PICKLE_READER_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#define NS_PK_MAX_DIMS 8

typedef enum
{
  NS_PK_NONE, NS_PK_BOOL, NS_PK_INT, NS_PK_BIGINT, NS_PK_FLOAT, NS_PK_STR,
  NS_PK_TUPLE, NS_PK_LIST, NS_PK_DICT, NS_PK_GLOBAL, NS_PK_PERSID, NS_PK_TENSOR
} NsPkType;

typedef enum
{
  NS_PK_G_ORDERED_DICT, NS_PK_G_REBUILD_TENSOR_V2, NS_PK_G_REBUILD_TENSOR,
  NS_PK_G_REBUILD_PARAMETER,
  NS_PK_G_FLOAT_STORAGE, NS_PK_G_HALF_STORAGE, NS_PK_G_BFLOAT16_STORAGE,
  NS_PK_G_DOUBLE_STORAGE
} NsPkGlobal;

typedef struct NsPkValue NsPkValue;

struct NsPkValue
{
  NsPkType type;
  gint64   i;            /* BOOL, INT */
  double   f;            /* FLOAT */
  char    *s;            /* STR (NUL-terminated; may hold bytes), BIGINT raw
                          * little-endian two's complement bytes */
  size_t   len;          /* STR / BIGINT byte length */
  GPtrArray *items;      /* TUPLE, LIST items; DICT values */
  GPtrArray *keys;       /* DICT keys (always STR values), insertion order */
  GHashTable *index;     /* DICT key string -> position + 1 */
  NsPkGlobal global;     /* GLOBAL */
  NsPkValue *pid;        /* PERSID: the persistent id (a TUPLE) */
  /* TENSOR: */
  NsPkValue *storage;    /* a PERSID value */
  gint64   offset;       /* storage offset, elements */
  int      ndim;
  gint64   size[NS_PK_MAX_DIMS];
  gint64   stride[NS_PK_MAX_DIMS];
};

typedef struct NsPickle NsPickle;

/* An arena that owns every value produced by the pickles loaded into it. */
NsPickle  *ns_pickle_new  (void);
void       ns_pickle_free (NsPickle *pk);

/* Run one pickle starting at data[0].  Returns its result (owned by pk) and
 * sets *consumed to the bytes read up to and including STOP. */
NsPkValue *ns_pickle_load (NsPickle *pk, const guint8 *data, size_t len,
                           size_t *consumed, GError **error);

/* Every PERSID value the loaded pickles produced, in order (borrowed). */
const GPtrArray *ns_pickle_persistent_ids (const NsPickle *pk);

/* DICT lookup by string key; NULL if absent. */
NsPkValue *ns_pk_dict_get (const NsPkValue *dict, const char *key);

const char *ns_pk_type_name (NsPkType type);

#endif
