/* profile.c — per-node timers of the chain network (bench-engine profile):
 * forward op, backward op (incl. band-wise recomputation), tap losses. */
#include "network_private.h"

/* Profiling: seconds since *t added to node i's column k, *t = now. */
double
ns_net_prof_clock (const NsNetwork *net)
{
  return net->prof ? g_get_monotonic_time () / 1e6 : 0.0;
}

void
ns_net_prof_add (NsNetwork *net, int i, int k, double *t)
{
  if (!net->prof)
    return;
  const double now = ns_net_prof_clock (net);
  net->prof[3 * i + k] += now - *t;
  *t = now;
}

void
ns_network_set_profile (NsNetwork *net, gboolean on)
{
  if (net->graph)
    {
      ns_graph_set_profile (net->graph, on);
      return;
    }
  g_clear_pointer (&net->prof, g_free);
  if (on)
    net->prof = g_new0 (double, 3 * (gsize) net->n_nodes);
}

int
ns_network_n_nodes (const NsNetwork *net)
{
  if (net->graph)
    return ns_graph_n_nodes (net->graph);
  return net->n_nodes;
}

void
ns_network_node_profile (const NsNetwork *net, int i, const char **name, int *C, int *H, int *W,
                         double *gflop, double *fwd_s, double *bwd_s, double *loss_s)
{
  if (net->graph)
    {
      ns_graph_node_profile (net->graph, i, name, C, H, W, gflop, fwd_s, bwd_s, loss_s);
      return;
    }
  const Node *nd = &net->nodes[i];
  const double f = ns_net_node_flops (nd);
  *name = nd->name;
  *C = nd->c;
  *H = nd->h;
  *W = nd->w;
  *gflop = f / 1e9;
  *fwd_s = net->prof ? net->prof[3 * i] : 0;
  *bwd_s = net->prof ? net->prof[3 * i + 1] : 0;
  *loss_s = net->prof ? net->prof[3 * i + 2] : 0;
}
