"""The console in a real headless Chromium against a real ``regctl serve``: every page
loads without a console error (a blocked script or style would show there), the models
table filters as you type, a model opens, Persian is right-to-left, the keyboard and the
theme work, and a hostile description runs nothing. Each page's screenshot is saved under
the test's tmp dir (the path is printed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.console.browser import console_errors, start_chromium, wait_until
from tests.console.conftest import HOSTILE
from tests.serve.serve_fixtures import Server

PAGES = {
    "overview": "/ui/",
    "providers": "/ui/providers",
    "models": "/ui/models",
    "model": "/ui/models/openai/gpt-4o",
    "changes": "/ui/changes",
    "diff": "/ui/changes/diff",
    "spend": "/ui/spend",
    "propose": "/ui/propose?model=openai/gpt-4o-mini&capability=chat",
    "models-fa": "/ui/models?lang=fa",
}


#: What a screen reader and a keyboard need of every page: a label for each control, a
#: text alternative for each image, header cells in each table, one h1, a main landmark,
#: a name for each link and button.
A11Y = """
const bad = [];
for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
  if (!el.labels.length && !el.getAttribute("aria-label")) {
    bad.push("unlabelled " + el.outerHTML.slice(0, 80));
  }
}
for (const img of document.querySelectorAll("img")) {
  if (!img.getAttribute("alt")) bad.push("no alt " + img.outerHTML.slice(0, 80));
}
for (const t of document.querySelectorAll("table")) {
  if (!t.querySelector("th")) bad.push("table without th");
}
for (const a of document.querySelectorAll("a, button:not([hidden])")) {
  if (!a.textContent.trim() && !a.getAttribute("aria-label")) {
    bad.push("unnamed " + a.outerHTML.slice(0, 80));
  }
}
if (document.querySelectorAll("h1").length !== 1) bad.push("h1 count");
if (!document.querySelector("main")) bad.push("no main");
return bad;
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    driver = start_chromium(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("console-screenshots")


def _by() -> Any:
    from selenium.webdriver.common.by import By

    return By


def test_every_page_loads_clean_and_is_captured(browser: Any, console: Server, shots: Path) -> None:
    console_errors(browser)  # start from a clean log
    for name, path in PAGES.items():
        browser.get(console.url + path)
        wait_until(lambda: browser.execute_script("return document.readyState") == "complete")
        assert browser.find_element(_by().TAG_NAME, "h1").text
        # the stylesheet applied (a CSP block would leave the page unstyled)
        assert browser.execute_script("return getComputedStyle(document.body).fontFamily"), name
        assert console_errors(browser) == [], name
        assert browser.execute_script(A11Y) == [], name
        out = shots / f"{name}.png"
        assert browser.save_screenshot(str(out))
        assert out.stat().st_size > 5_000
        print(f"screenshot {name}: {out}")


def test_models_table_filters_as_you_type(browser: Any, console: Server) -> None:
    by = _by()
    browser.get(console.url + "/ui/models")
    total = int(browser.find_element(by.ID, "count").get_attribute("data-total"))
    search = browser.find_element(by.ID, "q")
    search.send_keys("haiku")

    from selenium.common.exceptions import StaleElementReferenceException

    def shown() -> str | None:
        # The script re-renders the count and the rows as it filters: an element found
        # a moment ago may be gone (stale); read again then.
        try:
            return browser.find_element(by.ID, "count").get_attribute("data-total")
        except StaleElementReferenceException:
            return None

    def rows_text() -> list[str] | None:
        try:
            rows = browser.find_elements(by.CSS_SELECTOR, "table.models tbody tr")
            return [r.text.lower() for r in rows]
        except StaleElementReferenceException:
            return None

    # Each keystroke fetches the table for the text so far; the address bar follows the
    # table in place (a shareable link), so once it says the whole word, so do the rows.
    from urllib.parse import parse_qs, urlsplit

    wait_until(lambda: parse_qs(urlsplit(browser.current_url).query).get("q") == ["haiku"])
    now = wait_until(shown)
    assert int(now) < total
    rows = wait_until(rows_text)
    assert rows and all("haiku" in r for r in rows)
    ms = float(browser.execute_script("return document.documentElement.dataset.filterMs"))
    assert ms > 0
    print(f"filter in the browser: {ms:.1f} ms")
    # a select filters too, and the page was never reloaded (the field keeps its text)
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element(by.ID, "provider")).select_by_value("openai")
    wait_until(lambda: shown() == "0")
    assert browser.find_element(by.ID, "q").get_attribute("value") == "haiku"


