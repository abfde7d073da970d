"""The diagnosis as a self-contained HTML page: the verdict first (the headline, the first fix
and what trying it measured, the ranked causes with their evidence), then the curves with
each finding marked where it shows, then the findings and — after a bundle probe — what each
tried fix measured.

Plots are drawn by matplotlib into inline SVG (no network fetches, no scripts), so the page
opens from a file, an email attachment or the API alike, on a laptop or a phone.
"""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from diagnosis.models import Diagnosis, Finding, Verdict

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# How a finding's epochs are drawn: a span for a stretch (plateau), a line for a moment.
SPAN_CODES = frozenset({"loss_plateau", "slow_convergence", "underfitting"})
SEVERITY_COLOURS = {"error": "#c0392b", "warning": "#d68910", "info": "#2e86c1"}

Curves = Mapping[str, Sequence[float | None]]
# What a fix trial's plot shows: the first of these both runs logged (accuracy says the most).
TRIAL_METRICS = ("val_accuracy", "val_loss", "loss")

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
main{max-width:960px;margin:0 auto;padding:16px;overflow-wrap:anywhere}
h1{font-size:1.4rem;margin:.2rem 0}.sub{color:#555;margin:0 0 1rem}
.plot svg{width:100%;height:auto;background:#fff;border:1px solid #ddd;border-radius:6px}
.finding{background:#fff;border:1px solid #ddd;border-left:6px solid var(--c);border-radius:6px;
 padding:10px 14px;margin:12px 0}
.finding h2{font-size:1.05rem;margin:0 0 4px}.badge{font-size:.75rem;color:#fff;background:var(--c);
 border-radius:4px;padding:1px 6px;margin-right:6px;text-transform:uppercase}
.finding p{margin:6px 0}.causes{margin:6px 0 0 18px;padding:0}.causes li{margin:3px 0}
.trial svg{max-width:560px}
.measured{background:#eef7ee;border-radius:4px;padding:4px 8px}.measured.no{background:#f6f0e6}
code,pre{font-family:ui-monospace,Menlo,monospace;font-size:.85rem}pre{white-space:pre-wrap;word-break:break-word}
.verdict{background:#fff;border:1px solid #ddd;border-left:6px solid var(--c);border-radius:6px;
 padding:10px 14px;margin:0 0 12px}.verdict h2{font-size:1.15rem;margin:0 0 6px}
.verdict ol{margin:6px 0 0 18px;padding:0}.verdict li{margin:4px 0}.ev{color:#444;font-size:.9rem}
.run{border-top:2px solid #ccc;margin-top:24px;padding-top:8px}.run h2{font-size:1.2rem;margin:0}
"""
STATUS_COLOURS = {"healthy": "#27ae60", "problems": "#c0392b", "inconclusive": "#7f8c8d"}
# Finding labels on a plot: each next label at the same place steps down this share of the
# axes' height, so labels of findings at the same epoch do not overlap.
LABEL_STEP = 0.16


@contextmanager
def _plain_text() -> Iterator[None]:
    """Draw with the headless backend, and every label as the text it is. Metric names are
    the client's: with mathtext on, `$\\foo$` is parsed as TeX and an unknown command raises
    (a 500), and matched dollars would render as something else than the name."""
    import matplotlib

    matplotlib.use("Agg")  # no display: render to a buffer only
    with matplotlib.rc_context({"text.parse_math": False}):
        yield


def _svg_text(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]  # drop the XML prolog and doctype: it is inlined in HTML


def _svg(curves: Curves, findings: Sequence[Finding], unit: str = "epoch") -> str:
    with _plain_text():
        return _svg_text(_curves_figure(curves, findings, unit))


def _curves_figure(curves: Curves, findings: Sequence[Finding], unit: str = "epoch") -> Figure:
    from matplotlib.figure import Figure

    losses = [name for name in curves if name.endswith("loss")]
    others = [name for name in curves if name not in losses and name != "learning_rate"]
    panels = [group for group in (losses, others) if group]
    figure = Figure(figsize=(9, 3.2 * len(panels)), layout="constrained")
    axes = figure.subplots(len(panels), 1, squeeze=False)[:, 0]
    for ax, names in zip(axes, panels, strict=True):
        for name in names:
            values = [float("nan") if v is None else v for v in curves[name]]
            ax.plot(
                range(len(values)),
                values,
                label=name,
                linewidth=1.6,
                linestyle="--" if name.startswith("val_") else "-",
            )
        positive = [v for n in names for v in curves[n] if v is not None and v > 0]
        if positive and max(positive) / min(positive) > 100:
            ax.set_yscale("log")  # a diverging or tiny loss would flatten everything else
        placed: dict[int, int] = {}  # epoch -> labels already drawn there
        for finding in findings:
            colour = SEVERITY_COLOURS[finding.severity.value]
            if not finding.epochs:
                continue
            # Labels near the same epoch (within a twentieth of the run) share a column.
            column = round(finding.epochs[0] / max(1, len(next(iter(curves.values()))) / 20))
            height = 1.0 - LABEL_STEP * placed.get(column, 0)
            placed[column] = placed.get(column, 0) + 1
            if finding.code in SPAN_CODES and len(finding.epochs) > 1:
                ax.axvspan(min(finding.epochs), max(finding.epochs), color=colour, alpha=0.12)
            else:
                for epoch in finding.epochs[:10]:
                    ax.axvline(epoch, color=colour, linewidth=1, alpha=0.8)
            ax.annotate(
                finding.code,
                xy=(finding.epochs[0], height),
                xycoords=("data", "axes fraction"),
                fontsize=8,
                color=colour,
                rotation=90,
                va="top",
                ha="right",
            )
        ax.set_xlabel(unit)
        ax.grid(alpha=0.3)
        ax.legend(loc="best", fontsize=8)
    return figure


def _trial_svg(before: Curves, after: Curves) -> str:
    """The replay against the replay with the fix applied, on the first metric both logged."""
    metric = next((m for m in TRIAL_METRICS if m in before and m in after), None)
    if metric is None:
        return ""
    with _plain_text():
        svg = _svg_text(_trial_figure(before, after, metric))
    return f'<div class="plot trial" data-trial="{html.escape(metric)}">{svg}</div>'


def _trial_figure(before: Curves, after: Curves, metric: str) -> Figure:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 2.4), layout="constrained")
    ax = figure.subplots()
    for label, curves, style in (("as configured", before, "--"), ("with the fix", after, "-")):
        values = [float("nan") if v is None else v for v in curves[metric]]
        ax.plot(range(len(values)), values, style, label=label, linewidth=1.6)
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return figure


def _finding_html(finding: Finding, replay: Curves | None) -> str:
    e = html.escape
    colour = SEVERITY_COLOURS[finding.severity.value]
    measured = finding.fix.get("measured")
    trial = ""
    if isinstance(measured, dict):
        helped = measured.get("improved") is True
        verdict = "helped" if helped else "did not help"
        trial = (
            f'<p class="measured{"" if helped else " no"}">Tried it: {verdict} — '
            f"before {e(json.dumps(measured.get('before')))}, after {e(json.dumps(measured.get('after')))} "
            f"({e(str(measured.get('steps')))} steps)</p>"
        )
        if replay and isinstance(measured.get("history"), dict):
            trial += _trial_svg(replay, measured["history"])
    evidence = {k: v for k, v in finding.evidence.items() if k != "thresholds"}
    explained = (
        f'<p class="ev">Explained by the verdict\'s cause <b>{e(finding.explained_by)}</b>.</p>'
        if finding.explained_by
        else ""
    )
    return (
        f'<section class="finding" style="--c:{colour}" data-code="{e(finding.code)}">'
        f'<h2><span class="badge">{e(finding.severity.value)}</span>{e(finding.code)}</h2>'
        f"<p>{e(finding.summary)}</p>{explained}"
        f"<p><b>Recommendation:</b> {e(finding.recommendation)}</p>{trial}"
        f"<details><summary>Evidence</summary><pre>{e(json.dumps(evidence, indent=1))}</pre></details>"
        "</section>"
    )


def _before_after(measured: dict[str, Any]) -> str:
    return f"before {json.dumps(measured.get('before'))}, after {json.dumps(measured.get('after'))}"


def _verdict_html(verdict: Verdict) -> str:
    e = html.escape
    parts = [
        f'<section class="verdict" style="--c:{STATUS_COLOURS[verdict.status.value]}" '
        f'data-status="{e(verdict.status.value)}"><h2>{e(verdict.status.value.capitalize())}: '
        f"{e(verdict.headline)}</h2>"
    ]
    fix = verdict.first_fix
    if fix is not None:
        data = f" <code>{e(json.dumps(fix.fix))}</code>" if fix.fix else ""
        parts.append(f'<p class="first-fix"><b>First fix</b> ({e(fix.cause)}): {e(fix.action)}{data}</p>')
        if fix.measured:
            helped = "helped" if fix.measured.get("improved") else "did not help"
            parts.append(
                f'<p class="measured">Measured: {helped} — {e(_before_after(fix.measured))} '
                f"({e(str(fix.measured.get('steps')))} steps)</p>"
            )
    if verdict.causes:
        items = []
        for cause in verdict.causes:
            evidence = "".join(
                f'<div class="ev">{"+" if item.likelihood_ratio > 1 else "&minus;"} {e(item.source.value)}: '
                f"{e(item.detail)} (&times;{item.likelihood_ratio:g})</div>"
                for item in [*cause.evidence_for, *cause.evidence_against]
            )
            explains = f"; explains {e(', '.join(cause.explains))}" if cause.explains else ""
            items.append(
                f'<li data-cause="{e(cause.code)}"><b>{e(cause.code)}</b> {cause.probability:.0%} '
                f"({e(cause.confidence)}{explains}): {e(cause.fix.action)}{evidence}</li>"
            )
        parts.append(f"<p><b>Causes, most likely first</b></p><ol>{''.join(items)}</ol>")
    if verdict.missing:
        parts.append("<ul>" + "".join(f"<li>{e(m)}</li>" for m in verdict.missing) + "</ul>")
    return "".join(parts) + "</section>"


def _feedback_html(url: str) -> str:
    """How to say whether the verdict was right. The page is self-contained and runs no
    script, so it cannot send an API key with a JSON body; it shows the two ways that can."""
    e = html.escape
    body = '{"verdict_right": true, "fix_helped": true}'
    return (
        '<section class="feedback"><h2>Was this verdict right?</h2>'
        "<p>Tell us, so the next verdict is better: "
        "<code>convdiag feedback JOB_ID --right --fix-helped</code> "
        f"(or <code>--wrong --cause CODE</code>), or <code>POST {e(url)}</code> with "
        f"<code>{e(body)}</code>.</p></section>"
    )


def _facts(diagnosis: Diagnosis) -> str:
    e = html.escape
    run = diagnosis.run
    facts = run.unit.count(run.epochs) + (f", task {e(run.task)}" if run.task else "")
    return facts + (f", {run.num_classes} classes" if run.num_classes else "")


def _run_html(diagnosis: Diagnosis, curves: Curves | None) -> str:
    plot = (
        f'<div class="plot">{_svg(curves, diagnosis.findings, diagnosis.run.unit.one)}</div>'
        if curves
        else ""
    )
    replay = (diagnosis.probes.get("replay") or {}).get("history")
    body = "".join(_finding_html(f, replay) for f in diagnosis.findings)
    return f"{_verdict_html(diagnosis.verdict)}{plot}{body}"


def render_html(
    diagnosis: Diagnosis,
    curves: Curves | None,
    title: str = "convdiag report",
    feedback_url: str | None = None,
    earlier_curves: Sequence[Curves | None] = (),
) -> str:
    """The page of a diagnosis: the last run on top; the earlier runs of a log that holds
    several (`diagnosis.runs`, with `earlier_curves` in the same order) each in a section
    below it, oldest first, so no run of the log goes unseen."""
    e = html.escape
    count = len(diagnosis.runs) + 1
    which = f"Run {count} of {count} (the last) · " if count > 1 else ""
    earlier = "".join(
        f'<section class="run" data-run="{i + 1}"><h2>Run {i + 1} of {count}</h2>'
        f'<p class="sub">{_facts(run)}</p>{_run_html(run, run_curves)}</section>'
        for i, (run, run_curves) in enumerate(
            zip(diagnosis.runs, _padded(earlier_curves, count - 1), strict=True)
        )
    )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        f"<title>{e(title)}</title><style>{CSS}</style></head><body><main>"
        f'<h1>{e(title)}</h1><p class="sub">{which}{_facts(diagnosis)} · '
        f"engine {e(diagnosis.engine_version)}</p>"
        f"{_run_html(diagnosis, curves)}{earlier}"
        f"{_feedback_html(feedback_url) if feedback_url else ''}</main></body></html>"
    )


def _padded(curves: Sequence[Curves | None], length: int) -> list[Curves | None]:
    return [*curves[:length], *[None] * (length - len(curves))]


def _scoped(css: str, scope: str) -> str:
    """The report's rules with every selector under `scope`, the page-level ones left out: a
    notebook shares one document between cells, so nothing here may restyle the rest."""
    rules = re.sub(r"(^|})\s*([^{}]+)\{", lambda m: m[1] + _prefix(m[2], scope) + "{", css.strip())
    return re.sub(rf"{re.escape(scope)} (body|main)\{{[^}}]*\}}", "", rules)


def _prefix(selectors: str, scope: str) -> str:
    return ",".join(f"{scope} {selector.strip()}" for selector in selectors.split(","))


def render_fragment(diagnosis: Diagnosis, title: str | None = None) -> str:
    """The verdict and the findings as an HTML fragment: what a notebook shows for a
    Diagnosis (`_repr_html_`). No plot (a Diagnosis holds no curves) and no matplotlib."""
    e = html.escape
    run = diagnosis.run
    heading = f"<h1>{e(title)}</h1>" if title else ""
    facts = run.unit.count(run.epochs) + (f", task {e(run.task)}" if run.task else "")
    runs = f", {len(diagnosis.runs)} runs (this is the last)" if len(diagnosis.runs) > 1 else ""
    findings = "".join(_finding_html(f, None) for f in diagnosis.findings)
    return (
        f'<div class="convdiag"><style>{_scoped(CSS, ".convdiag")}</style>{heading}'
        f'<p class="sub">{facts}{runs} · engine {e(diagnosis.engine_version)}</p>'
        f"{_verdict_html(diagnosis.verdict)}{findings}</div>"
    )
