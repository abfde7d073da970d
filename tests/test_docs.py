"""/docs (Swagger UI) and /redoc work with no network: the app serves their assets itself.

Headless Chromium loads each page with every host but loopback unresolvable; the test reads
the browser's network log (nothing asked of another host) and waits for the UI to draw the
API's operations. Screenshots land in test-artifacts/.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from testkit.support import ROOT, browser, requested_urls

ARTIFACTS = ROOT / "test-artifacts"
# A selector each UI draws once it has read /openapi.json, and a route it must show.
RENDERED = {"/docs": ".opblock-summary-path", "/redoc": "[data-section-id^='operation/']"}


@pytest.fixture(scope="module")
def chromium() -> Any:
    with browser() as driver:
        yield driver


@pytest.mark.parametrize("page", sorted(RENDERED))
def test_docs_render_without_any_other_host(chromium: Any, api_url: str, page: str) -> None:
    requested_urls(chromium)  # forget what came before
    chromium.get(f"{api_url}{page}")
    WebDriverWait(chromium, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, RENDERED[page]))
    text = chromium.find_element(By.TAG_NAME, "body").text
    assert "/v1/histories" in text
    ARTIFACTS.mkdir(exist_ok=True)
    chromium.save_screenshot(str(ARTIFACTS / f"docs{page.replace('/', '-')}.png"))
    urls = requested_urls(chromium)
    assert f"{api_url}/openapi.json" in urls
    api_host = urlsplit(api_url).netloc
    # data: and blob: URLs are made in the page; everything else must be the app's.
    foreign = {
        url: why
        for url, why in urls.items()
        if urlsplit(url).scheme not in {"data", "blob"} and urlsplit(url).netloc != api_host
    }
    # ReDoc asks for its vendor's logo on every page: the page's policy stops it in the browser.
    assert all(why == "csp" for why in foreign.values()), foreign
    # Nothing failed but what the policy refused.
    errors = [e["message"] for e in chromium.get_log("browser") if e["level"] == "SEVERE"]
    assert [e for e in errors if "Content Security Policy" not in e] == []
