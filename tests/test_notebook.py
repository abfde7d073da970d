"""What a notebook shows: `_repr_html_` on a Diagnosis, a client's Job and a live run."""

from __future__ import annotations

import subprocess
import sys
from html.parser import HTMLParser

from convdiag.client import Client
from diagnosis import diagnose
from diagnosis.history import history_from_mapping
from testkit import histories
from testkit.support import ROOT
from tests.conftest import KEY_ACME

HOSTILE = "<img src=x onerror=alert(1)>"


class _Parsed(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.codes: list[str] = []
        self.text = ""
        self.style = ""
        self._in_style = False
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_style = tag == "style"
        self.codes += [value or "" for name, value in attrs if name == "data-code"]

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data
        else:
            self.text += data


def test_a_diagnosis_shows_its_verdict_and_findings_escaped() -> None:
    diagnosis = diagnose(history_from_mapping(histories.overfitting()))
    assert diagnosis.findings
    hostile = diagnosis.model_copy(
        update={"findings": [diagnosis.findings[0].model_copy(update={"summary": HOSTILE})]}
    )
    page = _Parsed(hostile._repr_html_())
    assert "img" not in page.tags
    assert HOSTILE in page.text
    assert diagnosis.verdict.headline in page.text
    plain = _Parsed(diagnosis._repr_html_())
    assert plain.codes == [f.code for f in diagnosis.findings]
    # Scoped styles: a notebook cell must not restyle the notebook around it.
    rules = [rule.split("{")[0] for rule in plain.style.split("}") if "{" in rule]
    assert rules
    assert all(s.strip().startswith(".convdiag ") for rule in rules for s in rule.split(","))


def test_the_engine_shows_html_once_the_report_is_imported() -> None:
    """The engine renders nothing itself (the report lives in the shell, which imports the
    engine): alone it offers no HTML, and importing the report is what gives it one."""
    script = (
        "from diagnosis import diagnose\n"
        "from diagnosis.history import history_from_mapping\n"
        "from testkit import histories\n"
        "diagnosis = diagnose(history_from_mapping(histories.overfitting()))\n"
        "print(diagnosis._repr_html_())\n"
        "import convdiag.report\n"
        "print(diagnosis._repr_html_())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    alone, with_report = result.stdout.split("\n", 1)
    assert alone == "None"
    assert "overfitting" in _Parsed(with_report).codes


def test_a_job_and_a_live_run_show_themselves(api_url: str) -> None:
    with Client(api_url, KEY_ACME) as client:
        job = client.wait(client.submit_history(histories.diverging()).id, timeout=30)
        run = client.append_epochs("notebook-run", [{"epoch": 0, "loss": 1.0}, {"epoch": 1, "loss": 0.9}])
    page = _Parsed(job._repr_html_())
    assert f"job {job.id}: succeeded" in page.text
    assert "loss_diverging" in page.codes
    assert "run notebook-run: 2 epochs" in _Parsed(run._repr_html_()).text
