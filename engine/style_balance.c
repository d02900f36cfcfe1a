/* style_balance.c — the style balance rule (the derivation is in
 * style_balance.h). */
#include "style_balance.h"

#include <glib.h>
#include <math.h>

#define LOG_RHO_LIMIT 13.815510557964274   /* ln 10⁶ */

double
ns_style_balance_log_rho (const float *Gc, const float *Gs, int C)
{
  double c2 = 0.0, s2 = 0.0;
  for (size_t i = 0; i < (size_t) C * C; i++)
    {
      c2 += (double) Gc[i] * Gc[i];
      s2 += (double) Gs[i] * Gs[i];
    }
  if (!(c2 > 0.0) || !(s2 > 0.0))
    return c2 > 0.0 ? LOG_RHO_LIMIT : -LOG_RHO_LIMIT;
  return CLAMP (0.5 * log (c2 / s2), -LOG_RHO_LIMIT, LOG_RHO_LIMIT);
}

double
ns_style_balance_factor (const double *log_rho, const double *w, int n)
{
  double R = 0.0;
  for (int k = 0; k < n; k++)
    R += w[k] * log_rho[k];
  double f = exp (-NS_STYLE_BALANCE_EXPONENT * (R - NS_STYLE_BALANCE_LOG_RHO_REF));
  return CLAMP (f, 1.0 / NS_STYLE_BALANCE_MAX, NS_STYLE_BALANCE_MAX);
}
