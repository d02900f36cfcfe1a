/* test_util.h — tiny assertion helpers shared by the C tests.
 *
 * CHECK(cond, fmt, ...) records a failure (and keeps going);
 * CHECK_CLOSE(a, b, rtol, atol, what) compares doubles;
 * test_finish() prints "<name>: N checks, M failed" and returns the exit code.
 * Tests that need ../shared call test_shared_dir(): outside CI a missing
 * ../shared skips the test (exit 77); with CI=true it is a failure.
 */
#ifndef NS_TEST_UTIL_H
#define NS_TEST_UTIL_H

#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { int checks, failed; const char *name; } TestState;
static TestState test_state = { 0, 0, "test" };

#define CHECK(cond, ...) do {                                              \
    test_state.checks++;                                                    \
    if (!(cond)) {                                                          \
      test_state.failed++;                                                  \
      fprintf (stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);      \
      fprintf (stderr, __VA_ARGS__);                                        \
      fputc ('\n', stderr);                                                 \
    }                                                                       \
  } while (0)

#define CHECK_CLOSE(a, b, rtol, atol, what) do {                            \
    double _a = (a), _b = (b);                                              \
    double _tol = (atol) + (rtol) * fabs (_b);                              \
    CHECK (fabs (_a - _b) <= _tol || (isnan (_a) && isnan (_b)),            \
           "%s: %.9g vs %.9g (tol %.3g)", (what), _a, _b, _tol);            \
  } while (0)

static inline void
test_begin (const char *name)
{
  test_state.name = name;
  test_state.checks = test_state.failed = 0;
}

static inline int
test_finish (void)
{
  printf ("%s: %d checks, %d failed\n", test_state.name, test_state.checks,
          test_state.failed);
  return test_state.failed ? 1 : 0;
}

/* Exit 77 (skip) or 1 (CI) when ../shared is absent; else its path. */
static inline const char *
test_shared_dir (void)
{
  static char path[4096];
  const char *env = g_getenv ("NS_SHARED_DIR");
  if (env)
    g_strlcpy (path, env, sizeof path);
  else
    g_snprintf (path, sizeof path, "%s/../shared", NS_SOURCE_DIR);
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    return path;
  if (g_strcmp0 (g_getenv ("CI"), "true") == 0)
    {
      fprintf (stderr, "FAIL: ../shared is missing (required in CI): %s\n", path);
      exit (1);
    }
  printf ("skipped: no ../shared\n");
  exit (77);
}

/* Deterministic uniform floats in [lo,hi) for fixtures. */
static inline void
test_fill_random (float *x, size_t n, guint32 seed, float lo, float hi)
{
  GRand *r = g_rand_new_with_seed (seed);
  for (size_t i = 0; i < n; i++)
    x[i] = (float) g_rand_double_range (r, lo, hi);
  g_rand_free (r);
}

/* A new array of n such floats in [-1, 1) (g_free it). */
static inline float *
test_random_array (size_t n, guint32 seed)
{
  float *x = g_new (float, n ? n : 1);
  test_fill_random (x, n, seed, -1.0f, 1.0f);
  return x;
}

/* max |a-b| / max |b| (NaN in a counts as an error) */
static inline double
test_rel_err (const float *a, const float *b, size_t n)
{
  double e = 0.0, s = 0.0;
  for (size_t i = 0; i < n; i++)
    {
      double d = fabs ((double) a[i] - b[i]);
      e = d > e || isnan (d) ? d : e;
      s = fmax (s, fabs (b[i]));
    }
  return s > 0 ? e / s : e;
}

#endif
