#!/usr/bin/env bash
# Message catalogs: extract the message ids from the source, merge them into each
# language's .po, and compile the .mo files shipped in the package. Needs Babel (the
# `dev` extra). Run after changing a message; tests/test_i18n.py fails until you do.
#   bash scripts/i18n.sh            extract + update + compile
#   bash scripts/i18n.sh compile    compile only (after editing a .po)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=src/regctl/locale
if [ "${1:-}" != compile ]; then
  pybabel extract -F scripts/babel.cfg -k msg -k tr -k N_ -k _ -k ngettext:1,2 \
    --no-location --sort-output --omit-header -o "$DIR/regctl.pot" src/regctl
  for po in "$DIR"/*/LC_MESSAGES/regctl.po; do
    lang=$(basename "$(dirname "$(dirname "$po")")")
    pybabel update -D regctl -i "$DIR/regctl.pot" -d "$DIR" -l "$lang" --no-fuzzy-matching
  done
fi
pybabel compile -D regctl -d "$DIR" --statistics
# The JavaScript reader's messages come from the same catalogues.
python3 scripts/js_messages.py
