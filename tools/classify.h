/* classify.h — the `classify` subcommand (classify.c). */
#ifndef NS_CLASSIFY_H
#define NS_CLASSIFY_H

#include "neural_style.h"

/* The classifier's input: planar [3][S][S] (g_free) of img resized to
 * 256x256 (at least S) and centre-cropped to S; NULL if img is too large. */
float *ns_classify_input (const NsImage *img, int S);

/* argv[1] is "classify"; gegl_init() must have been called. */
int ns_cmd_classify (int argc, char **argv);

#endif
