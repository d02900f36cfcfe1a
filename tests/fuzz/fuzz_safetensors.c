/* fuzz_safetensors.c — libFuzzer harness for the safetensors reader and
 * ns_model_load.  Each input is written to a memfd and opened through
 * /proc/self/fd/N (so the real mmap path is exercised); every tensor of an
 * accepted file is read back with ns_st_read_f32.
 *
 * Build (from the repository root; not wired into meson):
 *
 *   clang -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
 *     -fno-sanitize-recover=undefined -Iinclude -Iengine \
 *     $(pkg-config --cflags glib-2.0 json-glib-1.0) \
 *     tests/fuzz/fuzz_safetensors.c engine/safetensors.c engine/model.c engine/arch.c \
 *     $(pkg-config --libs glib-2.0 json-glib-1.0) -lm -o fuzz_safetensors
 *
 * Run (seed corpus is read-only; new inputs go to a scratch directory):
 *
 *   mkdir -p /tmp/fuzz-st && ./fuzz_safetensors -max_len=4096 -timeout=10 \
 *     -max_total_time=300 /tmp/fuzz-st tests/fuzz/corpus/safetensors
 */
#include "model.h"
#include "safetensors.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

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
  int fd = memfd_create ("fuzz.safetensors", 0);
  if (fd < 0)
    return 0;
  size_t done = 0;
  while (done < size)
    {
      ssize_t w = write (fd, data + done, size - done);
      if (w <= 0)
        break;
      done += (size_t) w;
    }
  char path[64];
  snprintf (path, sizeof path, "/proc/self/fd/%d", fd);

  GError *err = NULL;
  NsSafetensors *st = ns_st_open (path, &err);
  if (st)
    {
      for (int i = 0; i < ns_st_n_tensors (st); i++)
        {
          const NsTensorInfo *t = ns_st_tensor_at (st, i);
          if (ns_st_find (st, t->name) != t)
            __builtin_trap ();                 /* lookup must be consistent */
          float *x = ns_st_read_f32 (st, t);
          for (size_t k = 0; k < t->numel; k++)
            if (!isfinite (x[k]))
              __builtin_trap ();               /* non-finite values must be rejected */
          g_free (x);
        }
      (void) ns_st_metadata (st, "architecture");
      ns_st_close (st);
    }
  else if (!err || err->domain != NS_ERROR)
    __builtin_trap ();                         /* every rejection sets an NS_ERROR */
  g_clear_error (&err);

  NsModel *m = ns_model_load (path, &err);
  if (m)
    {
      float *w = NULL, *b = NULL;
      if (ns_model_get_conv (m, "features.0", 64, 3, 3, 3, &w, &b, NULL))
        {
          g_free (w);
          g_free (b);
        }
      ns_model_free (m);
    }
  else if (!err || err->domain != NS_ERROR)
    __builtin_trap ();
  g_clear_error (&err);
  close (fd);
  return 0;
}
