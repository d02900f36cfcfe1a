/* optimizer.h — box-constrained L-BFGS and Adam, one accepted step at a time.
 *
 * The caller owns the loop (stopping rules, progress, best-so-far).  Each
 * step starts from x with value *f and gradient g already evaluated there and
 * leaves the new accepted point in x, *f, g.  Pixels stay inside [lo, hi]
 * (projection).
 */
#ifndef NS_OPTIMIZER_H
#define NS_OPTIMIZER_H

#include <stddef.h>

/* Evaluate f(x) and write its gradient into g.  May return NaN/Inf. */
typedef double (*NsObjectiveFunc) (const float *x, float *g, void *ctx);

typedef enum
{
  NS_STEP_OK = 0,
  NS_STEP_CONVERGED,   /* no descent possible (projected gradient ~ 0 or line search exhausted) */
  NS_STEP_NONFINITE    /* objective returned NaN/Inf at every trial point */
} NsStepStatus;

typedef struct NsOptimizer NsOptimizer;

/* history = number of correction pairs (memory 2*history*n floats). */
NsOptimizer *ns_optimizer_new_lbfgs (size_t n, int history, float lo, float hi);
NsOptimizer *ns_optimizer_new_adam  (size_t n, double lr, double beta1, double beta2,
                                     double eps, float lo, float hi);
void         ns_optimizer_free      (NsOptimizer *opt);
/* Forget curvature / moment history (e.g. after a resolution change). */
void         ns_optimizer_reset     (NsOptimizer *opt);
NsStepStatus ns_optimizer_step      (NsOptimizer *opt, float *x, float *g, double *f,
                                     NsObjectiveFunc fn, void *ctx, int *n_evals);
/* Bytes of state the optimiser holds for n variables. */
size_t       ns_lbfgs_memory_bytes  (size_t n, int history);

#endif
