/* pth_import.h — internals of the torchvision .pth importer (ns_convert_pth
 * in neural_style.h), split out so tests and the fuzzer can run the parser
 * on a memory buffer without writing files.
 *
 * Supported containers:
 *   zip  (torch.save >= 1.6): <archive>/data.pkl, <archive>/data/<key>,
 *        optional <archive>/byteorder ("little" only)
 *   legacy (torch.save < 1.6 or _use_new_zipfile_serialization=False):
 *        pickled magic number, protocol 1001, sys_info, the object, the
 *        storage key list, then per key an int64 element count + raw data.
 * Storage types: Float, Half, BFloat16, Double (converted to float32).
 */
#ifndef NS_PTH_IMPORT_H
#define NS_PTH_IMPORT_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

typedef struct
{
  char    *name;         /* state_dict key, e.g. "features.0.weight" */
  int      ndim;
  int64_t  shape[8];
  size_t   numel;
  float   *data;         /* contiguous float32, row-major */
} NsPthTensor;

typedef struct
{
  NsPthTensor *tensors;  /* the features.* tensors, in state_dict order */
  int          n_tensors;
  const char  *container; /* "zip" or "legacy" (static string) */
} NsPthFeatures;

/* Parse a whole .pth held in memory and materialise its features.* tensors. */
gboolean    ns_pth_read_features  (const guint8 *data, size_t len, NsPthFeatures *out,
                                   GError **error);
void        ns_pth_features_clear (NsPthFeatures *f);

/* "vgg19", "vgg16" or "squeezenet1_1" if the tensors match that network's
 * layer table exactly (names and shapes, nothing extra); else NULL + error. */
const char *ns_pth_detect_architecture (const NsPthFeatures *f, GError **error);

#endif
