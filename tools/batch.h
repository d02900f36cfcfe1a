/* batch.h — the CLI's batch mode: several --content files or folders,
 * --output-dir DIR, one model and one set of style targets for all. */
#ifndef NS_BATCH_H
#define NS_BATCH_H

#include "neural_style.h"

#include <signal.h>

typedef struct
{
  NsModel        *model;
  const char     *model_path;
  const NsParams *params;        /* params->init: content, noise or image */
  const NsImage  *init_image;    /* for NS_INIT_IMAGE: the start of every file */
  char          **contents;      /* files and folders (folders: their images, sorted) */
  const char     *output_dir;
  char          **styles;        /* FILE[:WEIGHT[:SCALE]] */
  const char     *report;        /* NULL: none */
  NsProgressFunc  progress;      /* per iteration (cancel: FALSE) */
  gpointer        progress_data;
  volatile sig_atomic_t *interrupted;   /* set by SIGINT/SIGTERM: stop after this file */
} NsBatch;

/* Expand folders into their image files (sorted by name); files are kept
 * as given.  NULL with error when a folder cannot be read. */
char **ns_batch_list_inputs (char **contents, GError **error);

/* Run every file; a file that fails is reported (stderr, report) and the
 * others still run.  Returns the exit status: the number of files that
 * failed (at most 100), 0 when all were written, 1 when nothing could start
 * (styles unreadable, output folder missing), 128 + signal when
 * interrupted. */
int    ns_batch_run (const NsBatch *batch);

#endif
