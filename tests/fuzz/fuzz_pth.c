/* fuzz_pth.c — libFuzzer harness for the .pth importer: the zip reader, the
 * legacy torch.save layout and the whitelisting pickle reader.
 *
 * Each input is (1) parsed as a whole .pth in memory (ns_pth_read_features,
 * then architecture detection) and (2) fed straight to the pickle reader as
 * a sequence of pickles, so pickle mutations are not masked by the zip CRC.
 * Invariants: every rejection sets an NS_ERROR; accepted tensors have
 * numel == prod(shape) and only finite values.
 *
 * Build (from the repository root; not wired into meson):
 *
 *   clang -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
 *     -fno-sanitize-recover=undefined -Iinclude -Iengine \
 *     $(pkg-config --cflags gio-2.0 json-glib-1.0) \
 *     tests/fuzz/fuzz_pth.c engine/pth_import.c engine/zip_reader.c \
 *     engine/pickle_reader.c engine/arch.c engine/safetensors.c \
 *     $(pkg-config --libs gio-2.0 json-glib-1.0) -lm -o fuzz_pth
 *
 * Run (seed corpus = the committed fixtures; new inputs go to a scratch dir):
 *
 *   mkdir -p /tmp/fuzz-pth && ./fuzz_pth -max_len=16384 -timeout=10 \
 *     -dict=tests/fuzz/pth.dict -max_total_time=300 /tmp/fuzz-pth tests/fuzz/corpus/pth
 */
#include "neural_style.h"
#include "pickle_reader.h"
#include "pth_import.h"

#include <math.h>
#include <stdint.h>

static void
quiet_log (const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
  (void) domain, (void) level, (void) msg, (void) data;
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static gboolean init;
  if (!init)
    {
      g_log_set_default_handler (quiet_log, NULL);
      init = TRUE;
    }

  GError *err = NULL;
  NsPthFeatures f;
  if (ns_pth_read_features (data, size, &f, &err))
    {
      for (int i = 0; i < f.n_tensors; i++)
        {
          const NsPthTensor *t = &f.tensors[i];
          size_t n = 1;
          for (int k = 0; k < t->ndim; k++)
            n *= (size_t) t->shape[k];
          if (n != t->numel || !g_str_has_prefix (t->name, "features."))
            __builtin_trap ();
          for (size_t k = 0; k < t->numel; k++)
            if (!isfinite (t->data[k]))
              __builtin_trap ();
        }
      const char *arch = ns_pth_detect_architecture (&f, &err);
      if (!arch && (!err || err->domain != NS_ERROR))
        __builtin_trap ();
      g_clear_error (&err);
      ns_pth_features_clear (&f);
    }
  else if (!err || err->domain != NS_ERROR || f.n_tensors != 0)
    __builtin_trap ();
  g_clear_error (&err);

  /* The raw pickle reader, up to 6 pickles back to back (legacy layout). */
  NsPickle *pk = ns_pickle_new ();
  size_t pos = 0;
  for (int i = 0; i < 6 && pos < size; i++)
    {
      size_t used = 0;
      NsPkValue *v = ns_pickle_load (pk, data + pos, size - pos, &used, &err);
      if (!v)
        {
          if (!err || err->domain != NS_ERROR)
            __builtin_trap ();
          g_clear_error (&err);
          break;
        }
      if (used == 0 || used > size - pos)
        __builtin_trap ();
      if (v->type == NS_PK_DICT && v->keys->len != v->items->len)
        __builtin_trap ();
      pos += used;
    }
  ns_pickle_free (pk);
  return 0;
}
