/* classify.c — class probabilities of a classifier model (GoogLeNet): the
 * network tapped at its last layer (the softmax), run once. */
#include "network.h"

#include <string.h>

/* The table's last layer, when it is the softmax. */
static const NsLayerDesc *
softmax_layer (const NsModel *model)
{
  int n;
  const NsLayerDesc *l = ns_arch_layers (model->arch, &n);
  return n > 0 && l[n - 1].kind == NS_LAYER_SOFTMAX ? &l[n - 1] : NULL;
}

int
ns_model_input_size (const NsModel *model)
{
  return softmax_layer (model) ? ns_arch_info (model->arch)->input_size : 0;
}

int
ns_model_n_classes (const NsModel *model)
{
  const NsLayerDesc *l = softmax_layer (model);
  return l ? l->cout : 0;
}

gboolean
ns_model_classify (const NsModel *model, const float *image, float *probs, GError **error)
{
  const NsLayerDesc *l = softmax_layer (model);
  const int S = ns_model_input_size (model);
  if (!l || S <= 0)
    {
      g_set_error (error, NS_ERROR, NS_ERROR_UNSUPPORTED, "%s has no classifier",
                   ns_model_architecture (model));
      return FALSE;
    }
  const char *taps[] = { l->name };
  NsNetwork *net = ns_network_new (model, NS_POOLING_MAX, taps, 1, error);
  if (!net || !ns_network_prepare (net, S, S, error))
    {
      ns_network_free (net);
      return FALSE;
    }
  ns_network_forward (net, image);
  int C;
  const float *p = ns_network_tap (net, 0, &C, NULL, NULL);
  memcpy (probs, p, sizeof (float) * (size_t) C);
  ns_network_free (net);
  return TRUE;
}
