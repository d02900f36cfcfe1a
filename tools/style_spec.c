/* style_spec.c — parsing of --style FILE[:WEIGHT[:SCALE]] (see style_spec.h). */
#include "style_spec.h"

#include <math.h>
#include <string.h>

/* A finite decimal number filling all of s ("0.5", "2", "-1e-3"; not "",
 * "inf", "nan", "0x10", " 2"). */
static gboolean
parse_number (const char *s, double *out)
{
  if (!(g_ascii_isdigit (s[0]) || s[0] == '.' || s[0] == '-' || s[0] == '+'))
    return FALSE;
  if (strchr (s, 'x') || strchr (s, 'X'))
    return FALSE;
  char *end;
  double v = g_ascii_strtod (s, &end);
  if (end == s || *end != '\0' || !isfinite (v))
    return FALSE;
  *out = v;
  return TRUE;
}

gboolean
ns_style_spec_parse (const char *spec, char **path, double *weight, double *scale)
{
  char *s = g_strdup (spec);
  double nums[2];
  int n = 0;
  *weight = 1.0;
  *scale = 1.0;
  if (!g_file_test (spec, G_FILE_TEST_EXISTS))
    while (n < 2)
      {
        char *colon = strrchr (s, ':');
        if (!colon || !parse_number (colon + 1, &nums[n]))
          break;
        n++;
        *colon = '\0';
      }
  if (n == 1)
    *weight = nums[0];
  else if (n == 2)
    {
      *weight = nums[1];
      *scale = nums[0];
    }
  *path = s;
  return *s != '\0';
}
