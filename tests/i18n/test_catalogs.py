"""The shipped catalogs: every message id translated, .mo files in sync with the .po."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from regctl.base import i18n

LOCALE = i18n.LOCALE_DIR
SRC = Path(i18n.__file__).parent.parent  # src/regctl
KEYWORDS = {"msg": None, "tr": None, "N_": None, "_": None, "ngettext": (1, 2)}
FIELD = re.compile(r"\{(\w*)[^{}]*\}")


def _po(lang: str):  # type: ignore[no-untyped-def]
    with open(LOCALE / lang / "LC_MESSAGES" / "regctl.po", "rb") as fh:
        return read_po(fh, locale=lang)


def _source_ids() -> set[str]:
    # scripts/i18n.sh's mapping: the Python source and the console's templates.
    from babel.messages.frontend import parse_mapping_cfg

    cfg = (SRC.parent.parent / "scripts" / "babel.cfg").read_text(encoding="utf-8")
    method_map, options_map = parse_mapping_cfg(io.StringIO(cfg))
    assert ("console/templates/**.j2", "jinja2") in method_map
    ids = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        str(SRC),
        method_map=method_map,
        options_map=options_map,
        keywords=KEYWORDS,
        comment_tags=(),
    ):
        ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


def test_every_message_id_in_the_source_has_a_persian_translation() -> None:
    ids = _source_ids()
    assert len(ids) >= 40 and "no problems" in ids
    catalog = _po("fa")
    translated = {}
    for m in catalog:
        if not m.id:
            continue
        key = m.id[0] if isinstance(m.id, tuple) else m.id
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if all(strings) and "fuzzy" not in m.flags:
            translated[key] = strings
    missing = sorted(ids - set(translated))
    assert not missing, f"untranslated (run bash scripts/i18n.sh, then translate): {missing}"
    stale = sorted(set(translated) - ids)
    assert not stale, f"catalog ids no longer in the source (run bash scripts/i18n.sh): {stale}"
    for key, strings in translated.items():
        for s in strings:
            # The same {fields}: a translation may move them, never drop or add one.
            assert sorted(FIELD.findall(s)) == sorted(FIELD.findall(key)), (key, s)
            # words are Persian; a template of only fields and punctuation has none
            wordless = not re.search("[A-Za-z]", FIELD.sub("", key))
            assert re.search("[\u0600-\u06ff]", s) or wordless, (key, s)


def _without_generator(catalog: dict[object, object]) -> dict[object, object]:
    # The header's Generated-By names the Babel version that compiled the file; which
    # version that was does not matter to a reader of the catalog.
    header = str(catalog.get("", ""))
    return {**catalog, "": re.sub(r"Generated-By: [^\n]*\n", "", header)}


def test_compiled_mo_files_match_their_po() -> None:
    import gettext

    for po_path in sorted(LOCALE.glob("*/LC_MESSAGES/regctl.po")):
        lang = po_path.parent.parent.name
        built = io.BytesIO()
        write_mo(built, _po(lang))
        built.seek(0)
        mo_path = po_path.with_suffix(".mo")
        with open(mo_path, "rb") as fh:  # read as the runtime reads it: stdlib gettext
            shipped = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
        expected = gettext.GNUTranslations(built)._catalog  # type: ignore[attr-defined]
        assert _without_generator(shipped) == _without_generator(expected), (
            f"{mo_path} is stale: run bash scripts/i18n.sh compile"
        )
        assert len(read_mo(io.BytesIO(mo_path.read_bytes()))) >= 40


@pytest.mark.parametrize("lang", ["fa"])
def test_mo_files_ship_in_the_package(lang: str) -> None:
    # What setuptools' package-data includes is what a wheel installs.
    import tomllib

    pyproject = tomllib.loads((SRC.parent.parent / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["regctl"]
    mo = f"locale/{lang}/LC_MESSAGES/regctl.mo"
    assert "locale/*/LC_MESSAGES/*.mo" in patterns
    out = subprocess.run(
        [sys.executable, "-c", "import gettext, regctl.base.i18n as i; "
         "print(gettext.find('regctl', i.LOCALE_DIR, ['fa']))"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert out.stdout.strip().endswith(mo)


def test_no_translation_holds_a_bidi_control_or_invisible_character() -> None:
    """Output escapes bidi controls and invisible characters (Trojan Source), so one in a
    translation is printed as ``\\u200f`` to the very reader it was meant to help: the
    Persian hint for a missing manifest began with an RLM and showed it so."""
    from regctl.base.textsafe import BIDI, INVISIBLE

    # ZWNJ (U+200C) is Persian orthography (می‌نویسد), not formatting: allowed.
    hidden = re.compile(f"[{BIDI}{INVISIBLE}\\x00-\\x09\\x0b-\\x1f\\x7f-\\x9f]")
    for po_path in sorted(LOCALE.glob("*/LC_MESSAGES/regctl.po")):
        for m in _po(po_path.parent.parent.name):
            source = "".join(m.id if isinstance(m.id, tuple) else (m.id,))
            allowed = set(hidden.findall(source))  # click's "\\t{choices}" keeps its tab
            for text in m.string if isinstance(m.string, tuple) else (m.string,):
                extra = set(hidden.findall(text or "")) - allowed
                assert not extra, (po_path.parent.parent.name, m.id, sorted(extra))
