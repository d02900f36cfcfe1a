/* safetensors.h — validated, memory-mapped reader for .safetensors files.
 *
 * File layout: u64 little-endian header length N, N bytes of JSON header
 * {"name": {"dtype": "F32"|"F16", "shape": [...], "data_offsets": [begin, end]},
 *  "__metadata__": {"key": "string", ...}}, then the raw data block.
 * ns_st_open() checks everything up front (see safetensors.c for the list);
 * afterwards lookups cannot fail structurally.
 */
#ifndef NS_SAFETENSORS_H
#define NS_SAFETENSORS_H

#include <glib.h>
#include <stdint.h>
#include <stddef.h>

typedef enum { NS_DTYPE_F32, NS_DTYPE_F16 } NsDtype;

typedef struct
{
  char    *name;
  NsDtype  dtype;
  int      ndim;
  int64_t  shape[8];
  size_t   numel;
  size_t   begin, end;     /* byte offsets inside the data block */
} NsTensorInfo;

typedef struct NsSafetensors NsSafetensors;

NsSafetensors      *ns_st_open        (const char *path, GError **error);
void                ns_st_close       (NsSafetensors *st);
int                 ns_st_n_tensors   (const NsSafetensors *st);
const NsTensorInfo *ns_st_tensor_at   (const NsSafetensors *st, int i);
const NsTensorInfo *ns_st_find        (const NsSafetensors *st, const char *name); /* NULL if absent */
const char         *ns_st_metadata    (const NsSafetensors *st, const char *key);  /* NULL if absent */
/* Copy the tensor as float32 into a new g_malloc'd array (F16 converted). */
float              *ns_st_read_f32    (const NsSafetensors *st, const NsTensorInfo *t);
/* The tensor's floats in place, in the mapping (valid while st is open), when
 * they are F32, 4-byte aligned and the host is little-endian; else NULL. */
const float        *ns_st_view_f32    (const NsSafetensors *st, const NsTensorInfo *t);

/* Write a safetensors file (F32 data, tensors in the given order, data
 * 8-byte aligned header).  metadata: NULL-terminated key, value, key, value…
 * list of strings (may be NULL).  Writes to a temporary file and renames, so
 * a failure never leaves a partial file at `path`. */
typedef struct
{
  const char  *name;
  int          ndim;
  int64_t      shape[8];
  const float *data;
} NsTensorOut;

gboolean ns_st_write (const char *path, const NsTensorOut *tensors, int n_tensors,
                      const char *const *metadata, GError **error);

#endif
