# neural-style-tests.py — plug-in-neural-style in real GIMP 3 from
# Python-Fu (python-fu-eval), run by run-gimp3-tests.sh.  The environment
# gives NS_SESSION (main | cancel | lastvals-1 | lastvals-2), NS_MODEL,
# NS_CORRUPT_MODEL, NS_CONTENT, NS_STYLE, NS_TMP.  Prints "NSTEST ok NAME" /
# "NSTEST FAIL NAME: why" lines and "NSTEST END <session>".
import hashlib
import os

import gi
gi.require_version('Gimp', '3.0')
gi.require_version('Gegl', '0.4')
from gi.repository import Gegl, Gimp, Gio  # noqa: E402

E = os.environ
SESSION = E['NS_SESSION']
PDB_OK = Gimp.PDBStatusType.SUCCESS


def report(ok, name, why=''):
    print('NSTEST %s %s%s' % ('ok' if ok else 'FAIL', name, '' if ok else ': ' + str(why)),
          flush=True)


def load(path):
    return Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path(path))


def pixels(drawable, fmt="R'G'B'A u8"):
    buf = drawable.get_buffer()
    return bytes(buf.get(buf.get_extent(), 1.0, fmt, Gegl.AbyssPolicy.NONE))


def digest(image):
    """Layers (names, order) and every layer's pixels and mask."""
    h = hashlib.sha1()
    for layer in image.get_layers():
        h.update(layer.get_name().encode())
        h.update(pixels(layer))
        if layer.get_mask():
            h.update(pixels(layer.get_mask(), 'Y u8'))
    return h.hexdigest()


def run(image, drawables, styles, run_mode=Gimp.RunMode.NONINTERACTIVE, **args):
    """Call the procedure by argument names; (status, layer or message)."""
    proc = Gimp.get_pdb().lookup_procedure('plug-in-neural-style')
    config = proc.create_config()
    config.set_property('run-mode', run_mode)
    config.set_property('image', image)
    config.set_core_object_array('drawables', drawables)
    config.set_core_object_array('style-images', styles)
    for key, value in args.items():
        config.set_property(key.replace('_', '-'), value)
    result = proc.run(config)
    second = result.index(1) if result.length() > 1 else None
    return result.index(0), second


def parasite_text(layer):
    p = layer.get_parasite('neural-style-parameters')
    return bytes(p.get_data()).rstrip(b'\0').decode() if p else ''


def export_layer(layer, path):
    """The layer alone as an 8-bit PNG (for the same-pixels check)."""
    img = Gimp.Image.new(layer.get_width(), layer.get_height(), Gimp.ImageBaseType.RGB)
    copy = Gimp.Layer.new_from_drawable(layer, img)
    img.insert_layer(copy, None, 0)
    img.flatten()
    Gimp.file_save(Gimp.RunMode.NONINTERACTIVE, img, Gio.File.new_for_path(path), None)
    img.delete()


SMALL = dict(iterations=4, size=48, seed=3, multires=1, init='content', model=E['NS_MODEL'])


