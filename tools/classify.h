/* classify.h — the `classify` subcommand (classify.c). */
#ifndef NS_CLASSIFY_H
#define NS_CLASSIFY_H

#include "neural_style.h"

/* argv[1] is "classify"; gegl_init() must have been called. */
int ns_cmd_classify (int argc, char **argv);

#endif
