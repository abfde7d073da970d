"""The browser page at `/` in headless Chromium against the real app (Redis, a Celery
worker, uvicorn): jobs and live runs listed, a live run's page following its epochs over
SSE, runs overlaid, hostile names shown as text, and the sign-in with keys configured.
Screenshots land in test-artifacts/ (one at a phone's 390 px)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from selenium.common.exceptions import (
    NoAlertPresentException,
    StaleElementReferenceException,
    TimeoutException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from convdiag.settings import Settings
from service.routers.pages import PAGE_POLICY
from testkit import histories
from testkit.support import ROOT, browser, requested_urls, serve_app
from tests.conftest import KEY_ACME

ARTIFACTS = ROOT / "test-artifacts"
HOSTILE = "<img src=x onerror=alert(1)>"
# Would retitle the page if any markup from a name ever ran.
MARKER = "<img src=x onerror=document.title='xss'>"
PHONE_WIDTH = 390


@pytest.fixture(scope="module")
def open_url(redis_url: str, worker: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The embedded default: auth off, on the session's Redis and worker."""
    settings = Settings(redis_url=redis_url, data_dir=tmp_path_factory.mktemp("open"), local_tenant="open")
    with serve_app(settings) as url:
        yield url


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with browser() as driver:
        yield driver


def _wait(driver: Any, predicate: Any, timeout: float = 30) -> Any:
    # A form post navigates under the wait: an element read mid-way is stale, not an error.
    wait = WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,))
    try:
        return wait.until(lambda d: predicate(d))
    except TimeoutException:
        # Say what the browser was showing: a bare TimeoutException hides a server error page.
        raise AssertionError(f"waited {timeout} s at {driver.current_url}: {_body(driver)[:500]!r}") from None


def _body(driver: Any) -> str:
    # Read in one script call: an element handle would go stale if the page navigates.
    return driver.execute_script("return document.body ? document.body.innerText : ''")


def _drawn(driver: Any, image_id: str) -> bool:
    """Whether the chart image `image_id` is on the page and has loaded."""
    script = "const i = document.getElementById(arguments[0]); return !!i && i.complete && i.naturalWidth > 0"
    return driver.execute_script(script, image_id)


