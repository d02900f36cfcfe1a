/* plugin-preset.h — the dialogs' "Preset" combo (Subtle · Balanced ·
 * Strong, plus Custom once the weights were edited), on the engine's one
 * preset table (ns_params_apply_preset).  A preset sets the content,
 * style and smoothness weights and the noise blend; they stay editable. */
#ifndef PLUGIN_PRESET_H
#define PLUGIN_PRESET_H

#include "plugin-params.h"

/* The combo's entry for settings that match no preset. */
#define NSP_PRESET_CUSTOM (-1)

/* Set the preset's fields of `vals` (the others stay as they are). */
void         nsp_values_apply_preset (NspValues *vals, NsPreset preset);

/* The preset whose fields `vals` holds (compared with a relative
 * tolerance of 1e-9, so values that went through a spin button's
 * rounding still match), or NSP_PRESET_CUSTOM. */
gint         nsp_values_preset       (const NspValues *vals);

/* The combo's translated label ("Subtle", "Balanced", "Strong",
 * "Custom") and tooltip (the engine's one-line description). */
const gchar *nsp_preset_label        (gint preset);
const gchar *nsp_preset_tooltip      (gint preset);

#endif /* PLUGIN_PRESET_H */
