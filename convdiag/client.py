"""A small HTTP client for the convdiag API, used by the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from convdiag.jobs import Job

DEFAULT_URL = "http://127.0.0.1:8000"


class ApiError(Exception):
    """The service answered with a problem (or not at all); str() is one readable line."""


class Client:
    def __init__(self, url: str = DEFAULT_URL, api_key: str | None = None, timeout: float = 40.0) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=timeout)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self._http.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise ApiError(f"cannot reach {self._http.base_url}: {exc}") from None
        if response.is_error:
            try:
                problem = response.json()
                message = f"{problem['title']}: {problem['detail']}"
            except (ValueError, KeyError, TypeError):
                message = response.text[:200] or response.reason_phrase
            raise ApiError(f"HTTP {response.status_code}: {message}")
        return response

    def submit_history_file(self, path: Path, wait: float = 0) -> Job:
        with path.open("rb") as handle:
            response = self._request(
                "POST", "/v1/histories", params={"wait": wait}, files={"file": (path.name, handle)}
            )
        return Job.model_validate(response.json())

    def get_job(self, job_id: str) -> Job:
        return Job.model_validate(self._request("GET", f"/v1/jobs/{job_id}").json())