def _shot(driver: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def _diagnosed(client: httpx.Client, history: dict[str, list[float]]) -> dict[str, Any]:
    response = client.post("/v1/histories", params={"wait": 25}, json={"history": history})
    assert response.status_code == 200, response.text
    job = response.json()
    assert job["status"] == "succeeded"
    return job


def _epochs(client: httpx.Client, run_id: str, start: int, stop: int, extra: str | None = None) -> None:
    for epoch in range(start, stop):
        values = {"epoch": epoch, "loss": 1.0 / (epoch + 1), "val_loss": 1.1 / (epoch + 1) + 0.01 * epoch}
        if extra:
            values[extra] = 0.5
        assert client.post(f"/v1/runs/{run_id}/epochs", json=values).status_code == 200


def _only_this_host(driver: Any, base_url: str) -> None:
    host = urlsplit(base_url).netloc
    foreign = [url for url in requested_urls(driver) if urlsplit(url).netloc != host]
    assert foreign == []


def test_index_lists_jobs_and_a_live_run_that_updates(chromium: Any, open_url: str) -> None:
    with httpx.Client(base_url=open_url, timeout=40) as client:
        job = _diagnosed(client, histories.plateau())
        run_id = f"live-{uuid.uuid4().hex[:8]}"
        _epochs(client, run_id, 0, 4)
        page = client.get("/")
        assert page.headers["content-security-policy"] == PAGE_POLICY
        assert page.headers["x-content-type-options"] == "nosniff"

        chromium.set_window_size(1280, 1000)
        requested_urls(chromium)
        chromium.get(f"{open_url}/")
        text = _body(chromium)
        assert job["id"] in text
        assert run_id in text
        assert job["diagnosis"]["verdict"]["headline"] in text
        report = chromium.find_element(By.CSS_SELECTOR, f"a[href='/v1/jobs/{job['id']}/report']")
        assert report.is_displayed()
        _shot(chromium, "page-index")
        # At a phone's width nothing runs off the side: no horizontal scrolling.
        chromium.set_window_size(PHONE_WIDTH, 900)
        _wait(chromium, lambda d: d.execute_script("return window.innerWidth") <= PHONE_WIDTH)
        assert chromium.execute_script("return document.documentElement.scrollWidth") <= PHONE_WIDTH
        _shot(chromium, "page-index-phone")
        chromium.set_window_size(1280, 1000)

        # The run's page follows its epochs as they arrive.
        chromium.find_element(By.LINK_TEXT, run_id).click()
        _wait(chromium, lambda d: d.find_element(By.ID, "epochs").text == "4")
        _epochs(client, run_id, 4, 7)
        _wait(chromium, lambda d: d.find_element(By.ID, "epochs").text == "7")
        _wait(chromium, lambda d: "epochs=7" in d.find_element(By.ID, "chart").get_attribute("src"))
        _wait(chromium, lambda d: _drawn(d, "chart"))
        _shot(chromium, "page-run")

        # Overlay: tick the run and the job on `/` and compare their loss.
        chromium.get(f"{open_url}/")
        chromium.find_element(By.CSS_SELECTOR, f"input[name='run'][value='{run_id}']").click()
        chromium.find_element(By.CSS_SELECTOR, f"input[name='job'][value='{job['id']}']").click()
        chromium.find_element(By.CSS_SELECTOR, ".overlay button").click()
        _wait(chromium, lambda d: _drawn(d, "overlay"))
        overlay = chromium.find_element(By.ID, "overlay").get_attribute("src")
        svg = client.get(overlay).text
        assert f"{run_id} · loss" in svg
        assert f"{job['id']} · loss" in svg
        assert svg.count("<polyline") == 2
        _shot(chromium, "page-compare")
        _only_this_host(chromium, open_url)
        errors = [e["message"] for e in chromium.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []


def test_hostile_metric_names_render_as_text(chromium: Any, open_url: str) -> None:
    with httpx.Client(base_url=open_url, timeout=40) as client:
        history = {**histories.plateau(), HOSTILE: histories.plateau()["loss"], MARKER: [0.5] * 30}
        job = _diagnosed(client, history)
        run_id = f"xss-{uuid.uuid4().hex[:8]}"
        _epochs(client, run_id, 0, 3, extra=HOSTILE)
    for path in ("/", f"/runs/{run_id}", f"/compare?job={job['id']}&metric={HOSTILE}"):
        chromium.get(f"{open_url}{path}")
        _wait(chromium, lambda d: d.execute_script("return document.readyState") == "complete")
        assert HOSTILE in _body(chromium), path
        # No element came out of a name: no <img> but the page's own charts, no handler.
        assert chromium.execute_script("return document.querySelectorAll('[onerror]').length") == 0
        assert chromium.execute_script("return document.querySelectorAll('img:not(.chart)').length") == 0
        assert chromium.title != "xss"
        with pytest.raises(NoAlertPresentException):
            chromium.switch_to.alert.text  # noqa: B018
        if path == "/":
            assert MARKER in _body(chromium)
            _shot(chromium, "page-hostile")


def test_with_keys_the_page_asks_once_and_keeps_a_cookie_script_cannot_read(
    chromium: Any, api_url: str, acme: httpx.Client
) -> None:
    job = _diagnosed(acme, histories.plateau())
    chromium.delete_all_cookies()
    chromium.get(f"{api_url}/")
    assert chromium.find_elements(By.ID, "key"), "the page should ask for a key"
    assert job["id"] not in _body(chromium)
    _shot(chromium, "page-sign-in")

    chromium.find_element(By.ID, "key").send_keys("not-a-key")
    chromium.find_element(By.CSS_SELECTOR, "form.login button").click()
    _wait(chromium, lambda d: d.find_elements(By.ID, "error"))

    chromium.find_element(By.ID, "key").send_keys(KEY_ACME)
    chromium.find_element(By.CSS_SELECTOR, "form.login button").click()
    _wait(chromium, lambda d: job["id"] in _body(d))
    [cookie] = chromium.get_cookies()
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert KEY_ACME not in cookie["value"]
    # The page's script sees neither the cookie nor the key anywhere it could store it.
    assert chromium.execute_script("return document.cookie") == ""
    storage = chromium.execute_script("return JSON.stringify([localStorage, sessionStorage])")
    assert KEY_ACME not in storage
    # The page's own requests go through with the cookie alone.
    status = chromium.execute_async_script(
        "const done = arguments[0]; fetch('/v1/jobs').then(r => done(r.status));"
    )
    assert status == 200
    chromium.get(f"{api_url}/v1/jobs/{job['id']}/report")
    assert job["diagnosis"]["verdict"]["headline"] in _body(chromium)
    # A cross-origin POST with the cookie is refused (it carries no Origin of ours).
    token = cookie["value"]
    forged = httpx.post(
        f"{api_url}/v1/jobs/{job['id']}/feedback",
        cookies={"convdiag_session": token},
        headers={"Origin": "https://evil.example"},
        json={"verdict_right": True},
    )
    assert forged.status_code == 401

    chromium.get(f"{api_url}/")
    chromium.find_element(By.CSS_SELECTOR, "header form button").click()
    _wait(chromium, lambda d: d.find_elements(By.ID, "key"))
    assert httpx.get(f"{api_url}/v1/jobs", cookies={"convdiag_session": token}).status_code == 401
