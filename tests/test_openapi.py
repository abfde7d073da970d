"""openapi/openapi.json is what the app serves; regenerate it with `make openapi`."""

from __future__ import annotations

import json

from scripts.export_openapi import TARGET, render


def test_openapi_file_matches_the_app() -> None:
    assert TARGET.read_text() == render(), "openapi/openapi.json is stale: run `make openapi`"


def test_every_error_response_is_documented_as_problem_json() -> None:
    spec = json.loads(render())
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    assert "application/problem+json" in response["content"], (method, path, status)
