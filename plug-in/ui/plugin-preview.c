/* plugin-preview.c — the dialog's live preview (see header); GTK 2
 * (GIMP 2.10) or GTK 3 (GIMP 3), whichever the plug-in is built with.
 *
 * Threads: the main thread owns every widget and the NspPreview fields
 * but `cancel` and `running`; one worker at a time runs a job on the input
 * it was given and reads only that, `cancel`, `running` (atomic) and the
 * model cache (touched by workers only, one after the other: the next
 * starts after the last one was joined).  Pictures travel as Shown records
 * through g_idle_add; each holds a reference on the preview
 * (GAtomicRcBox), so one that arrives after the dialog closed finds
 * `alive` FALSE and is dropped. */
#include "plugin-preview.h"
#include "plugin-i18n.h"

#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>
#include <stdio.h>
#include <string.h>

#define DEBOUNCE_MS    300
#define SNAPSHOT_EVERY 2

struct NspPreview
{
  NspPreviewGather gather;
  gpointer         gather_data;
  GtkWidget       *box, *image, *status, *toggle;
  gboolean         alive;        /* widgets exist (main thread) */
  guint            timer;        /* debounce source, 0 = none */
  GThread         *worker;
  gint             cancel;       /* atomic: the running worker stops */
  gint             running;      /* atomic: a worker has not finished its job yet */
  guint            generation;   /* of the run pictures are accepted from */
  gint64           t_start;      /* monotonic µs when the run was asked for */
  gboolean         first_shown;
  NsModel         *model;        /* workers only: the model of the last run */
  gchar           *model_path;
};

typedef struct
{
  NspPreview      *preview;      /* a reference */
  guint            generation;
  NspPreviewInput  in;
} Job;

typedef struct
{
  NspPreview *preview;           /* a reference */
  guint       generation;
  NsImage    *image;
  gint        iteration, iterations;
  gboolean    done;
} Shown;

static void
preview_unref (NspPreview *p)
{
  g_atomic_rc_box_release_full (p, (GDestroyNotify) NULL);
}

static void
input_clear (NspPreviewInput *in)
{
  ns_image_free (in->content);
  ns_image_free (in->content_mask);
  for (gint i = 0; i < NSP_MAX_STYLES; i++)
    {
      ns_image_free (in->styles[i]);
      ns_image_free (in->style_masks[i]);
    }
  memset (in, 0, sizeof *in);
}

/* ------------------------------------------------------ main thread */

static GdkPixbuf *
pixbuf_of (const NsImage *img)
{
  GdkPixbuf *pb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, img->width, img->height);
  guchar    *px = gdk_pixbuf_get_pixels (pb);
  gint       stride = gdk_pixbuf_get_rowstride (pb);

  for (gint y = 0; y < img->height; y++)
    for (gint x = 0; x < img->width * 3; x++)
      px[y * stride + x] = (guchar) (CLAMP (img->data[(gsize) y * img->width * 3 + x], 0.f, 1.f)
                                     * 255.f + 0.5f);
  return pb;
}

/* The test hooks (see header). */
static void
test_log (const Shown *s, gdouble secs)
{
  const gchar *log = g_getenv ("NEURAL_STYLE_TEST_PREVIEW_LOG");
  FILE        *f;

  if (log && *log && (f = fopen (log, "a")))
    {
      fprintf (f, "first-picture %.3f s (run %u, %dx%d)\n", secs, s->generation,
               s->image->width, s->image->height);
      fclose (f);
    }
}

static void
test_dump (const Shown *s, GdkPixbuf *pb)
{
  const gchar *prefix = g_getenv ("NEURAL_STYLE_TEST_PREVIEW_DUMP");
  gchar       *file;

  if (!prefix || !*prefix || !s->done)
    return;
  file = g_strdup_printf ("%s-%u.png", prefix, s->generation);
  gdk_pixbuf_save (pb, file, "png", NULL, NULL);
  g_free (file);
}