def main_session():
    content = load(E['NS_CONTENT'])
    style = load(E['NS_STYLE'])
    layer = content.get_layers()[0]
    content_before, style_before = digest(content), digest(style)

    # The reference run; its parameters are the same-pixels test's.
    status, out = run(content, [layer], [style], **SMALL)
    report(status == PDB_OK, 'py/success', out)
    if status != PDB_OK:
        return
    layers = content.get_layers()
    report(isinstance(out, Gimp.Layer) and len(layers) == 2 and layers[0] == out
           and layers[1] == layer, 'py/new-layer-above-content', [l.get_name() for l in layers])
    report(pixels(layer) == pixels(content.get_layers()[1]), 'py/content-layer-untouched')
    report(digest(style) == style_before, 'py/style-image-untouched')
    report(pixels(out) != pixels(layer), 'py/result-differs-from-content')
    text = parasite_text(out)
    report('seed=3' in text and 'iterations=4' in text and 'working-size=48x' in text
           and 'model=' + E['NS_MODEL'] in text, 'py/parameters-parasite', text)
    # (GIMP 3.0 names an image loaded by a batch script "[Untitled]".)
    report(out.get_name() == 'Neural Style: ' + style.get_name().rsplit('.', 1)[0],
           'py/layer-name', (out.get_name(), style.get_name()))

    # Same pixels as the CLI: a 48 px content PNG at its own size (the
    # CLI's output has the working size), the result exported as PNG.
    small = load(E['NS_CONTENT'])
    small.scale(48, 48)
    path48 = E['NS_TMP'] + '/content48.png'
    Gimp.file_save(Gimp.RunMode.NONINTERACTIVE, small, Gio.File.new_for_path(path48), None)
    small = load(path48)
    status, out48 = run(small, [small.get_layers()[0]], [style], **dict(SMALL, size=0))
    report(status == PDB_OK, 'py/same-pixels-run', out48)
    if status == PDB_OK:
        export_layer(out48, E['NS_TMP'] + '/gimp3-result.png')

    # Errors leave the image as it was.
    before = digest(content)
    status, msg = run(content, [layer], [style], **dict(SMALL, model=E['NS_CORRUPT_MODEL']))
    report(status == Gimp.PDBStatusType.EXECUTION_ERROR and digest(content) == before,
           'py/execution-error-image-unchanged', (status, msg))
    status, msg = run(content, [layer], [style], **dict(SMALL, size=10))
    report(status == Gimp.PDBStatusType.CALLING_ERROR and digest(content) == before,
           'py/calling-error-image-unchanged', (status, msg))
    status, msg = run(content, [layer], [], **SMALL)
    report(status == Gimp.PDBStatusType.CALLING_ERROR and 'style' in str(msg).lower(),
           'py/no-style-is-a-calling-error', (status, msg))

    # Selection -> layer mask; outside the selection the content is kept.
    content.select_rectangle(Gimp.ChannelOps.REPLACE, 10, 8, 20, 16)
    status, out = run(content, [layer], [style], **SMALL)
    Gimp.Selection.none(content)
    report(status == PDB_OK and out.get_mask() is not None, 'py/selection-mask', status)

    # Alpha is copied from the content layer.
    img = load(E['NS_CONTENT'])
    lay = img.get_layers()[0]
    lay.add_alpha()
    img.select_rectangle(Gimp.ChannelOps.REPLACE, 0, 0, 16, 12)
    lay.edit_clear()
    Gimp.Selection.none(img)
    status, out = run(img, [lay], [style], **SMALL)
    alpha_in = pixels(lay, 'A u8')
    report(status == PDB_OK and out.has_alpha() and pixels(out, 'A u8') == alpha_in
           and 0 in alpha_in, 'py/alpha-copied', status)

    # High bit depth: a 32-bit float linear image gets a float result.
    img = load(E['NS_CONTENT'])
    img.convert_precision(Gimp.Precision.FLOAT_LINEAR)
    lay = img.get_layers()[0]
    status, out = run(img, [lay], [style], **SMALL)
    report(status == PDB_OK and out.get_bpp() == lay.get_bpp() == 12,
           'py/high-bit-depth', (status, out.get_bpp() if status == PDB_OK else None))

    # Grayscale content.
    img = load(E['NS_CONTENT'])
    img.convert_grayscale()
    lay = img.get_layers()[0]
    status, out = run(img, [lay], [style], **SMALL)
    report(status == PDB_OK and out.is_gray(), 'py/grayscale', status)

    # Two styles, weights by name; the layer name shows the shares.
    style2 = load(E['NS_STYLE2'])
    status, out = run(content, [layer], [style, style2], **SMALL)
    report(status == PDB_OK and '%' in out.get_name(), 'py/two-styles',
           out.get_name() if status == PDB_OK else out)

    regions_checks(content, layer, style, style2)

    report(digest(style) == style_before, 'py/style-image-untouched-after-all')
    content.remove_layer(content.get_layers()[0])
    while len(content.get_layers()) > 1:
        content.remove_layer(content.get_layers()[0])
    report(digest(content) == content_before, 'py/content-image-as-before-without-results')


