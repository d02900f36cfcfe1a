/* test_params.c — the defaults and the preset table (engine/params.c):
 * balanced is the defaults, names round-trip, a preset touches only its
 * fields, and the three lie in order along the frontier (more content
 * weight relative to style = subtler). */
#include "test_util.h"
#include "neural_style.h"

int
main (void)
{
  test_begin ("params");
  NsParams d, b;
  ns_params_init (&d);
  ns_params_init (&b);
  ns_params_apply_preset (&b, NS_PRESET_BALANCED);
  CHECK (memcmp (&d, &b, sizeof d) == 0, "balanced = the defaults");
  CHECK (d.init == NS_INIT_CONTENT && d.initial_noiseblend == 0,
         "default start: the content image without noise (%g)", d.initial_noiseblend);

  double ratio[NS_PRESET_COUNT];
  for (int i = 0; i < NS_PRESET_COUNT; i++)
    {
      NsPreset p;
      const char *name = ns_preset_name ((NsPreset) i);
      CHECK (name && ns_preset_from_name (name, &p) && p == (NsPreset) i, "name %s", name);
      CHECK (ns_preset_description ((NsPreset) i) != NULL, "description %d", i);
      NsParams q;
      ns_params_init (&q);
      q.iterations = 7, q.size = 99, q.seed = 3, q.preserve_colors = TRUE;
      ns_params_apply_preset (&q, (NsPreset) i);
      CHECK (q.iterations == 7 && q.size == 99 && q.seed == 3 && q.preserve_colors,
             "%s leaves other fields alone", name);
      CHECK (q.content_weight > 0 && q.style_weight > 0 && q.tv_weight >= 0
             && q.initial_noiseblend >= 0 && q.initial_noiseblend <= 1, "%s in range", name);
      ratio[i] = q.content_weight / q.style_weight;
    }
  CHECK (ratio[NS_PRESET_SUBTLE] > ratio[NS_PRESET_BALANCED]
         && ratio[NS_PRESET_BALANCED] > ratio[NS_PRESET_STRONG],
         "alpha/beta: subtle %g > balanced %g > strong %g", ratio[0], ratio[1], ratio[2]);
  NsPreset p;
  CHECK (ns_preset_from_name ("STRONG", &p) && p == NS_PRESET_STRONG, "case-insensitive");
  CHECK (!ns_preset_from_name ("wild", &p) && !ns_preset_from_name (NULL, &p), "unknown names");
  CHECK (ns_preset_name (NS_PRESET_COUNT) == NULL, "out of range");
  return test_finish ();
}
