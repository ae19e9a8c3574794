"""Manifest-loading errors in the caller's language: the same code and English text as
ever, a Persian line with ``locale="fa"`` (or ``$LANG``), one line, no credential of a
URL. Real files and a real HTTP server on loopback."""

from __future__ import annotations

import gzip
import http.server
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.client.client_fixtures import base_doc, doc, write_manifest

from regctl.base import i18n
from regctl.base.canonical import dumps_pretty, seal
from regctl.client import ClientError, Registry
from regctl.client.errors import NoCredentials

PERSIAN = re.compile("[\u0600-\u06ff]")


def _tampered(p: Path) -> None:
    sealed = seal(base_doc())
    sealed["defaults"] = {}  # edited after sealing: the recorded digest no longer holds
    p.write_text(dumps_pretty(sealed), encoding="utf-8")


def _sealed(**changes: Any) -> Callable[[Path], None]:
    return lambda p: write_manifest(p, doc(**changes)) and None


def _raw(data: bytes) -> Callable[[Path], None]:
    return lambda p: p.write_bytes(data) and None


def _template_variable(p: Path) -> None:
    d = base_doc()
    tid = next(iter(d["templates"]))
    d["templates"][tid]["variables"] = {"who": {"required": "yes"}}
    write_manifest(p, d)


#: name -> (how the file is made, the code, the English message with {p} for the path)
CASES: dict[str, tuple[Callable[[Path], None], str, str]] = {
    "missing": (lambda p: None, "manifest_not_found", "manifest {p} not found"),
    "not UTF-8": (_raw(b'{"\xff"}'), "invalid_manifest", "manifest {p} is not UTF-8 text"),
    "truncated": (
        _raw(b'{"apiVersion": '),
        "invalid_manifest",
        "manifest {p} is not valid JSON (truncated?): Expecting value at line 1 column 16",
    ),
    "a list": (_raw(b"[]"), "invalid_manifest", "manifest {p} is not a JSON object"),
    "tampered": (_tampered, "digest_mismatch", "manifest {p} does not match its digest"),
    "version": (
        _sealed(apiVersion="regctl/v0"),
        "unsupported_version",
        "manifest {p} has apiVersion 'regctl/v0'; this client reads 'regctl/v1'",
    ),
    "kind": (
        _sealed(kind="Other"),
        "unsupported_version",
        "manifest {p} has kind 'Other', not 'Manifest'",
    ),
    "defaults": (
        _sealed(defaults={"chat": 3}),
        "invalid_manifest",
        "manifest {p}: 'defaults' is not an object of provider ids",
    ),
    "fallbacks": (
        _sealed(fallbacks={"chat": "openai"}),
        "invalid_manifest",
        "manifest {p}: 'fallbacks.chat' is not a list of provider ids",
    ),
    "environment": (
        _sealed(environment=7),
        "invalid_manifest",
        "manifest {p}: 'environment' is not a string",
    ),
    "capabilities": (
        _sealed(registry={"capabilities": []}),
        "invalid_manifest",
        "manifest {p}: 'registry.capabilities' is missing or not a list of names",
    ),
    "template variable": (
        _template_variable,
        "invalid_manifest",
        "variable 'who' is malformed",
    ),
    "gzip": (
        _raw(b"\x1f\x8b" + b"\x00" * 20),
        "manifest_error",
        "manifest is gzip data that does not decompress",
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_a_load_error_keeps_its_english_text_and_says_it_in_persian(
    name: str, tmp_path: Path
) -> None:
    make, code, english = CASES[name]
    path = tmp_path / "m.json"
    make(path)
    said = {}
    for lang in ("en", "fa"):
        with pytest.raises(ClientError) as err:
            Registry.load(path, locale=lang)
        assert err.value.code == code
        said[lang] = str(err.value)
        assert "\n" not in said[lang]
    assert english.format(p=path) in said["en"]
    assert said["fa"] != said["en"] and PERSIAN.search(said["fa"]), said["fa"]
    assert name == "gzip" or str(path) in said["fa"]  # values stay as they are


def test_the_language_of_a_load_error_comes_from_lang_without_locale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REGCTL_LANG", raising=False)
    monkeypatch.setenv("LANG", "fa_IR.UTF-8")
    with pytest.raises(ClientError) as err:
        Registry.load(tmp_path / "none.json")
    assert str(err.value) == f"مانیفست {tmp_path / 'none.json'} پیدا نشد"
    with pytest.raises(ClientError) as err:
        Registry.load(tmp_path / "none.json", locale="en")  # locale= wins over $LANG
    assert str(err.value) == f"manifest {tmp_path / 'none.json'} not found"


def test_from_bytes_and_a_bad_pin_are_said_in_the_locale_too(tmp_path: Path) -> None:
    with pytest.raises(ClientError) as err:
        Registry.from_bytes(b"[]", source="<mem>", locale="fa")
    assert str(err.value) == "مانیفست <mem> یک شیء JSON نیست"
    path = write_manifest(tmp_path / "m.json")
    with pytest.raises(ClientError) as err:
        Registry.load(path, expect_digest="md5:1", locale="fa")
    assert err.value.code == "digest_mismatch"
    assert PERSIAN.search(str(err.value)) and "'md5:1'" in str(err.value)


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"nope"
        self.send_response(int(self.path.split("/")[1]))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def http_base() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("status", "code"),
    [(404, "manifest_not_found"), (403, "manifest_unavailable"), (503, "manifest_unavailable")],
)
def test_a_url_load_error_in_persian_never_shows_its_credentials(
    http_base: str, status: int, code: str
) -> None:
    url = f"http://alice:hunter2@{http_base}/{status}/m.json?token=sekrit"
    with pytest.raises(ClientError) as err:
        Registry.load(url, cache=False, timeout=5, locale="fa")
    text = str(err.value)
    assert err.value.code == code
    assert PERSIAN.search(text) and "\n" not in text
    assert "hunter2" not in text and "sekrit" not in text, text
    assert http_base in text  # the host is named: the user knows which server said no


def test_gzip_over_the_limit_is_said_in_persian(tmp_path: Path) -> None:
    path = tmp_path / "m.json.gz"
    path.write_bytes(gzip.compress(b" " * 4096))
    from regctl.client import _fetch

    with pytest.raises(ClientError) as err:
        _fetch.maybe_gunzip(path.read_bytes(), limit=100)
    assert i18n.translate(err.value.args[0], "fa").startswith("مانیفست دادهٔ gzip است که")


def test_no_key_messages_are_messages_of_the_catalogue(tmp_path: Path) -> None:
    d = base_doc()
    pid = next(iter(d["providers"]))
    d["providers"][pid]["allow_shared_credentials"] = False
    reg = Registry.load(write_manifest(tmp_path / "m.json", d))
    with pytest.raises(NoCredentials) as err:
        reg.provider(pid).api_key()
    english = f"provider '{pid}' allows only a personal key (allow_shared_credentials: false)"
    assert str(err.value).startswith(english)
    persian = i18n.translate(err.value.args[0], "fa")
    assert persian.startswith(f"ارائه‌دهندهٔ '{pid}' فقط کلید شخصی می‌پذیرد")
