/* replay_main.c — run a libFuzzer harness without libFuzzer.
 *
 *   replay_X DIR_OR_FILE...
 *
 * Calls LLVMFuzzerTestOneInput once on the empty input and once on every
 * regular file of each directory (sorted by name, not recursive) or file
 * given, so the harnesses build with plain gcc and the committed corpora are
 * replayed on every test run (and under ASan+UBSan in the sanitizer build).
 * Each input is copied into a buffer of exactly its size, so an overread by
 * one byte is caught by ASan/valgrind as it would be under libFuzzer.
 * A crash or a harness __builtin_trap() fails the test; so does an argument
 * that cannot be read or holds no inputs (a test that replays nothing cannot
 * fail).  Prints "replay: N inputs".
 */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int
replay_file (const char *path)
{
  gchar *contents = NULL;
  gsize len = 0;
  GError *err = NULL;
  if (!g_file_get_contents (path, &contents, &len, &err))
    {
      fprintf (stderr, "replay: %s\n", err->message);
      g_error_free (err);
      return -1;
    }
  /* exact-size copy: g_file_get_contents adds a NUL the harness must not see */
  uint8_t *buf = malloc (len ? len : 1);
  if (!buf)
    {
      g_free (contents);
      return -1;
    }
  memcpy (buf, contents, len);
  g_free (contents);
  fprintf (stderr, "replay: %s (%zu bytes)\n", path, (size_t) len);
  LLVMFuzzerTestOneInput (buf, len);
  free (buf);
  return 1;
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Number of inputs replayed from DIR, or -1 when it cannot be read. */
static int
replay_dir (const char *dir)
{
  GError *err = NULL;
  GDir *d = g_dir_open (dir, 0, &err);
  if (!d)
    {
      fprintf (stderr, "replay: %s\n", err->message);
      g_error_free (err);
      return -1;
    }
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (d)))
    {
      char *path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (paths, path);
      else
        g_free (path);
    }
  g_dir_close (d);
  qsort (paths->pdata, paths->len, sizeof (gpointer), compare_names);
  int n = 0;
  for (guint i = 0; i < paths->len && n >= 0; i++)
    n = replay_file (g_ptr_array_index (paths, i)) < 0 ? -1 : n + 1;
  g_ptr_array_free (paths, TRUE);
  return n;
}

int
main (int argc, char **argv)
{
  if (argc < 2)
    {
      fprintf (stderr, "usage: %s DIR_OR_FILE...\n", argv[0]);
      return 2;
    }
  static const uint8_t empty[1];
  LLVMFuzzerTestOneInput (empty, 0);
  int total = 0;
  for (int i = 1; i < argc; i++)
    {
      int n = g_file_test (argv[i], G_FILE_TEST_IS_DIR) ? replay_dir (argv[i])
                                                         : replay_file (argv[i]);
      if (n <= 0)
        {
          fprintf (stderr, "replay: %s: %s\n", argv[i], n < 0 ? "unreadable" : "no inputs");
          return 1;
        }
      total += n;
    }
  printf ("replay: %d inputs\n", total);
  return 0;
}
