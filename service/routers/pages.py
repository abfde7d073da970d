"""The browser page: `/` lists the caller's jobs and live runs, a live run's page follows its
epochs (Server-Sent Events), and any runs picked on `/` are overlaid on one chart.

Not part of the API's schema. Every name on these pages (metrics, runs, metadata) comes from
whoever posted it, so templates are autoescaped, scripts come only from /static (the policy
below allows no inline script or style) and nothing loads from another host. With API keys
configured the page asks for a key once and keeps an opaque session id in an HttpOnly,
SameSite=Strict cookie (service/sessions.py); the API's tenant dependency takes that cookie,
so the page's own requests (reports, event streams) need no key in script."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from convdiag.jobs import Job, JobKind, JobStore
from convdiag.problems import NOT_FOUND, RUN_NOT_FOUND, UNAUTHORIZED
from convdiag.runs import get_run, get_run_curves, list_runs
from convdiag.settings import hash_api_key
from service.charts import Series, chart
from service.deps import SettingsDep, StoreDep, get_tenant, tenant_for_key
from service.errors import ProblemError
from service.routers.jobs import job_curves
from service.sessions import COOKIE, close_session, open_session

router = APIRouter(include_in_schema=False)

HERE = Path(__file__).parent
ENV = Environment(
    loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined, trim_blocks=True
)
# The page's own script and style, read once; served with their type and the page's headers.
STATIC = {
    name: (media_type, (HERE / "static" / name).read_bytes())
    for name, media_type in (
        ("app.js", "text/javascript"),
        ("app.css", "text/css"),
        ("icon.svg", "image/svg+xml"),
    )
}
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": PAGE_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    # The pages hold a tenant's jobs: no shared cache keeps them.
    "Cache-Control": "no-store",
}
# How many of the newest jobs and runs `/` shows, and how many series one overlay draws at most.
RECENT_JOBS = 50
RECENT_RUNS = 20
MAX_OVERLAY = 12
# A live run's chart: the loss curves, or every metric when the run logs no loss.
LOSS_MARK = "loss"


def _page(template: str, status_code: int = 200, **context: object) -> HTMLResponse:
    return HTMLResponse(ENV.get_template(template).render(**context), status_code, headers=HEADERS)


async def page_tenant(request: Request) -> str | None:
    """The caller's tenant, or None when the page must ask for a key first."""
    try:
        return await get_tenant(request)
    except ProblemError as exc:
        if exc.kind is UNAUTHORIZED:
            return None
        raise


PageTenantDep = Annotated[str | None, Depends(page_tenant)]


def _headline(job: Job) -> str | None:
    return job.diagnosis.verdict.headline if job.diagnosis else None


@router.get("/", response_class=HTMLResponse)
def index(store: StoreDep, settings: SettingsDep, tenant: PageTenantDep) -> HTMLResponse:
    if tenant is None:
        return _page("login.html", error=None)
    jobs = store.list(tenant, RECENT_JOBS).items
    return _page(
        "index.html",
        tenant=tenant,
        auth=settings.auth_enabled,
        jobs=jobs,
        runs=list_runs(store, tenant, RECENT_RUNS).items,
        headline=_headline,
    )


@router.post("/session")
def sign_in(
    request: Request, store: StoreDep, settings: SettingsDep, key: Annotated[str, Form(max_length=500)] = ""
) -> Response:
    """Trade an API key for a session cookie. The key goes no further than this request."""
    digest = hash_api_key(key.strip())
    if not settings.auth_enabled or tenant_for_key(settings, digest) is None:
        error = "That key is not valid." if settings.auth_enabled else "Keys are not in use here."
        return _page("login.html", 401 if settings.auth_enabled else 400, error=error)
    response = RedirectResponse("/", 303, headers=HEADERS)
    response.set_cookie(
        COOKIE,
        open_session(store, digest),
        max_age=settings.job_ttl_seconds,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/session/end")
def sign_out(request: Request, store: StoreDep) -> Response:
    token = request.cookies.get(COOKIE)
    if token:
        close_session(store, token)
    response = RedirectResponse("/", 303, headers=HEADERS)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response


def _loss_curves(curves: dict[str, list[float | None]]) -> dict[str, list[float | None]]:
    losses = {name: values for name, values in curves.items() if LOSS_MARK in name}
    return losses or curves


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(run_id: str, store: StoreDep, tenant: PageTenantDep) -> HTMLResponse:
    if tenant is None:
        return _page("login.html", error=None)
    run = get_run(store, tenant, run_id)
    if run is None:
        raise ProblemError(RUN_NOT_FOUND, f"no run {run_id}")
    return _page("run.html", run=run)


@router.get("/runs/{run_id}/chart.svg")
def run_chart(run_id: str, store: StoreDep, tenant: Annotated[str, Depends(get_tenant)]) -> Response:
    found = get_run_curves(store, tenant, run_id)
    if found is None:
        raise ProblemError(RUN_NOT_FOUND, f"no run {run_id}")
    series = [Series(name, values) for name, values in _loss_curves(found[1]).items()]
    return Response(chart(ENV, series, f"run {run_id}"), media_type="image/svg+xml", headers=HEADERS)


def _overlay(store: JobStore, tenant: str, jobs: list[str], runs: list[str], metric: str) -> list[Series]:
    series = []
    for run_id in runs:
        found = get_run_curves(store, tenant, run_id)
        curves = found[1] if found else None
        if curves and metric in curves:
            series.append(Series(f"{run_id} · {metric}", curves[metric]))
    for job_id in jobs:
        job = store.get(job_id, tenant=tenant)
        curves = job_curves(store, job)[-1] if job and job.kind is JobKind.history and job.diagnosis else None
        if curves and metric in curves:
            series.append(Series(f"{job_id} · {metric}", curves[metric]))
    return series


Picked = Annotated[list[str] | None, Query(max_length=MAX_OVERLAY)]


@router.get("/compare", response_class=HTMLResponse)
def compare_page(
    tenant: PageTenantDep,
    job: Picked = None,
    run: Picked = None,
    metric: str = "loss",
) -> HTMLResponse:
    if tenant is None:
        return _page("login.html", error=None)
    return _page("compare.html", jobs=job or [], runs=run or [], metric=metric)


@router.get("/compare.svg")
async def compare_chart(
    store: StoreDep,
    tenant: Annotated[str, Depends(get_tenant)],
    job: Picked = None,
    run: Picked = None,
    metric: Annotated[str, Query(max_length=200)] = "loss",
) -> Response:
    series = await run_in_threadpool(_overlay, store, tenant, job or [], run or [], metric)
    svg = chart(ENV, series, f"{metric} of {len(series)} runs")
    return Response(svg, media_type="image/svg+xml", headers=HEADERS)


@router.get("/static/{name}")
def static(name: str) -> Response:
    if name not in STATIC:
        raise ProblemError(NOT_FOUND, f"no file {name}")
    media_type, body = STATIC[name]
    return Response(body, media_type=media_type, headers=HEADERS)
