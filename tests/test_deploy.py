"""docker-compose.yml matches the code, and its commands really run the service.

No Docker engine runs on these machines, so the compose file is read as data: its commands
are started as plain processes against a private redis-server, exactly as written except
for the addresses.
"""

from __future__ import annotations

import copy
import importlib
import json
import os
import re
import socket
import subprocess
import sys
import tomllib
from pathlib import Path

import httpx
import pytest

from convdiag import cli
from convdiag.queues import QUEUES
from convdiag.settings import Settings, hash_api_key
from testkit import histories
from testkit.support import COMPOSE, ROOT, free_port, local_command, redis_server, stop_process, wait_until

SERVICES = COMPOSE["services"]


def test_compose_settings_exist_in_the_settings_class() -> None:
    fields = {f"CONVDIAG_{name.upper()}" for name in Settings.model_fields}
    for name, service in SERVICES.items():
        for variable in service.get("environment", {}):
            if variable.startswith("CONVDIAG_"):
                assert variable in fields, f"{name} sets {variable}, which no setting reads"


def test_compose_commands_name_real_modules() -> None:
    api = SERVICES["api"]["command"]
    assert api[:2] == ["convdiag", "api"]
    assert "api" in cli.main.commands
    consumed: set[str] = set()
    for name in ("worker-light", "worker-webhooks", "worker-probes"):
        command = SERVICES[name]["command"]
        app_module = command[command.index("-A") + 1]
        assert importlib.import_module(app_module).app.main == "convdiag"
        consumed |= set(command[command.index("--queues") + 1].split(","))
    assert consumed == set(QUEUES)  # every queue has workers, and no worker waits on a made-up one
    assert SERVICES["redis"]["command"][SERVICES["redis"]["command"].index("--appendonly") + 1] == "yes"


def _env(redis_url: str, key: str) -> dict[str, str]:
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


@pytest.mark.parametrize("name", ["api", "worker-light", "worker-webhooks", "worker-probes"])
def test_compose_services_share_one_environment(name: str) -> None:
    assert SERVICES[name]["environment"] == SERVICES["api"]["environment"]
    assert re.match(r"redis://redis:6379/\d", SERVICES[name]["environment"]["CONVDIAG_REDIS_URL"])


def test_api_and_probe_workers_share_the_bundle_volume() -> None:
    directory = SERVICES["api"]["environment"]["CONVDIAG_BUNDLE_DIR"]
    for name in ("api", "worker-probes"):
        assert f"bundles:{directory}" in SERVICES[name]["volumes"]
    assert "bundles" in COMPOSE["volumes"]


# --- The Compose Specification, the Dockerfile, and what each image installs and runs ---

DOCKERFILE = ROOT / "Dockerfile"
EXTRAS = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]


def _stages() -> dict[str, dict[str, list[str]]]:
    """Each build target of the Dockerfile -> its instructions' values, by instruction."""
    from dockerfile_parse import DockerfileParser

    stages: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for instruction in DockerfileParser(str(DOCKERFILE)).structure:
        if instruction["instruction"] == "FROM":
            current = stages.setdefault(instruction["value"].split()[-1], {})
        current.setdefault(instruction["instruction"], []).append(instruction["value"])
    return stages


def _requirements(extras: str) -> set[str]:
    """The distributions an install of `.[extras]` asks for, the project's own extras expanded."""
    names: set[str] = set()
    for extra in extras.split(","):
        for requirement in EXTRAS[extra]:
            name = re.match(r"[A-Za-z0-9_.-]+", requirement)[0].lower()  # type: ignore[index]
            if name == "convdiag":
                names |= _requirements(requirement[requirement.index("[") + 1 : requirement.index("]")])
            else:
                names.add(name)
    return names


def _image_extras(target: str) -> str:
    (install,) = [run for run in _stages()[target]["RUN"] if "pip install" in run]
    return re.search(r'"\.\[([a-z,-]+)\]"', install)[1]  # type: ignore[index]


def _check_compose(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [Path(sys.executable).parent / "check-jsonschema", "--builtin-schema", "vendor.compose-spec", path],
        capture_output=True,
        text=True,
        check=False,
    )


