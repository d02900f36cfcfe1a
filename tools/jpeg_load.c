/* jpeg_load.c — JPEG files decoded with libjpeg directly, not GEGL's
 * jpg-load: GEGL 0.4.42's loader leaks ~66 KiB per file (its GIO stream and
 * the markers it saves, once per graph preparation; measured by
 * tests/soak), and libjpeg's default error handler, which it keeps for some
 * errors, calls exit() on a malformed file.  Here every libjpeg error comes
 * back as a GError (setjmp/longjmp), and the warnings that mean damaged data
 * (premature end of a segment or of the file, lost sync) are errors too, so
 * a damaged JPEG never becomes a grey picture.  An embedded ICC profile is
 * honoured as GEGL does (babl converts from the profile's space to sRGB).
 * CMYK/YCCK files are left to GEGL (libjpeg cannot convert them to RGB). */
#include "jpeg_load.h"

#include <babl/babl.h>
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

typedef struct
{
  struct jpeg_error_mgr pub;
  jmp_buf jump;
  char    message[JMSG_LENGTH_MAX];   /* the first error or damaging warning */
} ErrorMgr;

static void
on_error (j_common_ptr cinfo)
{
  ErrorMgr *e = (ErrorMgr *) cinfo->err;
  if (!e->message[0])
    cinfo->err->format_message (cinfo, e->message);
  longjmp (e->jump, 1);
}

static void
on_message (j_common_ptr cinfo, int level)
{
  ErrorMgr *e = (ErrorMgr *) cinfo->err;
  int code = cinfo->err->msg_code;
  if (level < 0 && !e->message[0]
      && (code == JWRN_JPEG_EOF || code == JWRN_HIT_MARKER || code == JWRN_MUST_RESYNC))
    cinfo->err->format_message (cinfo, e->message);
}

/* babl_space_from_icc() makes a new space (~12 KiB, never freed) on every
 * call, even for a profile it has seen: spaces are kept here by the
 * profile's SHA-256, so a long session pays once per profile.  Main thread
 * only (the CLI loads one file at a time); past 32 profiles babl is asked
 * each time. */
static const Babl *
space_from_icc (const JOCTET *profile, unsigned int len)
{
  static struct { char sum[65]; const Babl *space; } cache[32];
  static int n_cached;
  char *sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, profile, len);
  const Babl *space = NULL;
  for (int i = 0; i < n_cached && !space; i++)
    if (strcmp (cache[i].sum, sum) == 0)
      space = cache[i].space;
  if (!space)
    {
      const char *icc_error = NULL;
      space = babl_space_from_icc ((const char *) profile, (int) len,
                                   BABL_ICC_INTENT_RELATIVE_COLORIMETRIC, &icc_error);
      if (space && n_cached < (int) G_N_ELEMENTS (cache))
        {
          g_strlcpy (cache[n_cached].sum, sum, sizeof cache[n_cached].sum);
          cache[n_cached++].space = space;
        }
    }
  g_free (sum);
  return space;
}

NsImage *
ns_jpeg_load (const char *path, gboolean *not_rgb, GError **error)
{
  *not_rgb = FALSE;
  FILE *f = fopen (path, "rb");
  if (!f)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: %s", path, g_strerror (errno));
      return NULL;
    }
  struct jpeg_decompress_struct cinfo;
  ErrorMgr err = { 0 };
  /* volatile: changed between setjmp and a longjmp back to it */
  NsImage *volatile img = NULL;
  guint8 *volatile row = NULL;
  JOCTET *volatile icc = NULL;
  cinfo.err = jpeg_std_error (&err.pub);
  err.pub.error_exit = on_error;
  err.pub.emit_message = on_message;
  if (setjmp (err.jump))
    goto fail;
  jpeg_create_decompress (&cinfo);
  jpeg_stdio_src (&cinfo, f);
  jpeg_save_markers (&cinfo, JPEG_APP0 + 2, 0xFFFF);   /* ICC profile chunks */
  jpeg_read_header (&cinfo, TRUE);
  if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK)
    {
      *not_rgb = TRUE;
      jpeg_destroy_decompress (&cinfo);
      fclose (f);
      return NULL;
    }
  const Babl *from = babl_format ("R'G'B' u8");
  JOCTET *profile = NULL;
  unsigned int profile_len = 0;
  if (jpeg_read_icc_profile (&cinfo, &profile, &profile_len))
    {
      icc = profile;
      const Babl *space = space_from_icc (profile, profile_len);
      if (space)   /* an unusable profile: sRGB, as GEGL does */
        from = babl_format_with_space ("R'G'B' u8", space);
    }
  cinfo.out_color_space = JCS_RGB;   /* grey and YCbCr converted by libjpeg */
  jpeg_start_decompress (&cinfo);
  const int W = (int) cinfo.output_width, H = (int) cinfo.output_height;
  img = ns_image_new (W, H);
  row = g_try_malloc ((gsize) 3 * W);
  if (!img || !row)
    {
      g_snprintf (err.message, sizeof err.message, "%dx%d is too large", W, H);
      goto fail;
    }
  const Babl *fish = babl_fish (from, babl_format ("R'G'B' float"));
  while (cinfo.output_scanline < cinfo.output_height)
    {
      int y = (int) cinfo.output_scanline;
      JSAMPROW rows[1] = { row };
      jpeg_read_scanlines (&cinfo, rows, 1);
      babl_process (fish, row, img->data + (gsize) 3 * W * y, W);
    }
  if (err.message[0])   /* a damaging warning during the scan */
    goto fail;
  jpeg_finish_decompress (&cinfo);
  if (err.message[0])
    goto fail;
  jpeg_destroy_decompress (&cinfo);
  free (icc);
  g_free (row);
  fclose (f);
  return img;

fail:
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: the JPEG file could not be decoded: %s",
               path, err.message[0] ? err.message : "unknown libjpeg error");
  jpeg_destroy_decompress (&cinfo);
  free (icc);
  g_free (row);
  ns_image_free (img);
  fclose (f);
  return NULL;
}
