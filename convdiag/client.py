"""A typed Python client for the convdiag API, sync (`Client`) and async (`AsyncClient`).

Both retry connection errors and 5xx answers with exponential backoff (tenacity), honour
`Retry-After`, and send an `Idempotency-Key` with every POST so that a retried POST never
creates a second job. The CLI is built on `Client`.
"""

from __future__ import annotations

import asyncio
import io
import json
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from convdiag import DEFAULT_URL
from convdiag.jobs import FeedbackIn, Job, JobPage
from convdiag.runs import LiveRun, LiveRunPage, LiveRunSummary

# Statuses worth retrying: the server or something in front of it is briefly unavailable.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# The longest a `Retry-After` may make us sleep; a server asking for more is treated as down.
MAX_RETRY_AFTER = 60.0
# Polling a job: start fast (a history takes well under a second), back off to this.
POLL_START, POLL_MAX = 0.1, 5.0


class ApiError(Exception):
    """The service answered with a problem (or not at all); str() is one readable line."""

    def __init__(
        self,
        message: str,
        status: int | None = None,
        problem: dict[str, Any] | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.problem = problem or {}
        self.retry_after = retry_after


def _upload(path: Path) -> tuple[str, bytes]:
    """A history file as it is, or a TensorBoard log directory zipped: its event files under
    the directory's own name (runs keep their names, `train` and `validation` included)."""
    if not path.is_dir():
        return path.name, path.read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(path.rglob("*tfevents*")):
            if file.is_file():
                archive.write(file, f"{path.resolve().name}/{file.relative_to(path).as_posix()}")
    return f"{path.resolve().name}.zip", buffer.getvalue()


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return min(float(value), MAX_RETRY_AFTER) if value is not None else None
    except ValueError:
        return None  # an HTTP date; rare enough to fall back to our own backoff


def _raise_for_problem(response: httpx.Response) -> None:
    if not response.is_error:
        return
    try:
        problem = response.json()
        message = f"{problem['title']}: {problem['detail']}"
    except (ValueError, KeyError, TypeError):
        problem, message = None, (response.text[:200] or response.reason_phrase)
    raise ApiError(
        f"HTTP {response.status_code}: {message}", response.status_code, problem, _retry_after(response)
    )


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, httpx.TransportError):
        return True
    return isinstance(exc, ApiError) and exc.status in RETRY_STATUSES


def _wait(backoff: wait_exponential_jitter) -> Any:
    """Backoff, unless the server said how long to wait."""

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, ApiError) and exc.retry_after is not None:
            return exc.retry_after
        return backoff(state)

    return wait


def _unreachable(base_url: httpx.URL, exc: httpx.TransportError) -> ApiError:
    return ApiError(f"cannot reach {base_url}: {exc}")


class _Base:
    def __init__(self, url: str, api_key: str | None, retries: int, backoff: float) -> None:
        self.url = url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.retries = retries
        self.backoff = wait_exponential_jitter(multiplier=backoff, max=10.0, jitter=backoff)

    def _retry_options(self) -> dict[str, Any]:
        return {
            "retry": retry_if_exception(_retryable),
            "stop": stop_after_attempt(self.retries + 1),
            "wait": _wait(self.backoff),
            "reraise": True,
        }

    @staticmethod
    def _post_headers(idempotency_key: str | None) -> dict[str, str]:
        # One key per logical POST, reused by every retry of it.
        return {"Idempotency-Key": idempotency_key or uuid.uuid4().hex}

    @staticmethod
    def _history_body(history: Mapping[str, Any], metadata: Mapping[str, Any] | None) -> dict[str, Any]:
        return {"history": dict(history), "metadata": dict(metadata or {})}

    @staticmethod
    def _page_params(limit: int, cursor: str | None) -> dict[str, Any]:
        return {"limit": limit, **({"cursor": cursor} if cursor else {})}


