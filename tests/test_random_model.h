/* test_random_model.h — a seeded random model for the C tests: written by
 * tools/ns-make-random-model (built with the tests, NS_BUILD_DIR) into a
 * temporary folder, loaded, and the file removed again.  A failure is a
 * CHECK failure and NULL. */
#ifndef NS_TEST_RANDOM_MODEL_H
#define NS_TEST_RANDOM_MODEL_H

#include "neural_style.h"
#include "test_util.h"

#include <glib/gstdio.h>

static NsModel *
test_random_model (const char *arch, unsigned seed)
{
  char *dir = g_dir_make_tmp ("ns-random-model-XXXXXX", NULL);
  char *tool = g_build_filename (NS_BUILD_DIR, "tools", "ns-make-random-model", NULL);
  char *path = g_strdup_printf ("%s/%s.safetensors", dir ? dir : ".", arch);
  char *seed_text = g_strdup_printf ("%u", seed);
  const char *argv[] = { tool, "--arch", arch, "--seed", seed_text, "--out", path, NULL };
  int status = -1;
  GError *err = NULL;
  NsModel *m = NULL;
  if (dir && g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                           NULL, &status, &err)
      && g_spawn_check_wait_status (status, &err))
    m = ns_model_load (path, &err);
  CHECK (m != NULL, "random %s (seed %u): %s", arch, seed, err ? err->message : "");
  g_clear_error (&err);
  g_unlink (path);
  if (dir)
    g_rmdir (dir);
  g_free (seed_text);
  g_free (path);
  g_free (tool);
  g_free (dir);
  return m;
}

#endif
