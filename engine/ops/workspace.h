/* workspace.h — scratch memory handed to ops; allocated once per job. */
#ifndef NS_WORKSPACE_H
#define NS_WORKSPACE_H
#include <stddef.h>

/* Upper bound for any single op's scratch buffer (im2col chunks, Winograd
 * tiles): 64 Mi floats = 256 MiB. */
#define NS_WORKSPACE_MAX_FLOATS ((size_t) 64 * 1024 * 1024)

typedef struct
{
  float  *data;
  size_t  floats;
} NsWorkspace;

#endif
