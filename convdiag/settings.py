"""The one settings class. Every knob is an environment variable prefixed CONVDIAG_."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def hash_api_key(key: str) -> str:
    """How API keys are stored: sha256 hex. Keys are long random tokens, so a fast hash is
    enough (no dictionary to guess from); only the hash ever sits in configuration."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CONVDIAG_", extra="ignore")

    redis_url: str | None = Field(
        default=None,
        description="Redis for broker and job store. Unset: the embedded SQLite default under data_dir.",
    )
    data_dir: Path = Field(
        default_factory=lambda: Path(platformdirs.user_data_dir("convdiag")),
        description="Where the embedded default keeps its broker and job store.",
    )
    api_keys: dict[str, str] = Field(
        default_factory=dict,
        description=(
            "sha256 hex of each API key -> tenant name (`convdiag hash-key KEY` prints the hash). "
            "Empty: auth is off and every caller is the single local tenant."
        ),
    )
    local_tenant: str = "local"
    allow_no_auth: bool = Field(
        default=False,
        description="Let `convdiag serve`/`convdiag api` listen beyond loopback with auth off; "
        "without it they refuse to start an open API on a network address.",
    )
    rate_limit: str = Field(
        default="1200/minute",
        description="Requests allowed per API key, in the `limits` notation ('1200/minute', '50/second'); "
        "empty: no limit. Counted in Redis, so every API replica shares the count.",
    )
    job_ttl_seconds: int = Field(default=7 * 24 * 3600, ge=60)
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    body_idle_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        description="A request whose body sends nothing for this long is answered 408 and closed.",
    )
    max_wait_seconds: float = Field(default=30.0, ge=0)
    # What one history may name. Each metric is a curve to store, diagnose and draw (a report
    # of 3,000 took 10 s to render); a multi-output Keras model logs a few dozen.
    max_metrics: int = Field(default=256, ge=1, description="Metrics one training run may log.")
    max_metric_name_length: int = Field(default=200, ge=8, description="Characters in one metric name.")
    inline_history_max_bytes: int = Field(
        default=64 * 1024,
        ge=0,
        description="A history whose stored input is at most this size is diagnosed in the API "
        "process and its job stored already finished; larger ones go to a worker. 0: always a worker.",
    )
    inline_processes: int = Field(
        default=2, ge=1, description="Processes beside the API's that diagnose small histories."
    )

    # Celery, as production needs it. The broker's visibility timeout must exceed the hard
    # limit, or Redis hands a long task to a second worker while the first is still on it.
    task_soft_time_limit: int = Field(default=300, ge=1)
    task_time_limit: int = Field(default=360, ge=1)
    broker_visibility_timeout: int = Field(default=3600, ge=1)
    max_attempts: int = Field(
        default=3, ge=1, description="Deliveries of one job before it is marked failed."
    )
    # A worker killed whole (its main process too) acknowledges nothing, and the broker hands
    # its task out again only after the visibility timeout. Running jobs beat instead, and a
    # sweeper in every worker hands back a job that stopped beating, and sends jobs that were
    # stored but never queued (the API or the broker went away in between).
    # A live run has no end the server could tell; its event stream ends after this long without
    # a new epoch, and an EventSource reconnects by itself.
    run_events_idle_seconds: float = Field(
        default=15.0, gt=0, description="A live run's event stream ends after this long with nothing new."
    )
    heartbeat_seconds: float = Field(
        default=10.0, gt=0, description="How often a worker records that a running job is alive."
    )
    heartbeat_stale_seconds: float = Field(
        default=30.0, gt=0, description="A running job whose last heartbeat is this old is re-queued."
    )
    sweep_seconds: float = Field(
        default=10.0, gt=0, description="How often each worker looks for lost and unsent jobs."
    )
    unsent_grace_seconds: float = Field(
        default=30.0, gt=0, description="A job stored this long ago and never queued is sent by a sweeper."
    )

    # Webhooks: a finished job is POSTed to its callback_url, signed with the tenant's secret.
    webhook_secrets: dict[str, str] = Field(
        default_factory=dict,
        description="tenant -> secret for signing webhooks; a tenant without one cannot use them.",
    )
    webhook_allow_private: bool = Field(
        default=False, description="Allow callback URLs on loopback or private addresses (development only)."
    )
    webhook_max_attempts: int = Field(default=6, ge=1)
    webhook_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        description="The whole of one delivery attempt, connect to status line: a receiver that "
        "drips its answer is cut off here.",
    )
    webhook_backoff_seconds: float = Field(
        default=2.0, gt=0, description="First retry delay; it doubles per attempt (capped at 10 minutes)."
    )

    # Bundles: uploaded once to a directory the API and the probe workers share.
    bundle_dir: Path | None = Field(
        default=None, description="Where uploaded bundles wait; data_dir/bundles if unset."
    )
    max_bundle_bytes: int = Field(default=500 * 1024 * 1024, ge=1024)
    max_unpacked_bytes: int = Field(default=2 * 1024 * 1024 * 1024, ge=1024)
    probe_soft_time_limit: int = Field(default=600, ge=1)
    probe_time_limit: int = Field(default=660, ge=1)
    probe_max_memory_mb: int = Field(
        default=4096,
        ge=64,
        description="A probe worker process past this resident size is replaced after its task.",
    )
    # The bundle sandbox (convdiag/sandbox.py): what one bundle's probes may use.
    sandbox_memory_mb: int = Field(
        default=3072,
        ge=256,
        description="Memory of one bundle's sandbox: its data-segment limit and the resident size "
        "at which the worker kills it.",
    )
    sandbox_cpu_seconds: int = Field(default=1200, ge=1, description="CPU time of one bundle's sandbox.")
    sandbox_open_files: int = Field(default=256, ge=32, description="Open files of one bundle's sandbox.")
    max_array_bytes: int = Field(
        default=1024 * 1024 * 1024,
        ge=1024,
        description="What a bundle's arrays (data.npz and the model's weights) may take in memory, "
        "read from their headers before any is loaded.",
    )
    unsafe_model_loading: bool = Field(
        default=False,
        description="TESTS ONLY: load models with Keras' safe mode and the allow-list off, so the "
        "sandbox tests can run hostile code inside the sandbox and see it contained.",
    )

    @property
    def embedded(self) -> bool:
        return self.redis_url is None

    @property
    def auth_enabled(self) -> bool:
        return bool(self.api_keys)

    @property
    def broker_url(self) -> str:
        if self.redis_url:
            return self.redis_url
        return f"sqla+sqlite:///{self.data_dir / 'broker.sqlite'}"

    @property
    def bundles_path(self) -> Path:
        return self.bundle_dir or self.data_dir / "bundles"

    @property
    def jobs_db_path(self) -> Path:
        return self.data_dir / "jobs.sqlite"


@lru_cache
def get_settings() -> Settings:
    return Settings()
