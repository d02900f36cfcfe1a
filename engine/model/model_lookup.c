/* model_lookup.c — where the default model file is found (see
 * ns_model_find_default in neural_style.h for the documented order). */
#include "model.h"
#include "ns_config.h"

/* default.safetensors, then <architecture>.safetensors in table order. */
static char *
find_in_dir (const char *dir)
{
  for (int i = -1; i < NS_ARCH_COUNT; i++)
    {
      char *file = g_strconcat (i < 0 ? "default" : ns_arch_name ((NsArch) i), ".safetensors",
                                NULL);
      char *path = g_build_filename (dir, file, NULL);
      g_free (file);
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return path;
      g_free (path);
    }
  return NULL;
}

char *
ns_model_find_default (GError **error)
{
  const char *env = g_getenv ("NEURAL_STYLE_MODEL");
  if (env && *env)
    {
      if (g_file_test (env, G_FILE_TEST_IS_REGULAR))
        return g_strdup (env);
      g_set_error (error, NS_ERROR, NS_ERROR_IO,
                   "NEURAL_STYLE_MODEL points to \"%s\", which is not a file", env);
      return NULL;
    }
  char *user_dir = g_build_filename (g_get_user_data_dir (), "neural-style", "models", NULL);
  char *path = find_in_dir (user_dir);
  if (!path)
    path = find_in_dir (NS_SYSTEM_MODEL_DIR);
  if (!path)
    g_set_error (error, NS_ERROR, NS_ERROR_IO,
                 "no model installed: looked in %s and %s for default.safetensors or "
                 "ARCH.safetensors (ARCH: %s). "
                 "Install one with ./install.sh (downloads VGG-19) or "
                 "./install.sh --model FILE, or pass a model file explicitly",
                 user_dir, NS_SYSTEM_MODEL_DIR, ns_arch_names ());
  g_free (user_dir);
  return path;
}