def regions_checks(content, layer, style, style2):
    """Issue 14: content-mask, content-mask-strength, color-transfer."""
    w, h = content.get_width(), content.get_height()
    Gimp.context_set_foreground(Gegl.Color.new('black'))
    left = Gimp.Channel.new(content, 'left', w, h, 50.0, Gegl.Color.new('red'))
    content.insert_channel(left, None, 0)
    Gimp.Selection.none(content)
    left.edit_fill(Gimp.FillType.FOREGROUND)
    content.select_rectangle(Gimp.ChannelOps.REPLACE, 0, 0, w // 2, h)
    left.edit_fill(Gimp.FillType.WHITE)
    Gimp.Selection.none(content)

    s0, plain = run(content, [layer], [style, style2], **SMALL)
    s1, prot = run(content, [layer], [style, style2], **dict(SMALL, content_mask=left,
                                                             content_mask_strength=30.0))
    report(s0 == PDB_OK and s1 == PDB_OK and pixels(prot) != pixels(plain)
           and 'content-mask-strength=30' in parasite_text(prot), 'py/regions-content-mask',
           (s0, s1))
    for mode in ('meancov', 'luminance'):
        s1, out = run(content, [layer], [style, style2], **dict(SMALL, color_transfer=mode))
        report(s1 == PDB_OK and pixels(out) != pixels(plain)
               and 'color-transfer=' + mode in parasite_text(out), 'py/regions-' + mode, s1)
    s1, msg = run(content, [layer], [style], **dict(SMALL, content_mask=style.get_layers()[0]))
    report(s1 == Gimp.PDBStatusType.CALLING_ERROR and 'content' in str(msg),
           'py/regions-foreign-mask-error', (s1, msg))
    content.remove_channel(left)


def cancel_session():
    """NEURAL_STYLE_TEST_CANCEL_AT=2 cancels like the Cancel button; German."""
    content = load(E['NS_CONTENT'])
    style = load(E['NS_STYLE'])
    layer = content.get_layers()[0]
    before = digest(content)
    status, msg = run(content, [layer], [style], **dict(SMALL, iterations=20))
    report(status == Gimp.PDBStatusType.CANCEL, 'py/cancel-status', (status, msg))
    report(digest(content) == before and len(content.get_layers()) == 1,
           'py/cancel-image-unchanged')
    # This session runs with LANGUAGE=de: messages come from the plug-in's
    # own catalogue (gettext domain gimp-plugin-neural-style).
    status, msg = run(content, [layer], [style], **dict(SMALL, size=10))
    report(status == Gimp.PDBStatusType.CALLING_ERROR and 'size muss 0' in str(msg),
           'py/german-message', msg)


def lastvals_session(step):
    """1: an interactive run (the dialog says OK itself) with the values
    chosen by name; 2 (a new GIMP): WITH_LAST_VALS reuses them."""
    content = load(E['NS_CONTENT'])
    style = load(E['NS_STYLE'])
    layer = content.get_layers()[0]
    if step == 1:
        status, out = run(content, [layer], [style], Gimp.RunMode.INTERACTIVE,
                          **dict(SMALL, iterations=5, tv_weight=2.5))
        report(status == PDB_OK, 'py/interactive-run', out)
        if status == PDB_OK:
            with open(E['NS_TMP'] + '/lastvals-1.txt', 'w') as f:
                f.write(parasite_text(out))
    else:
        status, out = run(content, [layer], [style], Gimp.RunMode.WITH_LAST_VALS,
                          iterations=1, tv_weight=0.0)
        report(status == PDB_OK, 'py/with-last-vals-run', out)
        if status == PDB_OK:
            text = parasite_text(out)
            report('iterations=5' in text and 'tv-weight=2.5' in text,
                   'py/last-values-reused', text)


if SESSION == 'main':
    main_session()
elif SESSION == 'cancel':
    cancel_session()
elif SESSION.startswith('lastvals-'):
    lastvals_session(int(SESSION[-1]))
print('NSTEST END py-' + SESSION, flush=True)
