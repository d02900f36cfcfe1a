/* image_io.c — GEGL-based image file I/O for the command-line tool.
 *
 * Loading: the file's bytes are checked first (image_check.c: format by
 * content, declared size, PNG/JPEG complete); JPEGs are then decoded with
 * libjpeg (jpeg_load.c), everything else by GEGL's loader for the format,
 * with GLib warnings caught — GEGL's loaders report a failed decode only as
 * a warning (and a black buffer), which is turned into an error here.  Pictures
 * that are entirely transparent, or whose colour is uniform while the alpha
 * channel holds the picture, are refused (alpha is otherwise ignored).
 *
 * Saving is atomic: a temporary file in the target's folder, checked,
 * fsync()ed and rename()d over the target, so a kill or a full disk leaves
 * the old file or the new one, never a torn one. */
#include "image_io.h"
#include "image_check.h"
#include "jpeg_load.h"

#include <errno.h>
#include <fcntl.h>
#include <gegl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

/* ---- GLib warnings raised while GEGL loads or saves ---- */

typedef struct
{
  GMutex  lock;
  char   *first;      /* the first warning's message */
  guint   ids[2];
  GPrintFunc printerr;   /* the handler before ours */
} Warnings;

/* g_printerr has one handler per process and no user data: the Warnings
 * being filled (loads and saves run one at a time, from the main thread). */
static Warnings *printerr_target;

static const char *const warn_domains[2] = { NULL, "GEGL" };

static void
on_warning (const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
  (void) domain; (void) level;
  Warnings *w = data;
  g_mutex_lock (&w->lock);
  if (!w->first)
    w->first = g_strdup (message);
  g_mutex_unlock (&w->lock);
}

/* GEGL's png-load prints libpng's reason ("LIBPNG ERROR: IDAT: incorrect
 * header check") with g_printerr before its less telling warning. */
static void
on_printerr (const gchar *message)
{
  Warnings *w = printerr_target;
  g_mutex_lock (&w->lock);
  if (!w->first)
    w->first = g_strdup (message);
  g_mutex_unlock (&w->lock);
}

static void
warnings_catch (Warnings *w)
{
  g_mutex_init (&w->lock);
  w->first = NULL;
  printerr_target = w;
  w->printerr = g_set_printerr_handler (on_printerr);
  for (int i = 0; i < 2; i++)
    w->ids[i] = g_log_set_handler (warn_domains[i], G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL,
                                   on_warning, w);
}

/* Stop catching; returns the first message (free it) or NULL. */
static char *
warnings_release (Warnings *w)
{
  for (int i = 0; i < 2; i++)
    g_log_remove_handler (warn_domains[i], w->ids[i]);
  g_set_printerr_handler (w->printerr);
  printerr_target = NULL;
  g_mutex_clear (&w->lock);
  return w->first;
}

/* ---- loading ---- */

static const char *
loader_op (NsFileKind kind)
{
  switch (kind)
    {
    case NS_FILE_PNG:  return "gegl:png-load";
    case NS_FILE_JPEG: return "gegl:jpg-load";
    case NS_FILE_TIFF: return "gegl:tiff-load";
    case NS_FILE_EXR:  return "gegl:exr-load";
    case NS_FILE_GIF:  return "gegl:gif-load";
    case NS_FILE_WEBP: return "gegl:webp-load";
    default:           return "gegl:load";   /* by name / content type, GEGL's choice */
    }
}

/* Copy buf's colour into img band by band, refusing pictures that live in
 * the alpha channel only. */