def test_compose_file_follows_the_compose_specification(tmp_path: Path) -> None:
    result = _check_compose(ROOT / "docker-compose.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    # The same validator rejects a misspelt key, which Compose would refuse.
    broken = copy.deepcopy(COMPOSE)
    broken["services"]["api"]["helthcheck"] = broken["services"]["api"].pop("healthcheck")
    (tmp_path / "broken.yml").write_text(json.dumps(broken))
    assert _check_compose(tmp_path / "broken.yml").returncode != 0


# Every Dockerfile docker-compose.yml builds an image from: the project's and the proxy's.
BUILT_DOCKERFILES = sorted(
    {
        (ROOT / service["build"]["context"] / service["build"].get("dockerfile", "Dockerfile")).resolve()
        for service in SERVICES.values()
        if "build" in service
    }
)


@pytest.mark.parametrize("dockerfile", BUILT_DOCKERFILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_dockerfiles_pass_hadolint(dockerfile: Path) -> None:
    result = subprocess.run(
        [Path(sys.executable).parent / "hadolint", dockerfile], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_service_has_a_healthcheck_and_a_restart_policy(name: str) -> None:
    assert SERVICES[name]["restart"] in {"always", "unless-stopped", "on-failure"}
    assert SERVICES[name]["healthcheck"]["test"]


def test_images_are_built_from_the_extras_and_the_api_image_has_no_tensorflow() -> None:
    # The services built from this project's Dockerfile (the proxy has its own, in deploy/).
    targets = {
        name: s["build"]["target"] for name, s in SERVICES.items() if s.get("build", {}).get("context") == "."
    }
    assert set(targets) == {"api", "worker-light", "worker-webhooks", "worker-probes"}
    assert set(targets.values()) <= set(_stages())
    api_packages = _requirements(_image_extras(targets["api"]))
    assert {"fastapi", "celery"} <= api_packages
    assert not {p for p in api_packages if p.startswith(("tensorflow", "keras"))}
    assert targets["worker-light"] == targets["api"]  # the light queue never loads TensorFlow either
    assert targets["worker-webhooks"] == targets["api"]
    for target, build in (("probes", "tensorflow-cpu"), ("probes-gpu", "tensorflow")):
        packages = _requirements(_image_extras(target))
        assert {p for p in packages if p.startswith("tensorflow")} == {build}  # never both builds
    assert targets["worker-probes"] == "probes-gpu"


def test_images_run_as_the_user_that_owns_the_bundle_volume() -> None:
    stages = _stages()
    (setup,) = stages["base"]["RUN"]
    uid = re.search(r"--uid (\d+)", setup)[1]  # type: ignore[index]
    directory = SERVICES["api"]["environment"]["CONVDIAG_BUNDLE_DIR"]
    assert f"mkdir {directory}" in setup
    assert f"chown convdiag:convdiag {directory}" in setup
    for target, stage in stages.items():
        if "CMD" in stage:
            assert stage["USER"] == [uid], target


def _image_command(target: str) -> list[str]:
    (command,) = _stages()[target]["CMD"]
    return json.loads(command)


def test_the_api_image_refuses_to_listen_on_the_network_with_auth_off(tmp_path: Path) -> None:
    command = _image_command("server")
    assert "0.0.0.0" in command
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONVDIAG_")}
    env |= {"PYTHONPATH": str(ROOT), "CONVDIAG_DATA_DIR": str(tmp_path)}
    refused = subprocess.run(
        [sys.executable, "-m", *command], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert refused.returncode == 2
    assert "CONVDIAG_API_KEYS" in refused.stderr
    assert "CONVDIAG_ALLOW_NO_AUTH" in refused.stderr


def _worker_answers_healthcheck(healthcheck: list[str], env: dict[str, str]) -> bool:
    kind, shell_command = healthcheck
    assert kind == "CMD-SHELL"
    # Compose turns $$ into $; Docker sets HOSTNAME, Celery names its node after it.
    command = shell_command.replace("$$", "$").replace("celery ", f"{sys.executable} -m celery ", 1)
    result = subprocess.run(
        ["sh", "-c", command],
        env=env | {"HOSTNAME": socket.gethostname()},
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        check=False,
    )
    return result.returncode == 0


def test_the_image_commands_serve_and_the_worker_healthcheck_sees_them(tmp_path: Path) -> None:
    """The server image's CMD and the probe image's CMD as processes, with the compose settings;
    the workers' healthcheck finds the probe worker and fails once it is gone."""
    key = "image-e2e-key-0123456789"
    with redis_server(tmp_path) as redis_url:
        env = _env(redis_url, key)
        port = free_port()
        api = subprocess.Popen(
            local_command(_image_command("server"), port),
            env=env,
            cwd=ROOT,
            stdout=(tmp_path / "api.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        worker = subprocess.Popen(
            local_command(_image_command("probes")),
            env=env,
            cwd=ROOT,
            stdout=(tmp_path / "worker.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        healthcheck = SERVICES["worker-probes"]["healthcheck"]["test"]
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until(lambda: httpx.get(f"{base}/readyz").status_code == 200, 30, "the API to be ready")
            wait_until(lambda: _worker_answers_healthcheck(healthcheck, env), 90, "the worker's healthcheck")
            # The proxy's healthcheck is plain bash; pointed at the API instead of nginx, it works.
            proxy_check = SERVICES["proxy"]["healthcheck"]["test"]
            assert proxy_check[:3] == ["CMD", "bash", "-c"]
            script = proxy_check[3].replace("/8080", f"/{port}")
            assert subprocess.run(["bash", "-c", script], timeout=10, check=False).returncode == 0
        finally:
            stop_process(api)
            stop_process(worker)
        assert not _worker_answers_healthcheck(healthcheck, env)