static gboolean
show_picture (gpointer data)
{
  Shown      *s = data;
  NspPreview *p = s->preview;

  if (p->alive && s->generation == p->generation)
    {
      gdouble secs = (g_get_monotonic_time () - p->t_start) / 1e6;
      gchar  *text;

      if (s->image)
        {
          GdkPixbuf *pb = pixbuf_of (s->image);

          gtk_image_set_from_pixbuf (GTK_IMAGE (p->image), pb);
          test_dump (s, pb);
          g_object_unref (pb);
          if (!p->first_shown)
            {
              p->first_shown = TRUE;
              test_log (s, secs);
            }
        }
      text = s->done ? g_strdup_printf (_("Preview: %d iterations, %.1f s"), s->iteration, secs)
                     : g_strdup_printf (_("Preview: iteration %d of %d, %.1f s"), s->iteration,
                                        s->iterations, secs);
      gtk_label_set_text (GTK_LABEL (p->status), text);
      g_free (text);
    }
  ns_image_free (s->image);
  preview_unref (p);
  g_free (s);
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------ worker */

typedef struct
{
  Job     *job;
  gint     iterations;
} WorkerCtx;

static void
post (Job *job, const NsImage *img, gint iteration, gint iterations, gboolean done)
{
  Shown *s = g_new0 (Shown, 1);

  s->preview = g_atomic_rc_box_acquire (job->preview);
  s->generation = job->generation;
  s->image = img ? ns_image_copy (img) : NULL;
  s->iteration = iteration;
  s->iterations = iterations;
  s->done = done;
  g_idle_add (show_picture, s);
}

static gboolean
on_progress (const NsProgress *pr, gpointer data)
{
  WorkerCtx *c = data;

  c->iterations = pr->iterations;
  return !g_atomic_int_get (&c->job->preview->cancel);
}

static void
on_snapshot (const NsImage *img, const NsProgress *pr, gpointer data)
{
  WorkerCtx *c = data;

  post (c->job, img, pr->iteration, pr->iterations, FALSE);
}

static gpointer
worker (gpointer data)
{
  Job        *job = data;
  NspPreview *p = job->preview;
  NsParams    params;
  GError     *err = NULL;
  NsJob      *nj = NULL;
  NsImage    *result = NULL;
  gchar      *path = job->in.vals.model[0] ? g_strdup (job->in.vals.model)
                                           : ns_model_find_default (NULL);
  WorkerCtx   ctx = { job, 0 };

  if (path && g_strcmp0 (path, p->model_path) != 0)
    {
      g_clear_pointer (&p->model, ns_model_free);
      g_free (p->model_path);
      p->model_path = g_strdup (path);
      p->model = ns_model_load (path, NULL);
    }
  if (p->model && !g_atomic_int_get (&p->cancel))
    {
      nsp_values_to_ns_params (&job->in.vals, job->in.vals.seed >= 0 ? (guint32) job->in.vals.seed : 0,
                               &params);
      params.size = 0;                  /* the content is preview-sized already */
      params.multires = 1;              /* one level: the first picture comes soonest */
      params.snapshot_every = SNAPSHOT_EVERY;
      nj = ns_job_new (p->model, job->in.content, &params, &err);
      /* the masks as the full run passes them (common/plugin-run.c) */
      for (gint i = 0; nj && i < job->in.vals.n_styles; i++)
        if (!ns_job_add_style_masked (nj, job->in.styles[i], job->in.vals.style_weights[i],
                                      job->in.vals.style_scales[i], job->in.style_masks[i], &err))
          g_clear_pointer (&nj, ns_job_free);
      if (nj && job->in.content_mask
          && !ns_job_set_content_mask (nj, job->in.content_mask,
                                       job->in.vals.content_mask_strength, &err))
        g_clear_pointer (&nj, ns_job_free);
    }
  if (nj)
    {
      ns_job_set_progress (nj, on_progress, &ctx);
      ns_job_set_snapshot (nj, on_snapshot, &ctx);
      result = ns_job_run (nj, &err);
      if (result && ns_job_get_stop_reason (nj) != NS_STOP_CANCELLED)
        {
          gint n;

          ns_job_get_history (nj, &n);
          post (job, result, MAX (n - 1, 0), ctx.iterations, TRUE);
        }
    }
  g_clear_error (&err);
  ns_image_free (result);
  ns_job_free (nj);
  g_free (path);
  input_clear (&job->in);
  g_atomic_int_set (&p->running, 0);
  preview_unref (job->preview);
  g_free (job);
  return NULL;
}

/* ------------------------------------------------------ main thread */

static void
stop_worker (NspPreview *p)
{
  g_atomic_int_set (&p->cancel, 1);
  if (p->worker)
    g_thread_join (p->worker);
  p->worker = NULL;
  g_atomic_int_set (&p->cancel, 0);
  p->generation++;               /* pictures of the stopped run are dropped */
}

static gboolean
start_run (gpointer data)
{
  NspPreview *p = data;
  Job        *job;

  p->timer = 0;
  stop_worker (p);
  if (!gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (p->toggle)))
    return G_SOURCE_REMOVE;
  job = g_new0 (Job, 1);
  if (!p->gather (p->gather_data, &job->in))
    {
      gtk_label_set_text (GTK_LABEL (p->status), _("Preview: choose a style image"));
      input_clear (&job->in);
      g_free (job);
      return G_SOURCE_REMOVE;
    }
  job->preview = g_atomic_rc_box_acquire (p);
  job->generation = p->generation;
  p->t_start = g_get_monotonic_time ();
  p->first_shown = FALSE;
  gtk_label_set_text (GTK_LABEL (p->status), _("Preview: starting…"));
  g_atomic_int_set (&p->running, 1);
  p->worker = g_thread_new ("neural-style-preview", worker, job);
  return G_SOURCE_REMOVE;
}

