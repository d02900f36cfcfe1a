/* test_style_spec.c — --style FILE[:WEIGHT[:SCALE]] with colons in file
 * names: the rule of tools/style_spec.h, on files made in a temp folder. */
#include "style_spec.h"
#include "test_util.h"

#include <glib/gstdio.h>

static void
expect (const char *spec, const char *path, double weight, double scale)
{
  char *p = NULL;
  double w = -1, s = -1;
  gboolean ok = ns_style_spec_parse (spec, &p, &w, &s);
  CHECK (ok && g_strcmp0 (p, path) == 0 && w == weight && s == scale,
         "\"%s\" -> \"%s\" %g %g (expected \"%s\" %g %g)", spec, p, w, s, path, weight, scale);
  g_free (p);
}

int
main (void)
{
  test_begin ("style_spec");
  char *dir = g_dir_make_tmp ("ns-style-spec-XXXXXX", NULL);
  CHECK (dir && g_chdir (dir) == 0, "temp folder");
  const char *files[] = { "my:pic.png", "a:b.jpg", "x:y:z.png", "n:2", "n:2:3", "plain.png" };
  for (size_t i = 0; i < G_N_ELEMENTS (files); i++)
    CHECK (g_file_set_contents (files[i], "x", 1, NULL), "create %s", files[i]);

  /* names that are not numbers after the colon */
  expect ("my:pic.png", "my:pic.png", 1, 1);
  expect ("./a:b.jpg", "./a:b.jpg", 1, 1);
  expect ("x:y:z.png", "x:y:z.png", 1, 1);
  expect ("my:pic.png:0.5", "my:pic.png", 0.5, 1);
  expect ("x:y:z.png:0.25:2", "x:y:z.png", 0.25, 2);
  /* an existing file is taken whole, even when it ends in ":number" */
  expect ("n:2", "n:2", 1, 1);
  expect ("n:2:3", "n:2:3", 1, 1);
  expect ("n:2:3:4", "n:2", 3, 4);   /* "n:2:3:4" does not exist: two numbers */
  /* plain names */
  expect ("plain.png", "plain.png", 1, 1);
  expect ("plain.png:3", "plain.png", 3, 1);
  expect ("plain.png:0.5:1.5", "plain.png", 0.5, 1.5);
  expect ("plain.png:-1", "plain.png", -1, 1);   /* the engine refuses it, with a message */
  /* not numbers: part of the (missing) name */
  expect ("missing.png:inf", "missing.png:inf", 1, 1);
  expect ("missing.png:nan", "missing.png:nan", 1, 1);
  expect ("missing.png:0x10", "missing.png:0x10", 1, 1);
  expect ("missing.png: 2", "missing.png: 2", 1, 1);
  expect ("missing.png:", "missing.png:", 1, 1);
  expect ("C:\\pic.png", "C:\\pic.png", 1, 1);
  /* nothing but numbers: no file name */
  char *p;
  double w, s;
  CHECK (!ns_style_spec_parse (":2", &p, &w, &s), "\":2\" names no file");
  g_free (p);

  for (size_t i = 0; i < G_N_ELEMENTS (files); i++)
    g_unlink (files[i]);
  g_chdir ("/");
  g_rmdir (dir);
  g_free (dir);
  return test_finish ();
}
