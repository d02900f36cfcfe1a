/* leak_canary.c — deliberately leaks, to prove that the leak checks of
 * test-valgrind.sh can fail.  It runs under the same valgrind options and
 * suppressions (ns.supp) as the real checks and must be reported:
 *   - an engine allocation (ns_image_new) and a GLib one (g_strdup) made by
 *     our code: memcheck "definitely lost", naming the canary functions;
 *   - a GeglBuffer: GEGL keeps every buffer on a list (valgrind sees it as
 *     still reachable), so the check is GEGL's own "GeglBuffers leaked"
 *     message at gegl_exit(), which the CLI run must not print. */
#include "neural_style.h"

#include <gegl.h>
#include <stdio.h>

static void *volatile sink;

static __attribute__ ((noinline)) void
canary_leak_engine_image (void)
{
  sink = ns_image_new (8, 8);
  sink = NULL;
}

static __attribute__ ((noinline)) void
canary_leak_glib_string (void)
{
  sink = g_strdup ("leaked on purpose");
  sink = NULL;
}

static __attribute__ ((noinline)) void
canary_leak_gegl_buffer (void)
{
  GeglRectangle r = { 0, 0, 8, 8 };
  sink = gegl_buffer_new (&r, babl_format ("R'G'B' float"));
  sink = NULL;
}

int
main (void)
{
  gegl_init (NULL, NULL);
  canary_leak_engine_image ();
  canary_leak_glib_string ();
  canary_leak_gegl_buffer ();
  gegl_exit ();
  printf ("leak_canary: leaked three objects\n");
  return 0;
}