void
nsp_preview_schedule (NspPreview *p)
{
  if (!p || !p->alive)
    return;
  g_atomic_int_set (&p->cancel, 1);   /* the running worker stops at its next iteration */
  if (p->timer)
    g_source_remove (p->timer);
  p->timer = g_timeout_add (DEBOUNCE_MS, start_run, p);
}

static void
on_toggle (GtkToggleButton *toggle, NspPreview *p)
{
  if (gtk_toggle_button_get_active (toggle))
    nsp_preview_schedule (p);
  else
    {
      if (p->timer)
        g_source_remove (p->timer);
      p->timer = 0;
      stop_worker (p);
      gtk_image_clear (GTK_IMAGE (p->image));
      gtk_label_set_text (GTK_LABEL (p->status), _("Preview off"));
    }
}

NspPreview *
nsp_preview_new (NspPreviewGather gather, gpointer data)
{
  NspPreview *p = g_atomic_rc_box_new0 (NspPreview);
  GtkWidget  *frame, *side;

  p->gather = gather;
  p->gather_data = data;
  p->alive = TRUE;
#if GTK_CHECK_VERSION (3, 0, 0)
  p->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);   /* the picture | status, checkbox */
  side = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
#else
  p->box = gtk_hbox_new (FALSE, 12);   /* the picture | status and checkbox */
  side = gtk_vbox_new (FALSE, 6);
#endif
  frame = gtk_frame_new (NULL);
  gtk_frame_set_shadow_type (GTK_FRAME (frame), GTK_SHADOW_IN);
  p->image = gtk_image_new ();
  gtk_widget_set_size_request (p->image, NSP_PREVIEW_SIDE, NSP_PREVIEW_SIDE);
  gtk_container_add (GTK_CONTAINER (frame), p->image);
  gtk_box_pack_start (GTK_BOX (p->box), frame, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (p->box), side, TRUE, TRUE, 0);
  p->status = gtk_label_new ("");
  gtk_label_set_line_wrap (GTK_LABEL (p->status), TRUE);
#if GTK_CHECK_VERSION (3, 0, 0)
  gtk_label_set_xalign (GTK_LABEL (p->status), 0.0);
  gtk_label_set_yalign (GTK_LABEL (p->status), 0.0);
  gtk_label_set_max_width_chars (GTK_LABEL (p->status), 24);
#else
  gtk_misc_set_alignment (GTK_MISC (p->status), 0.0, 0.0);
#endif
  gtk_box_pack_start (GTK_BOX (side), p->status, FALSE, FALSE, 0);
  p->toggle = gtk_check_button_new_with_mnemonic (_("Pre_view"));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (p->toggle), TRUE);
  gimp_help_set_help_data (p->toggle,
                           _("A small run (at most 192 pixels) of the current settings, "
                             "updated every few iterations and restarted after each change."),
                           NULL);
  g_signal_connect (p->toggle, "toggled", G_CALLBACK (on_toggle), p);
  gtk_box_pack_start (GTK_BOX (side), p->toggle, FALSE, FALSE, 0);
  return p;
}

GtkWidget *
nsp_preview_widget (NspPreview *p)
{
  return p->box;
}

static void
preview_model_free (NspPreview *p)
{
  g_clear_pointer (&p->model, ns_model_free);
  g_clear_pointer (&p->model_path, g_free);
}

void
nsp_preview_free (NspPreview *p)
{
  if (!p)
    return;
  if (p->timer)
    g_source_remove (p->timer);
  p->timer = 0;
  {
    /* test hook: whether closing found a run going and how soon it stopped */
    gboolean     was_running = p->worker && g_atomic_int_get (&p->running);
    gint64       t0 = g_get_monotonic_time ();
    const gchar *log = g_getenv ("NEURAL_STYLE_TEST_PREVIEW_LOG");
    FILE        *f;

    stop_worker (p);
    if (log && *log && (f = fopen (log, "a")))
      {
        if (was_running)
          fprintf (f, "closed: the running preview stopped in %.3f s\n",
                   (g_get_monotonic_time () - t0) / 1e6);
        else
          fprintf (f, "closed: no preview running\n");
        fclose (f);
      }
  }
  p->alive = FALSE;
  preview_model_free (p);        /* no worker runs any more */
  preview_unref (p);
}

NsImage *
nsp_preview_fit_mask (NsImage *full, const NsImage *content)
{
  NsImage *small;

  if (!full || !content || (full->width == content->width && full->height == content->height))
    return full;
  small = ns_image_resize (full, content->width, content->height);
  ns_image_free (full);
  return small;
}