def test_open_a_model_from_the_table(browser: Any, console: Server) -> None:
    by = _by()
    browser.get(console.url + "/ui/models?q=gpt-4o-mini&provider=openai")
    browser.find_element(by.CSS_SELECTOR, "table.models tbody th a").click()
    wait_until(lambda: "/ui/models/openai/gpt-4o-mini" in browser.current_url)
    assert "openai/gpt-4o-mini" in browser.find_element(by.TAG_NAME, "h1").text
    snippet = browser.find_element(by.ID, "code-openai").text
    assert "from openai import OpenAI" in snippet and "gpt-4o-mini" in snippet


def test_switch_to_persian(browser: Any, console: Server) -> None:
    by = _by()
    browser.get(console.url + "/ui/models")
    browser.find_element(by.CSS_SELECTOR, 'a[hreflang="fa"]').click()
    wait_until(lambda: browser.find_element(by.TAG_NAME, "html").get_attribute("dir") == "rtl")
    html = browser.find_element(by.TAG_NAME, "html")
    assert html.get_attribute("lang") == "fa"
    nav = browser.find_element(by.CSS_SELECTOR, "header nav").text
    assert "مدل‌ها" in nav and "ارائه‌دهندگان" in nav
    # the language stays with the links
    browser.find_element(by.CSS_SELECTOR, 'header nav a[href^="/ui/providers"]').click()
    wait_until(lambda: "/ui/providers" in browser.current_url)
    assert browser.find_element(by.TAG_NAME, "html").get_attribute("dir") == "rtl"


def test_keyboard_and_themes(browser: Any, console: Server) -> None:
    by = _by()
    from selenium.webdriver.common.keys import Keys

    browser.get(console.url + "/ui/models")
    body = browser.find_element(by.TAG_NAME, "body")
    body.send_keys("/")
    assert browser.switch_to.active_element.get_attribute("id") == "q"
    # Tab from the top reaches the skip link first
    browser.get(console.url + "/ui/providers")
    browser.find_element(by.TAG_NAME, "body").send_keys(Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("class") == "skip"
    theme = browser.find_element(by.ID, "theme")
    root = browser.find_element(by.TAG_NAME, "html")
    light_bg = browser.execute_script(
        "return getComputedStyle(document.documentElement).backgroundColor"
    )
    theme.click()
    assert root.get_attribute("data-theme") == "dark"
    dark_bg = browser.execute_script(
        "return getComputedStyle(document.documentElement).backgroundColor"
    )
    assert dark_bg != light_bg
    browser.refresh()  # the choice is kept
    assert browser.find_element(by.TAG_NAME, "html").get_attribute("data-theme") == "dark"
    browser.find_element(by.ID, "theme").click()
    browser.find_element(by.ID, "theme").click()  # dark -> light -> as the system
    assert browser.find_element(by.TAG_NAME, "html").get_attribute("data-theme") is None


def test_hostile_description_runs_nothing(browser: Any, console: Server) -> None:
    by = _by()
    console_errors(browser)
    browser.get(console.url + "/ui/models/openai/gpt-4o")
    wait_until(lambda: browser.execute_script("return document.readyState") == "complete")
    assert browser.execute_script("return window.__pwned === undefined")
    assert "pwned" not in browser.title
    description = browser.find_element(by.CSS_SELECTOR, "p.description")
    assert description.text == HOSTILE.replace("\u202e", "\\u202e")
    assert description.find_elements(by.CSS_SELECTOR, "*") == []  # text, no elements
    assert browser.find_elements(by.CSS_SELECTOR, 'img[src="x"]') == []
    assert console_errors(browser) == []
