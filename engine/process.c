/* process.c — start-up helper for programs built on the engine.
 *
 * The engine's element-wise loops use OpenMP, its GEMMs OpenBLAS's own
 * pthread pool.  With libgomp's default wait policy, idle OpenMP workers
 * spin while OpenBLAS works, and on a 2-core machine the two pools fight
 * over the cores: bench/README.md measured 25–45% longer runs.  libgomp
 * reads OMP_WAIT_POLICY only when it is loaded, so the variable has to be
 * in the environment before the program starts: this re-executes the
 * program once with it set.
 */
#include "neural_style.h"
#include "conv_wino_fused.h"

#include <unistd.h>

void
ns_process_init (char **argv)
{
  if (g_getenv ("OMP_WAIT_POLICY") != NULL || argv == NULL || argv[0] == NULL)
    return;   /* the user chose a policy, or this is the re-executed run */
  if (!g_setenv ("OMP_WAIT_POLICY", "PASSIVE", TRUE))
    return;
  execv ("/proc/self/exe", argv);
  /* exec failed (no /proc?): carry on with the default policy */
}

const char *
ns_kernel_isa (void)
{
  return ns_wino_isa_name (ns_isa_in_use ());
}
