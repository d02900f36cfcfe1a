/* image_io.c — GEGL-based image file I/O for the command-line tool. */
#include "image_io.h"

#include <gegl.h>
#include <glib/gstdio.h>
#include <string.h>

NsImage *
ns_io_load (const char *path, GError **error)
{
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s: no such file", path);
      return NULL;
    }
  GeglBuffer *buf = NULL;
  GeglNode *graph = gegl_node_new ();
  GeglNode *load = gegl_node_new_child (graph, "operation", "gegl:load", "path", path, NULL);
  GeglNode *sink = gegl_node_new_child (graph, "operation", "gegl:buffer-sink",
                                        "buffer", &buf, NULL);
  gegl_node_link (load, sink);
  gegl_node_process (sink);
  g_object_unref (graph);

  const GeglRectangle *ext = buf ? gegl_buffer_get_extent (buf) : NULL;
  if (!ext || ext->width < 1 || ext->height < 1)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "%s: not an image GEGL can read", path);
      g_clear_object (&buf);
      return NULL;
    }
  NsImage *img = ns_image_new (ext->width, ext->height);
  if (!img)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOMEM,
                   "%s: %dx%d is too large", path, ext->width, ext->height);
      g_object_unref (buf);
      return NULL;
    }
  GeglRectangle rect = { ext->x, ext->y, ext->width, ext->height };
  gegl_buffer_get (buf, &rect, 1.0, babl_format ("R'G'B' float"), img->data,
                   GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
  g_object_unref (buf);
  return img;
}

gboolean
ns_io_save (const NsImage *img, const char *path, GError **error)
{
  size_t n = (size_t) img->width * img->height * 3;
  float *clamped = g_new (float, n);
  for (size_t i = 0; i < n; i++)
    clamped[i] = CLAMP (img->data[i], 0.0f, 1.0f);
  GeglRectangle rect = { 0, 0, img->width, img->height };
  GeglBuffer *buf = gegl_buffer_new (&rect, babl_format ("R'G'B' float"));
  gegl_buffer_set (buf, &rect, 0, babl_format ("R'G'B' float"), clamped, GEGL_AUTO_ROWSTRIDE);
  g_free (clamped);

  g_unlink (path);   /* so that a failed save cannot pass for an old file */
  GeglNode *graph = gegl_node_new ();
  GeglNode *src = gegl_node_new_child (graph, "operation", "gegl:buffer-source",
                                       "buffer", buf, NULL);
  GeglNode *save;
  if (g_str_has_suffix (path, ".png") || g_str_has_suffix (path, ".PNG"))
    save = gegl_node_new_child (graph, "operation", "gegl:png-save", "path", path,
                                "bitdepth", 8, NULL);
  else
    save = gegl_node_new_child (graph, "operation", "gegl:save", "path", path, NULL);
  gegl_node_link (src, save);
  gegl_node_process (save);
  g_object_unref (graph);
  g_object_unref (buf);

  GStatBuf st;
  if (g_stat (path, &st) != 0 || st.st_size == 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   "%s: could not be written (unknown extension or unwritable folder?)", path);
      return FALSE;
    }
  return TRUE;
}
