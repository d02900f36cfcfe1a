/* style_spec.h — the CLI's --style FILE[:WEIGHT[:SCALE]] argument. */
#ifndef NS_STYLE_SPEC_H
#define NS_STYLE_SPEC_H

#include <glib.h>

/* Split spec into a file name, a blend weight (default 1) and a relative
 * scale (default 1).  Rule: when spec names an existing file it is the file
 * name, whole; otherwise up to two ":NUMBER" suffixes are taken from the
 * right, and only while they are finite numbers — so "my:pic.png",
 * "./a:b.jpg" and "x:y:z.png" are file names, "pic.png:0.5" and
 * "pic.png:0.5:2" carry a weight (and a scale).  *path is newly allocated;
 * FALSE when it would be empty. */
gboolean ns_style_spec_parse (const char *spec, char **path, double *weight, double *scale);

#endif
