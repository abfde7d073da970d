"""docker-compose.yml matches the code, and its commands really run the service.

No Docker engine runs on these machines, so the compose file is read as data: its commands
are started as plain processes against a private redis-server, exactly as written except
for the addresses.
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
from pathlib import Path

import httpx
import pytest

from convdiag.settings import Settings, hash_api_key
from tests import histories
from tests.support import COMPOSE, ROOT, free_port, local_command, redis_server, stop_process, wait_until

SERVICES = COMPOSE["services"]


def test_compose_settings_exist_in_the_settings_class() -> None:
    fields = {f"CONVDIAG_{name.upper()}" for name in Settings.model_fields}
    for name, service in SERVICES.items():
        for variable in service.get("environment", {}):
            if variable.startswith("CONVDIAG_"):
                assert variable in fields, f"{name} sets {variable}, which no setting reads"


def test_compose_commands_name_real_modules() -> None:
    api = SERVICES["api"]["command"]
    module, _, attribute = api[api.index("--factory") + 1].partition(":")
    assert callable(getattr(importlib.import_module(module), attribute))
    for name in ("worker-light", "worker-probes"):
        command = SERVICES[name]["command"]
        app_module = command[command.index("-A") + 1]
        assert importlib.import_module(app_module).app.main == "convdiag"
        queues = command[command.index("--queues") + 1].split(",")
        assert set(queues) <= {"light", "probes"}
    assert SERVICES["redis"]["command"][SERVICES["redis"]["command"].index("--appendonly") + 1] == "yes"


def _env(redis_url: str, key: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("CONVDIAG_")}
    for variable, value in SERVICES["api"]["environment"].items():
        env[variable] = str(value)
    env["CONVDIAG_REDIS_URL"] = redis_url
    env["CONVDIAG_API_KEYS"] = json.dumps({hash_api_key(key): "e2e"})
    env["PYTHONPATH"] = str(ROOT)
    return env


def test_processes_as_compose_runs_them_diagnose_a_history(tmp_path: Path) -> None:
    key = "compose-e2e-key-0123456789"
    with redis_server(tmp_path, "--appendonly", "yes") as redis_url:
        env = _env(redis_url, key)
        port = free_port()
        procs = [
            subprocess.Popen(
                local_command(SERVICES[name]["command"], port),
                env=env,
                cwd=ROOT,
                stdout=(tmp_path / f"{name}.log").open("wb"),
                stderr=subprocess.STDOUT,
            )
            for name in ("api", "worker-light")
        ]
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until(lambda: httpx.get(f"{base}/readyz").status_code == 200, 30, "the API to be ready")
            response = httpx.post(
                f"{base}/v1/histories",
                params={"wait": 25},
                json={"history": histories.diverging()},
                headers={"Authorization": f"Bearer {key}"},
                timeout=40,
            )
            assert response.status_code == 200, response.text
            codes = {f["code"] for f in response.json()["diagnosis"]["findings"]}
            assert "loss_diverging" in codes
        finally:
            for proc in procs:
                stop_process(proc)


@pytest.mark.parametrize("name", ["api", "worker-light", "worker-probes"])
def test_compose_services_share_one_environment(name: str) -> None:
    assert SERVICES[name]["environment"] == SERVICES["api"]["environment"]
    assert re.match(r"redis://redis:6379/\d", SERVICES[name]["environment"]["CONVDIAG_REDIS_URL"])


def test_api_and_probe_workers_share_the_bundle_volume() -> None:
    directory = SERVICES["api"]["environment"]["CONVDIAG_BUNDLE_DIR"]
    for name in ("api", "worker-probes"):
        assert f"bundles:{directory}" in SERVICES[name]["volumes"]
    assert "bundles" in COMPOSE["volumes"]
