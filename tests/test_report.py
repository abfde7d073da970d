"""The HTML report: served by the API, self-contained, and rendered by a real browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import redis

from testkit import histories
from testkit.support import ROOT

ARTIFACTS = ROOT / "test-artifacts"


def _chromium(*args: str, user_dir: Path) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("chromium")
    assert binary, "chromium is not installed; `make test` installs it"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={user_dir}",
    ]
    return subprocess.run([binary, *flags, *args], capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def report(api_url: str) -> tuple[dict, str]:
    from tests.conftest import KEY_ACME

    headers = {"Authorization": f"Bearer {KEY_ACME}"}
    raw = histories.overfitting()
    raw["loss"][20] *= 4  # and a spike, so two kinds of marks are drawn
    job = httpx.post(
        f"{api_url}/v1/histories", params={"wait": 20}, json={"history": raw}, headers=headers
    ).json()
    response = httpx.get(f"{api_url}/v1/jobs/{job['id']}/report", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return job, response.text


def test_report_is_self_contained(report: tuple[dict, str]) -> None:
    job, page = report
    assert "<svg" in page
    assert "<script" not in page
    assert "<link" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "url(http" not in page
    for finding in job["diagnosis"]["findings"]:
        assert f'data-code="{finding["code"]}"' in page


def test_report_leads_with_the_verdict(report: tuple[dict, str]) -> None:
    job, page = report
    verdict = job["diagnosis"]["verdict"]
    assert page.index('class="verdict"') < page.index('class="plot"') < page.index('class="finding"')
    assert f'data-status="{verdict["status"]}"' in page
    assert verdict["first_fix"]["action"].split(" ")[0] in page[: page.index('class="plot"')]
    assert f"/v1/jobs/{job['id']}/feedback" in page


def test_report_renders_in_headless_chromium(report: tuple[dict, str], tmp_path: Path) -> None:
    job, page = report
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "report.html"
    path.write_text(page)
    dom = _chromium("--dump-dom", path.as_uri(), user_dir=tmp_path / "dom").stdout
    assert "<svg" in dom
    rendered = set(re.findall(r'data-code="([a-z_]+)"', dom))
    assert rendered == {f["code"] for f in job["diagnosis"]["findings"]}
    for name, width in (("report-laptop.png", 1280), ("report-phone.png", 390)):
        shot = ARTIFACTS / name
        shot.unlink(missing_ok=True)
        _chromium(
            f"--screenshot={shot}", f"--window-size={width},1600", path.as_uri(), user_dir=tmp_path / name
        )
        assert shot.exists(), name
        assert shot.stat().st_size > 20_000, name  # a page with a plot, not a blank one


def test_report_needs_a_diagnosis_and_the_owner(acme: httpx.Client, globex: httpx.Client) -> None:
    job = acme.post("/v1/histories", params={"wait": 20}, json={"history": histories.healthy()}).json()
    assert globex.get(f"/v1/jobs/{job['id']}/report").status_code == 404
    assert acme.get(f"/v1/jobs/{job['id']}/report").status_code == 200


def test_cli_writes_the_same_report(tmp_path: Path) -> None:
    import json
    import sys

    history = tmp_path / "history.json"
    history.write_text(json.dumps(histories.overfitting()))
    out = tmp_path / "report.html"
    result = subprocess.run(
        [sys.executable, "-m", "convdiag", "diagnose", str(history), "--html", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    page = out.read_text()
    assert "<svg" in page
    assert 'data-code="overfitting"' in page


def test_metric_names_are_drawn_as_text_not_mathtext(acme: httpx.Client) -> None:
    # With mathtext on, matplotlib parses `$\foo$` as TeX, fails on the unknown command, and
    # the report was a 500.
    raw = histories.overfitting()
    raw |= {"$\\foo$": raw["loss"], "val_$x^2$_loss": raw["val_loss"]}
    job = acme.post("/v1/histories", params={"wait": 20}, json={"history": raw}).json()
    assert job["status"] == "succeeded", job
    response = acme.get(f"/v1/jobs/{job['id']}/report")
    assert response.status_code == 200, response.text
    assert "<svg" in response.text
    assert "$\\foo$" in response.text  # the legend entry, written as the name it is


def test_report_is_rendered_once_and_then_served_from_the_store(
    acme: httpx.Client, redis_client: redis.Redis
) -> None:
    job = acme.post("/v1/histories", params={"wait": 20}, json={"history": histories.plateau()}).json()
    key = f"convdiag:job:{job['id']}:report"
    assert not redis_client.exists(key)
    first = acme.get(f"/v1/jobs/{job['id']}/report")
    assert first.status_code == 200
    assert redis_client.get(key).decode() == first.text
    # It lives as long as its job, not longer.
    assert 0 < redis_client.ttl(key) <= redis_client.ttl(f"convdiag:job:{job['id']}")
    # What the store holds is what is served: a second request renders nothing.
    redis_client.set(key, "<html>stored</html>", keepttl=True)
    assert acme.get(f"/v1/jobs/{job['id']}/report").text == "<html>stored</html>"


def test_a_log_of_several_runs_reports_every_run(acme: httpx.Client, tmp_path: Path) -> None:
    runs = [{"history": histories.diverging()}, {"history": histories.overfitting()}]
    job = acme.post("/v1/histories", params={"wait": 20}, json={"runs": runs}).json()
    assert job["status"] == "succeeded", job
    (earlier,) = job["diagnosis"]["runs"]
    page = acme.get(f"/v1/jobs/{job['id']}/report").text
    assert "Run 2 of 2 (the last)" in page
    first = page.split('data-run="1"', 1)[1]
    assert "Run 1 of 2" in first
    assert "<svg" in first  # the earlier run's own curves
    assert page.count("<svg") >= 2
    for finding in earlier["findings"]:
        assert f'data-code="{finding["code"]}"' in first
    # The CLI's page shows both runs too.
    log = tmp_path / "two-runs.json"
    log.write_text(json.dumps({"runs": runs}))
    out = tmp_path / "two-runs.html"
    subprocess.run(
        [sys.executable, "-m", "convdiag", "diagnose", str(log), "--html", str(out)],
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert 'data-run="1"' in out.read_text()
