"""A real headless Chromium driven through chromedriver (Debian ``chromium`` and
``chromium-driver``, PyPI ``selenium``), offline and with a fresh profile."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import require_binary, require_module

# The machine has no network: Selenium Manager must not try to download a driver.
os.environ.setdefault("SE_OFFLINE", "true")

ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
)


def start_chromium(profile: Path, lang: str = "en-US") -> Any:
    """A WebDriver session (the caller quits it)."""
    chromium = require_binary("chromium")
    driver_path = require_binary("chromedriver")
    webdriver = require_module("selenium.webdriver")
    service_mod = require_module("selenium.webdriver.chrome.service")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ARGS:
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--lang={lang}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = service_mod.Service(executable_path=driver_path)
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(30)
    return driver


def wait_until(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    """``check()``'s first true value, or an AssertionError after ``timeout``."""
    from selenium.common.exceptions import StaleElementReferenceException

    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
        except StaleElementReferenceException:
            value = None  # the page's script replaced the element as it was read: again
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met in {timeout}s")
        time.sleep(0.02)


def console_errors(driver: Any) -> list[str]:
    """The browser console's errors since the last call (a blocked script or style, a
    failed load: a Content-Security-Policy violation shows here)."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
