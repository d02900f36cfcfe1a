# profile.sh — sourced by the real-GIMP 2.10 test scripts and screenshot-dialog.sh.
# ns_gimp2_profile WORK PLUGIN: a throw-away GIMP profile in WORK/profile
# holding only PLUGIN (and the data folders GIMP warns about when missing),
# and the environment every session shares: no user-level model or speed
# cache, throw-away XDG data and cache folders, the C locale, 2 threads.
ns_gimp2_profile () {
  export GIMP2_DIRECTORY="$1/profile"
  mkdir -p "$GIMP2_DIRECTORY/plug-ins/plug-in-neural-style"
  for d in brushes dynamics fonts gradients mypaint-brushes palettes patterns tool-presets; do
    mkdir -p "$GIMP2_DIRECTORY/$d"
  done
  cp "$2" "$GIMP2_DIRECTORY/plug-ins/plug-in-neural-style/"
  export XDG_DATA_HOME="$1/xdg" XDG_CACHE_HOME="$1/xdg-cache" LANGUAGE=C LC_ALL=C.UTF-8
  export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}"
  unset NEURAL_STYLE_MODEL NEURAL_STYLE_SPEED_CACHE
}