static gboolean
copy_pixels (GeglBuffer *buf, const GeglRectangle *ext, NsImage *img, const char *path,
             GError **error)
{
  if (!babl_format_has_alpha (gegl_buffer_get_format (buf)))
    {
      gegl_buffer_get (buf, ext, 1.0, babl_format ("R'G'B' float"), img->data,
                       GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
      return TRUE;
    }
  const int W = ext->width, band = 64;
  float *rgba = g_new (float, (gsize) 4 * W * band);
  float cmin = G_MAXFLOAT, cmax = -G_MAXFLOAT, amin = G_MAXFLOAT, amax = -G_MAXFLOAT;
  for (int y = 0; y < ext->height; y += band)
    {
      int rows = MIN (band, ext->height - y);
      GeglRectangle r = { ext->x, ext->y + y, W, rows };
      gegl_buffer_get (buf, &r, 1.0, babl_format ("R'G'B'A float"), rgba,
                       GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
      float *dst = img->data + (gsize) 3 * W * y;
      for (gsize i = 0; i < (gsize) W * rows; i++)
        {
          for (int c = 0; c < 3; c++)
            {
              float v = rgba[4 * i + c];
              dst[3 * i + c] = v;
              cmin = MIN (cmin, v);
              cmax = MAX (cmax, v);
            }
          amin = MIN (amin, rgba[4 * i + 3]);
          amax = MAX (amax, rgba[4 * i + 3]);
        }
    }
  g_free (rgba);
  if (amax <= 0.0f)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "%s: every pixel is fully transparent (alpha 0): no colour to work with", path);
      return FALSE;
    }
  if (cmax - cmin < 1.0f / 512 && amax - amin >= 1.0f / 512)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "%s: the picture is in the alpha channel only (the colour is uniform); "
                   "flatten it onto a background first", path);
      return FALSE;
    }
  return TRUE;
}

NsImage *
ns_io_load (const char *path, GError **error)
{
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s: no such file", path);
      return NULL;
    }
  NsFileInfo info;
  if (!ns_image_file_check (path, &info, error))
    return NULL;
  if (info.kind == NS_FILE_JPEG)
    {
      gboolean not_rgb;
      NsImage *img = ns_jpeg_load (path, &not_rgb, error);
      if (img || !not_rgb)
        return img;   /* CMYK: GEGL's jpg-load below */
    }
  const char *op = loader_op (info.kind);
  if (!gegl_has_operation (op))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "%s: a %s file, but GEGL has no %s operation to read it", path,
                   ns_file_kind_name (info.kind), op);
      return NULL;
    }

  GeglBuffer *buf = NULL;
  GeglNode *graph = gegl_node_new ();
  GeglNode *load = gegl_node_new_child (graph, "operation", op, NULL);
  GeglNode *sink = gegl_node_new_child (graph, "operation", "gegl:buffer-sink",
                                        "buffer", &buf, NULL);
  gegl_node_link (load, sink);
  Warnings warn;
  warnings_catch (&warn);
  gegl_node_set (load, "path", path, NULL);
  GeglRectangle bb = gegl_node_get_bounding_box (load);
  gboolean sane = bb.width >= 1 && bb.height >= 1
                  && (gint64) bb.width * bb.height <= NS_IO_MAX_PIXELS;
  if (sane)
    gegl_node_process (sink);
  char *warning = warnings_release (&warn);
  g_object_unref (graph);

  const GeglRectangle *ext = buf ? gegl_buffer_get_extent (buf) : NULL;
  NsImage *img = NULL;
  if (bb.width >= 1 && bb.height >= 1 && !sane)
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                 "%s: %dx%d pixels, more than the %" G_GINT64_FORMAT " million this tool reads",
                 path, bb.width, bb.height, NS_IO_MAX_PIXELS / 1000000);
  else if (warning)
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                 "%s: the %s file could not be decoded: %s", path,
                 info.kind ? ns_file_kind_name (info.kind) : "image", g_strstrip (warning));
  else if (!ext || ext->width < 1 || ext->height < 1)
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                 "%s: not an image GEGL can read", path);
  else if (!(img = ns_image_new (ext->width, ext->height)))
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOMEM,
                 "%s: %dx%d is too large", path, ext->width, ext->height);
  else if (!copy_pixels (buf, ext, img, path, error))
    g_clear_pointer (&img, ns_image_free);
  g_free (warning);
  g_clear_object (&buf);
  return img;
}

/* ---- atomic saving ---- */

/* The temporary file being written, for the CLI's signal handler: a second
 * SIGINT exits at once and removes it (unlink is async-signal-safe). */
static char pending_temp[4096];

const char *
ns_io_pending_temp (void)
{
  return pending_temp;
}

