#!/bin/sh
# screenshot-in-root.sh BUILD DELAY [STEPS] — inside the root, under
# xvfb-run (see screenshot-dialog.sh): opens the dialog interactively, grabs
# the screen into /tmp-shot.png DELAY seconds after the dialog appeared,
# ends GIMP.  STEPS: dialog test steps taken first (NEURAL_STYLE_TEST_DIALOG,
# e.g. region=1:sky; the dog has channels "sky" and "ground").
set -u
BUILD=$1 DELAY=$2 STEPS=${3:-}
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" /src -Dgimp=3 >/dev/null
ninja -C "$BUILD" plug-in/gimp3/plug-in-neural-style po/de/LC_MESSAGES/gimp-plugin-neural-style.mo >/dev/null
export GIMP3_DIRECTORY=/tmp/shot-profile LANGUAGE=C LC_ALL=C.UTF-8
export NEURAL_STYLE_MODEL=/shared/models/squeezenet1_1.safetensors NEURAL_STYLE_LOCALEDIR=$BUILD/po
export NEURAL_STYLE_TEST_DIALOG="$STEPS"
mkdir -p $GIMP3_DIRECTORY/plug-ins/plug-in-neural-style
cp "$BUILD/plug-in/gimp3/plug-in-neural-style" $GIMP3_DIRECTORY/plug-ins/plug-in-neural-style/
# its own process group, so that the plug-in goes with it at the end (a
# plug-in left running would keep the root's lock)
setsid gimp-console-3.0 -i -d -f --batch-interpreter=python-fu-eval -b "import gi
gi.require_version('Gimp', '3.0')
from gi.repository import Gimp, Gio
def load(p):
    img = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path(p))
    img.set_file(Gio.File.new_for_path(p[:-4] + '.xcf'))   # batch loads are [Untitled]
    return img
dog = load('/shared/images/dog.jpg')
for name in ('sky', 'ground'):   # channels for the Region / Protect menus
    dog.insert_channel(Gimp.Channel.new_from_component(dog, Gimp.ChannelType.RED, name), None, -1)
styles = [load('/shared/images/scream.jpg'), load('/shared/images/kite.jpg')]
proc = Gimp.get_pdb().lookup_procedure('plug-in-neural-style')
c = proc.create_config()
c.set_property('run-mode', Gimp.RunMode.INTERACTIVE)
c.set_property('image', dog)
c.set_core_object_array('drawables', dog.get_layers())
c.set_core_object_array('style-images', styles)
proc.run(c)" --quit > /root/shot.log 2>&1 &
pid=$!
# Wait (up to 3 minutes) until something is drawn, then let the dialog
# settle (thumbnails, the estimate) and grab the screen.
python3 -c "
import time, gi
gi.require_version('Gdk', '3.0')
from gi.repository import Gdk
w = Gdk.get_default_root_window()
grab = lambda: Gdk.pixbuf_get_from_window(w, 0, 0, w.get_width(), w.get_height())
for _ in range(180):
    if any(grab().get_pixels()):
        break
    time.sleep(1)
# the pointer to a corner: Xvfb starts it mid-screen, over the dialog,
# where it would raise a tooltip into the picture
display = Gdk.Display.get_default()
display.get_default_seat().get_pointer().warp(display.get_default_screen(), 0, 0)
display.flush()
time.sleep($DELAY)
grab().savev('/tmp-shot.png', 'png', [], [])
" > /root/grab.log 2>&1
kill -- -$pid 2>/dev/null
wait $pid 2>/dev/null
# GIMP 3 starts plug-ins in process groups of their own: the dialog's
# plug-in outlives the group kill above unless ended by its path
pkill -KILL -f "$GIMP3_DIRECTORY/plug-ins/" 2>/dev/null   # (it may ignore SIGTERM)
true
