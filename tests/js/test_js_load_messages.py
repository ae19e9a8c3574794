"""The JavaScript reader says its load errors in the caller's language, with the Python
client's catalogue messages (real node processes, real files, a real loopback server)."""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.js.test_js_hostile import node_load

from regctl.client import ClientError, Registry

PERSIAN = re.compile("[\u0600-\u06ff]")


def _python(source: str, lang: str) -> tuple[str, str]:
    with pytest.raises(ClientError) as err:
        Registry.load(source, locale=lang, cache=False, timeout=5)
    return err.value.code, str(err.value)


def test_a_missing_file_is_said_as_python_says_it_in_both_languages(tmp_path: Path) -> None:
    source = str(tmp_path / "absent.json")
    for lang in ("en", "fa"):
        got = node_load(source, {"locale": lang})
        assert (got["code"], got["message"]) == _python(source, lang)


def test_a_directory_and_lang_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    got = node_load(str(tmp_path), {"locale": "fa"})
    assert got["code"] == "manifest_not_found"
    assert got["message"].startswith(f"مانیفست {tmp_path}: ") and "directory" in got["message"]
    monkeypatch.setenv("REGCTL_LANG", "fa")
    got = node_load(str(tmp_path / "absent.json"))  # no locale: $REGCTL_LANG, as Python
    assert got["message"] == f"مانیفست {tmp_path / 'absent.json'} پیدا نشد"


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(int(self.path.split("/")[1]))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def http_base() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("status", [404, 403])
def test_a_url_error_in_persian_keeps_credentials_out(http_base: str, status: int) -> None:
    url = f"http://alice:hunter2@{http_base}/{status}/m.json?token=sekrit"
    got = node_load(url, {"locale": "fa"})
    assert got["code"].startswith("manifest_")
    assert PERSIAN.search(got["message"]) and "\n" not in got["message"]
    assert "hunter2" not in got["message"] and "sekrit" not in got["message"]


@pytest.mark.parametrize("status", [404, 403])
def test_a_url_error_is_the_python_clients_message(http_base: str, status: int) -> None:
    url = f"http://{http_base}/{status}/m.json"
    for lang in ("en", "fa"):
        got = node_load(url, {"locale": lang})
        assert (got["code"], got["message"]) == _python(url, lang)
