#!/bin/sh
# check-po.sh SOURCE_DIR — the translations are complete and well-formed:
# every string marked in the sources (po/POTFILES) has a German translation
# in po/de.po (no untranslated or fuzzy entries after merging with a freshly
# extracted template), and msgfmt -c accepts the catalogue (format strings
# match their originals).
set -eu
SRC=$(cd "${1:?usage: check-po.sh SOURCE_DIR}" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ns-po.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM
cd "$SRC"

for tool in xgettext msgmerge msgfmt; do
  command -v $tool >/dev/null 2>&1 || { echo "skipped: no $tool"; exit 77; }
done

xgettext --from-code=UTF-8 --add-comments=TRANSLATORS: --keyword=_ --keyword=N_ \
  --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=g_dngettext:2,3 \
  --files-from=po/POTFILES -o "$WORK/fresh.pot"
fail=0
for lang in $(cat po/LINGUAS); do
  msgmerge --quiet --no-fuzzy-matching -o "$WORK/$lang.po" "po/$lang.po" "$WORK/fresh.pot"
  stats=$(msgfmt -c --statistics -o /dev/null "$WORK/$lang.po" 2>&1) || { echo "FAIL $lang: msgfmt: $stats"; fail=1; continue; }
  case "$stats" in
    *untranslated*|*fuzzy*) echo "FAIL $lang: $stats"; fail=1 ;;
    *) echo "ok   $lang: $stats" ;;
  esac
  msgfmt -c -o /dev/null "po/$lang.po" || { echo "FAIL $lang: po/$lang.po is not valid"; fail=1; }
done
n=$(grep -c '^msgid ' "$WORK/fresh.pot")
echo "$((n - 1)) messages in the sources"
exit $fail
