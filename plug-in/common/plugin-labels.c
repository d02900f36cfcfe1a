/* plugin-labels.c — labels and tooltips of the dialogs' settings (see
 * header).  The tooltips are the GIMP 2.10 dialog's; the mnemonics are
 * chosen so that none repeats among the GIMP 3 dialog's settings and its
 * buttons (_OK, _Cancel, _Reset, _Save Defaults, _Help) and _Preset. */
#include "plugin-labels.h"
#include "plugin-params.h"
#include "plugin-i18n.h"

#include <string.h>

typedef struct
{
  const gchar *property, *label, *tooltip;
} ControlText;

static const ControlText controls[] = {
  { "content-weight", N_("_Keep the photo:"),
    N_("Content weight. More keeps the photo's shapes and details "
       "recognisable; less lets the style take over.") },
  { "style-weight", N_("Amount of st_yle:"),
    N_("Style weight. More style: stronger colours, textures and brush "
       "strokes of the style images; less: closer to the photo.") },
  { "tv-weight", N_("S_moothness:"),
    N_("Total-variation weight. More gives a smoother, less grainy picture; "
       "too much blurs fine brush strokes.") },
  { "content-weight-blend", N_("Photo _detail kept:"),
    N_("Content layer blend. 1 keeps the photo's finer shapes; towards 0 "
       "only its rough layout is kept and the style repaints more.") },
  { "style-layer-weight-exp", N_("_Brush strokes:"),
    N_("Style layer exponent. Above 1: coarser, larger brush strokes and "
       "shapes of the style; below 1: finer textures.") },
  /* The slider's range and the typed limit are stated (one limit). */
  { "iterations", N_("_Iterations:"),
    N_("Optimiser steps per pass. More steps refine the picture further and take "
       "longer. The slider goes to 2000; type up to %d.") },
  { "tolerance", N_("Stop _early below:"),
    N_("Tolerance. Stop earlier when the picture stops changing: the run ends "
       "once the loss changes by less than this fraction per step "
       "(0 = always run all iterations).") },
  { "multires", N_("Coarse-_to-fine passes:"),
    N_("Resolution levels. The picture is painted small first, then refined "
       "at larger sizes, so large brush strokes stay coherent. 0 = automatic "
       "(more passes for larger working sizes), 1 = one pass.") },
  { "optimizer", N_("Optimi_zer:"),
    N_("L-BFGS reaches a good picture in fewer steps (recommended); "
       "Adam needs more steps but less memory.") },
  { "pooling", N_("Poo_ling:"),
    N_("How the network shrinks its feature maps. Average gives softer, "
       "smoother textures; Max crisper ones.") },
  { "size", N_("_Working size:"),
    N_("Longest side of the picture the network paints; the result is then "
       "enlarged to the layer's size. Time and memory grow with its square.") },
  { "init", N_("Start _from:"),
    N_("Content: start from the photo (keeps more of it, converges sooner); "
       "Noise: start from random noise (more style, needs more iterations).") },
  { "initial-noiseblend", N_("_Noise blend:"),
    N_("Share of random noise mixed into the starting picture") },
  { "seed", N_("R_andom seed:"), N_("-1 = a new random seed for every run") },
  { "preserve-colors", N_("Preser_ve the content's colours"),
    N_("Take only the stylised brightness; keep the colours of the layer") },
};

static const ControlText *
find (const gchar *property)
{
  for (gsize i = 0; i < G_N_ELEMENTS (controls); i++)
    if (g_strcmp0 (controls[i].property, property) == 0)
      return &controls[i];
  return NULL;
}

const gchar *
nsp_control_label (const gchar *property)
{
  const ControlText *c = find (property);

  return c ? _(c->label) : property;
}

gchar *
nsp_control_nick (const gchar *property)
{
  gchar *nick = g_strstrip (g_strdup (nsp_control_label (property)));
  gsize  n    = strlen (nick);

  if (n > 0 && nick[n - 1] == ':')
    nick[n - 1] = '\0';
  return g_strchomp (nick);
}

gchar *
nsp_control_tooltip (const gchar *property)
{
  const ControlText *c = find (property);

  if (!c)
    return NULL;
  if (strcmp (property, "iterations") == 0)
    return g_strdup_printf (_(c->tooltip), NSP_MAX_ITERATIONS);
  return g_strdup (_(c->tooltip));
}
