/* plugin-speed.c — this machine's measured speed per model, for the
 * dialog's time estimate (see header). */
#include "plugin-speed.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

/* What a measurement depends on: the model file as it is now, the
 * instruction set the kernels use, the CPU and its number of cores. */
static gchar *
speed_key (const GStatBuf *st)
{
  gchar *cpu = NULL, *contents = NULL;

  if (g_file_get_contents ("/proc/cpuinfo", &contents, NULL, NULL))
    {
      const gchar *m = strstr (contents, "model name");
      const gchar *colon = m ? strchr (m, ':') : NULL;
      const gchar *end = colon ? strchr (colon, '\n') : NULL;

      if (colon && end)
        cpu = g_strstrip (g_strndup (colon + 1, end - colon - 1));
    }
  g_free (contents);

  gchar *key = g_strdup_printf ("size=%" G_GUINT64_FORMAT " mtime=%" G_GINT64_FORMAT
                                " isa=%s cores=%u cpu=%s",
                                (guint64) st->st_size, (gint64) st->st_mtime,
                                ns_kernel_isa (), g_get_num_processors (),
                                cpu ? cpu : "?");
  g_free (cpu);
  return key;
}

gchar *
nsp_speed_cache_file (void)
{
  const gchar *env = g_getenv ("NEURAL_STYLE_SPEED_CACHE");

  if (env && *env)
    return g_strdup (env);
  return g_build_filename (g_get_user_cache_dir (), "neural-style", "speed.ini", NULL);
}

gboolean
nsp_speed_lookup (const gchar  *model_path,
                  const NsModel *model,
                  NsSpeed      *speed,
                  gboolean     *measured)
{
  GStatBuf  st;
  GKeyFile *kf;
  gchar    *file, *group, *key;
  gboolean  ok = FALSE;

  if (measured)
    *measured = FALSE;
  if (!model_path || !model || g_stat (model_path, &st) != 0)
    return FALSE;
  group = realpath (model_path, NULL);
  if (!group)
    return FALSE;
  key  = speed_key (&st);
  file = nsp_speed_cache_file ();
  kf   = g_key_file_new ();
  g_key_file_load_from_file (kf, file, G_KEY_FILE_NONE, NULL);

  {
    gchar *have = g_key_file_get_string (kf, group, "key", NULL);

    if (g_strcmp0 (have, key) == 0)
      {
        speed->eval_fixed_s     = g_key_file_get_double (kf, group, "eval-fixed-s", NULL);
        speed->eval_s_per_gflop = g_key_file_get_double (kf, group, "eval-s-per-gflop", NULL);
        speed->job_fixed_s      = g_key_file_get_double (kf, group, "job-fixed-s", NULL);
        ok = speed->eval_s_per_gflop > 0 && speed->eval_fixed_s >= 0
             && speed->job_fixed_s >= 0;
      }
    g_free (have);
  }

  if (!ok && ns_speed_measure (model, 0, speed, NULL))
    {
      gchar *dir = g_path_get_dirname (file);

      ok = TRUE;
      if (measured)
        *measured = TRUE;
      g_key_file_set_string (kf, group, "key", key);
      g_key_file_set_double (kf, group, "eval-fixed-s", speed->eval_fixed_s);
      g_key_file_set_double (kf, group, "eval-s-per-gflop", speed->eval_s_per_gflop);
      g_key_file_set_double (kf, group, "job-fixed-s", speed->job_fixed_s);
      /* a cache: failing to write it only costs a measurement next time */
      if (g_mkdir_with_parents (dir, 0700) == 0)
        g_key_file_save_to_file (kf, file, NULL);
      g_free (dir);
    }

  g_key_file_free (kf);
  g_free (file);
  g_free (key);
  free (group);
  return ok;
}