/* Write img to tmp (a new, empty file) with the saver for target's extension. */
static gboolean
write_image (const NsImage *img, const char *tmp, const char *target, GError **error)
{
  size_t n = (size_t) img->width * img->height * 3;
  float *clamped = g_try_new (float, n);
  if (!clamped)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOMEM, "%s: out of memory", target);
      return FALSE;
    }
  for (size_t i = 0; i < n; i++)
    clamped[i] = CLAMP (img->data[i], 0.0f, 1.0f);
  GeglRectangle rect = { 0, 0, img->width, img->height };
  GeglBuffer *buf = gegl_buffer_new (&rect, babl_format ("R'G'B' float"));
  gegl_buffer_set (buf, &rect, 0, babl_format ("R'G'B' float"), clamped, GEGL_AUTO_ROWSTRIDE);
  g_free (clamped);

  GeglNode *graph = gegl_node_new ();
  GeglNode *src = gegl_node_new_child (graph, "operation", "gegl:buffer-source",
                                       "buffer", buf, NULL);
  GeglNode *save;
  if (g_str_has_suffix (target, ".png") || g_str_has_suffix (target, ".PNG"))
    save = gegl_node_new_child (graph, "operation", "gegl:png-save", "path", tmp,
                                "bitdepth", 8, NULL);
  else
    save = gegl_node_new_child (graph, "operation", "gegl:save", "path", tmp, NULL);
  gegl_node_link (src, save);
  Warnings warn;
  warnings_catch (&warn);
  gegl_node_process (save);
  char *warning = warnings_release (&warn);
  g_object_unref (graph);
  g_object_unref (buf);

  /* a PNG or JPEG must be complete (a full disk can cut it short silently) */
  GStatBuf st;
  NsFileInfo info;
  GError *check = NULL;
  gboolean ok = FALSE;
  if (warning)
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: could not be written: %s",
                 target, g_strstrip (warning));
  else if (g_stat (tmp, &st) != 0 || st.st_size == 0)
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                 "%s: could not be written (unknown extension, or the disk is full?)", target);
  else if (!ns_image_file_check (tmp, &info, &check))
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                 "%s: could not be written completely (disk full?): %s", target, check->message);
  else
    ok = TRUE;
  g_clear_error (&check);
  g_free (warning);
  return ok;
}

/* fsync the file or folder at path; FALSE with errno set on failure. */
static gboolean
sync_path (const char *path, int flags)
{
  int fd = open (path, flags | O_CLOEXEC);
  if (fd < 0)
    return FALSE;
  int r = fsync (fd);
  int e = errno;
  close (fd);
  errno = e;
  return r == 0 || e == EINVAL;   /* EINVAL: the file system cannot sync (e.g. /proc) */
}

gboolean
ns_io_save (const NsImage *img, const char *path, GError **error)
{
  char *dir = g_path_get_dirname (path);
  char *base = g_path_get_basename (path);
  const char *ext = strrchr (base, '.');
  /* .NAME.tmp-XXXXXX.EXT: hidden, same folder (rename stays atomic), and the
   * extension that selects GEGL's saver */
  char *tmp = g_strdup_printf ("%s%c.%s.tmp-XXXXXX%s", dir, G_DIR_SEPARATOR, base, ext ? ext : "");
  gboolean ok = FALSE;
  int fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0666);   /* 0666 & ~umask, like fopen */
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
                   "%s: could not be written: %s", path, g_strerror (e));
      goto out;
    }
  /* the name is reserved; GEGL's savers write through g_file_replace(), which
   * would write an existing file via a second temporary of its own */
  close (fd);
  g_unlink (tmp);
  if (strlen (tmp) < sizeof pending_temp)
    {
      /* the first byte last: the handler sees "" or the whole path */
      memcpy (pending_temp + 1, tmp + 1, strlen (tmp));
      __atomic_signal_fence (__ATOMIC_SEQ_CST);
      pending_temp[0] = tmp[0];
    }

  if (!write_image (img, tmp, path, error))
    goto out;
  if (!sync_path (tmp, O_RDONLY))
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
                   "%s: could not be written (fsync: %s)", path, g_strerror (e));
      goto out;
    }
  if (g_rename (tmp, path) != 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
                   "%s: could not be replaced: %s", path, g_strerror (e));
      goto out;
    }
  sync_path (dir, O_RDONLY | O_DIRECTORY);   /* the rename itself; best effort */
  ok = TRUE;
out:
  if (!ok && fd >= 0)
    g_unlink (tmp);
  pending_temp[0] = '\0';
  g_free (tmp);
  g_free (base);
  g_free (dir);
  return ok;
}
