/* plugin-preset.c — presets for the dialogs (see header). */
#include "plugin-preset.h"
#include "plugin-i18n.h"

#include <math.h>

void
nsp_values_apply_preset (NspValues *vals, NsPreset preset)
{
  NsParams p;

  /* The engine's table decides; copy back exactly the fields it sets. */
  nsp_values_to_ns_params (vals, 0, &p);
  ns_params_apply_preset (&p, preset);
  vals->content_weight     = p.content_weight;
  vals->style_weight       = p.style_weight;
  vals->tv_weight          = p.tv_weight;
  vals->initial_noiseblend = p.initial_noiseblend;
}

static gboolean
close_to (gdouble a, gdouble b)
{
  return fabs (a - b) <= 1e-9 * MAX (1.0, MAX (fabs (a), fabs (b)));
}

gint
nsp_values_preset (const NspValues *vals)
{
  for (gint i = 0; i < NS_PRESET_COUNT; i++)
    {
      NspValues v = *vals;

      nsp_values_apply_preset (&v, (NsPreset) i);
      if (close_to (v.content_weight, vals->content_weight)
          && close_to (v.style_weight, vals->style_weight)
          && close_to (v.tv_weight, vals->tv_weight)
          && close_to (v.initial_noiseblend, vals->initial_noiseblend))
        return i;
    }
  return NSP_PRESET_CUSTOM;
}

const gchar *
nsp_preset_label (gint preset)
{
  switch (preset)
    {
    /* TRANSLATORS: presets: the subject stays close to the photo */
    case NS_PRESET_SUBTLE:   return C_("preset", "Subtle");
    case NS_PRESET_BALANCED: return C_("preset", "Balanced");
    case NS_PRESET_STRONG:   return C_("preset", "Strong");
    default:                 break;
    }
  /* TRANSLATORS: the preset combo when the weights were edited by hand */
  return C_("preset", "Custom");
}

const gchar *
nsp_preset_tooltip (gint preset)
{
  switch (preset)
    {
    case NS_PRESET_SUBTLE:
      return _("The subject stays close to the photo; the style is a tint.");
    case NS_PRESET_BALANCED:
      return _("The subject stays recognisable while the style moves in (the default).");
    case NS_PRESET_STRONG:
      return _("The style dominates; the subject's shapes remain.");
    default:
      break;
    }
  return _("The weights were set by hand; choose a preset to start again from one.");
}