class Client(_Base):
    """Synchronous client. Use as a context manager, or call close()."""

    def __init__(
        self,
        url: str = DEFAULT_URL,
        api_key: str | None = None,
        timeout: float = 40.0,
        retries: int = 3,
        backoff: float = 0.5,
    ) -> None:
        super().__init__(url, api_key, retries, backoff)
        self._http = httpx.Client(base_url=self.url, headers=self.headers, timeout=timeout)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        def once() -> httpx.Response:
            try:
                response = self._http.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                raise _unreachable(self._http.base_url, exc) from exc
            _raise_for_problem(response)
            return response

        return Retrying(**self._retry_options())(once)

    # -- jobs ----------------------------------------------------------------------------
    def submit_history(
        self,
        history: Mapping[str, Any],
        metadata: Mapping[str, Any] | None = None,
        wait: float = 0,
        idempotency_key: str | None = None,
        callback_url: str | None = None,
    ) -> Job:
        params: dict[str, Any] = {"wait": wait, **({"callback_url": callback_url} if callback_url else {})}
        response = self._request(
            "POST",
            "/v1/histories",
            params=params,
            json=self._history_body(history, metadata),
            headers=self._post_headers(idempotency_key),
        )
        return Job.model_validate(response.json())

    def submit_history_file(
        self,
        path: Path,
        wait: float = 0,
        idempotency_key: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> Job:
        """Any format the service reads, or a TensorBoard log directory (sent as a zip of its
        event files); `metadata` applies to every run in the file."""
        name, data = _upload(path)  # read once: a retry must resend the same bytes
        response = self._request(
            "POST",
            "/v1/histories",
            params={"wait": wait},
            files={"file": (name, data)},
            data={"metadata": json.dumps(dict(metadata))} if metadata else None,
            headers=self._post_headers(idempotency_key),
        )
        return Job.model_validate(response.json())

    def submit_bundle(self, path: Path, wait: float = 0, idempotency_key: str | None = None) -> Job:
        with path.open("rb") as handle:
            response = self._request(
                "POST",
                "/v1/bundles",
                params={"wait": wait},
                files={"bundle": (path.name, handle, "application/zip")},
                headers=self._post_headers(idempotency_key),
            )
        return Job.model_validate(response.json())

    def get_job(self, job_id: str) -> Job:
        return Job.model_validate(self._request("GET", f"/v1/jobs/{job_id}").json())

    def list_jobs(self, limit: int = 20, cursor: str | None = None) -> JobPage:
        return JobPage.model_validate(
            self._request("GET", "/v1/jobs", params=self._page_params(limit, cursor)).json()
        )

    def iter_jobs(self, page_size: int = 50) -> Iterator[Job]:
        return _every_item(self.list_jobs, page_size)

    def cancel(self, job_id: str) -> Job:
        return Job.model_validate(self._request("DELETE", f"/v1/jobs/{job_id}").json())

    def wait(self, job_id: str, timeout: float | None = None) -> Job:
        """Poll until the job is final, backing off from POLL_START to POLL_MAX."""
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = POLL_START
        while True:
            job = self.get_job(job_id)
            if job.status.terminal or (deadline is not None and time.monotonic() >= deadline):
                return job
            time.sleep(delay)
            delay = min(delay * 2, POLL_MAX)

    def report(self, job_id: str) -> str:
        return self._request("GET", f"/v1/jobs/{job_id}/report").text

    def send_feedback(self, job_id: str, feedback: FeedbackIn) -> Job:
        """Tell the service whether a job's verdict was right and whether its fix helped."""
        body = feedback.model_dump(mode="json", exclude_none=True)
        return Job.model_validate(self._request("POST", f"/v1/jobs/{job_id}/feedback", json=body).json())

    # -- live runs -----------------------------------------------------------------------
    def create_run(self, run_id: str | None = None, metadata: Mapping[str, Any] | None = None) -> LiveRun:
        """Start a live run with what you know about it (see `RunMetadata`); appending epochs to
        an unknown id creates one without metadata. An existing id is a 409."""
        body = {"id": run_id, "metadata": dict(metadata or {})}
        return LiveRun.model_validate(self._request("POST", "/v1/runs", json=body).json())

    def append_epochs(self, run_id: str, epochs: Sequence[Mapping[str, Any]]) -> LiveRun:
        # Appending is idempotent by epoch index, so retries need no key.
        response = self._request(
            "POST",
            f"/v1/runs/{run_id}/epochs",
            content=json.dumps(epochs),
            headers={"content-type": "application/json"},
        )
        return LiveRun.model_validate(response.json())

    def get_run(self, run_id: str) -> LiveRun:
        return LiveRun.model_validate(self._request("GET", f"/v1/runs/{run_id}").json())

    def list_runs(self, limit: int = 20, cursor: str | None = None) -> LiveRunPage:
        return LiveRunPage.model_validate(
            self._request("GET", "/v1/runs", params=self._page_params(limit, cursor)).json()
        )

    def iter_runs(self, page_size: int = 50) -> Iterator[LiveRunSummary]:
        return _every_item(self.list_runs, page_size)


_Item = TypeVar("_Item", covariant=True)


class _Page(Protocol[_Item]):
    """A page of a list route (JobPage, LiveRunPage): its items and the cursor to the next."""

    @property
    def items(self) -> Sequence[_Item]: ...

    @property
    def next_cursor(self) -> str | None: ...


def _every_item(fetch: Callable[[int, str | None], _Page[_Item]], page_size: int) -> Iterator[_Item]:
    """Every item of a list route, fetching page after page until the cursor runs out."""
    cursor = None
    while True:
        page = fetch(page_size, cursor)
        yield from page.items
        if (cursor := page.next_cursor) is None:
            return


class AsyncClient(_Base):
    """The same API for asyncio code."""

    def __init__(
        self,
        url: str = DEFAULT_URL,
        api_key: str | None = None,
        timeout: float = 40.0,
        retries: int = 3,
        backoff: float = 0.5,
    ) -> None:
        super().__init__(url, api_key, retries, backoff)
        self._http = httpx.AsyncClient(base_url=self.url, headers=self.headers, timeout=timeout)

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        async for attempt in AsyncRetrying(**self._retry_options()):
            with attempt:
                try:
                    response = await self._http.request(method, path, **kwargs)
                except httpx.TransportError as exc:
                    raise _unreachable(self._http.base_url, exc) from exc
                _raise_for_problem(response)
                return response
        raise AssertionError("unreachable: tenacity reraises the last error")

    async def submit_history(
        self,
        history: Mapping[str, Any],
        metadata: Mapping[str, Any] | None = None,
        wait: float = 0,
        idempotency_key: str | None = None,
        callback_url: str | None = None,
    ) -> Job:
        params: dict[str, Any] = {"wait": wait, **({"callback_url": callback_url} if callback_url else {})}
        response = await self._request(
            "POST",
            "/v1/histories",
            params=params,
            json=self._history_body(history, metadata),
            headers=self._post_headers(idempotency_key),
        )
        return Job.model_validate(response.json())

    async def submit_bundle(self, path: Path, wait: float = 0, idempotency_key: str | None = None) -> Job:
        response = await self._request(
            "POST",
            "/v1/bundles",
            params={"wait": wait},
            files={"bundle": (path.name, path.read_bytes(), "application/zip")},
            headers=self._post_headers(idempotency_key),
        )
        return Job.model_validate(response.json())

    async def get_job(self, job_id: str) -> Job:
        return Job.model_validate((await self._request("GET", f"/v1/jobs/{job_id}")).json())

    async def list_jobs(self, limit: int = 20, cursor: str | None = None) -> JobPage:
        return JobPage.model_validate(
            (await self._request("GET", "/v1/jobs", params=self._page_params(limit, cursor))).json()
        )

    async def list_runs(self, limit: int = 20, cursor: str | None = None) -> LiveRunPage:
        return LiveRunPage.model_validate(
            (await self._request("GET", "/v1/runs", params=self._page_params(limit, cursor))).json()
        )

    async def cancel(self, job_id: str) -> Job:
        return Job.model_validate((await self._request("DELETE", f"/v1/jobs/{job_id}")).json())

    async def wait(self, job_id: str, timeout: float | None = None) -> Job:
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = POLL_START
        while True:
            job = await self.get_job(job_id)
            if job.status.terminal or (deadline is not None and time.monotonic() >= deadline):
                return job
            await asyncio.sleep(delay)
            delay = min(delay * 2, POLL_MAX)

    async def report(self, job_id: str) -> str:
        return (await self._request("GET", f"/v1/jobs/{job_id}/report")).text
