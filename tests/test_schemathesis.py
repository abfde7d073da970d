"""Property-based API tests from openapi/openapi.json (schemathesis) against the real app: a
private Redis, a real worker, an API key. For every operation, valid and invalid requests
alike: never a 5xx, every error an RFC 9457 problem, every answer as documented.

Run the module as a whole: its last test checks that every operation was exercised.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from convdiag.settings import Settings, hash_api_key
from testkit import histories
from testkit.bundles import not_a_bundle
from testkit.support import ROOT, RedisServer, celery_worker, serve_app

SCHEMA = schemathesis.openapi.from_path(ROOT / "openapi" / "openapi.json")
# Schemathesis has no serializer of its own for these; they are bytes like octet-stream.
schemathesis.serializer.alias(["application/zip", "application/gzip"], "application/octet-stream")
KEY = "schemathesis-key-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {KEY}"}
# Enough to reach every branch the schema describes, small enough for a minute or so in all.
EXAMPLES_PER_OPERATION = 25
PROBLEM_FIELDS = {"type", "title", "status", "detail"}
# Besides "no 5xx": every status, media type and body is the one the schema documents. Left
# out: positive_data_acceptance (a schema-valid cursor or callback_url can still be refused
# on its meaning) and allow_header_conformance (Starlette's 405 names only the methods of
# the route it matched, e.g. GET but not DELETE on /v1/jobs/{id}).
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

calls: Counter[str] = Counter()


@dataclass
class Target:
    url: str
    # Generated ids never name a real job or run; these do, so their 200/409 paths get
    # the generated query strings and headers too.
    job_ids: list[str]
    run_id: str


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    directory = tmp_path_factory.mktemp("schemathesis")
    with RedisServer(directory) as server:
        # No rate limit: hundreds of requests in a minute are the point here (429s have their test).
        config = Settings(
            redis_url=server.url,
            data_dir=directory,
            api_keys={hash_api_key(KEY): "fuzz"},
            rate_limit="",
            # A live run's event stream lasts until it has been idle this long; every example
            # on the run would otherwise hold the connection for the default 15 s.
            run_events_idle_seconds=0.5,
        )
        with (
            celery_worker(config, log=directory / "worker.log"),
            serve_app(config) as url,
            httpx.Client(base_url=url, headers=AUTH, timeout=60) as client,
        ):
            succeeded = client.post(
                "/v1/histories", params={"wait": 30}, json={"history": histories.healthy()}
            )
            failed = client.post(
                "/v1/bundles",
                params={"wait": 30},
                content=not_a_bundle(),
                headers={"content-type": "application/zip"},
            )
            run = client.post("/v1/runs/fuzz-run/epochs", json={"epoch": 0, "loss": 1.0})
            assert [succeeded.status_code, failed.status_code, run.status_code] == [200, 200, 200]
            yield Target(url, [succeeded.json()["id"], failed.json()["id"]], "fuzz-run")


def _call_and_check(case: schemathesis.Case, url: str) -> None:
    response = case.call(base_url=url, headers=AUTH, timeout=60)
    case.validate_response(response, checks=CHECKS)
    if response.status_code >= 400:
        content_type = response.headers.get("content-type", [""])[0]
        assert content_type.startswith("application/problem+json"), (case.method, case.path, response.text)
        problem = response.json()
        assert set(problem) >= PROBLEM_FIELDS, problem
        assert problem["status"] == response.status_code
        assert problem["type"].startswith("urn:convdiag:problem:")


@SCHEMA.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_server_error_and_every_error_is_a_problem(case: schemathesis.Case, target: Target) -> None:
    calls[case.operation.label] += 1
    _call_and_check(case, target.url)
    if "job_id" in (case.path_parameters or {}):
        for job_id in target.job_ids:
            case.path_parameters = {**case.path_parameters, "job_id": job_id}
            _call_and_check(case, target.url)
    if "run_id" in (case.path_parameters or {}):
        case.path_parameters = {**case.path_parameters, "run_id": target.run_id}
        _call_and_check(case, target.url)


def test_every_operation_was_exercised() -> None:
    labels = {result.ok().label for result in SCHEMA.get_all_operations()}
    assert labels - set(calls) == set(), "operations schemathesis never called"
