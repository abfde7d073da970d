"""Job store on SQLite for the embedded default: one file under the data directory, shared
by the API process and its worker subprocess (WAL mode lets them read while one writes)."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

from convdiag.jobs.store import DocumentUpdater, JobStore, Record, Updater, _now, watch_entry

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    record TEXT NOT NULL,
    input BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_tenant ON jobs (tenant, created_at DESC, id DESC);
CREATE TABLE IF NOT EXISTS stats (name TEXT PRIMARY KEY, value REAL NOT NULL);
CREATE TABLE IF NOT EXISTS watch (id TEXT PRIMARY KEY, watch TEXT NOT NULL, score REAL NOT NULL);
CREATE INDEX IF NOT EXISTS watch_by_score ON watch (watch, score);
CREATE TABLE IF NOT EXISTS reports (id TEXT PRIMARY KEY, expires_at REAL NOT NULL, page TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (key TEXT PRIMARY KEY, expires_at REAL NOT NULL, value TEXT NOT NULL);
"""


class SqliteJobStore(JobStore):
    def __init__(self, path: Path, ttl_seconds: int) -> None:
        super().__init__(ttl_seconds)
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # sqlite3 connections must stay on the thread that made them; FastAPI runs sync
        # work on a thread pool, so each thread gets its own.
        # Celery's prefork pool forks worker children, and a connection must not cross a
        # fork either, so each is also tied to the process that opened it.
        self._local = threading.local()
        self._conn().executescript(SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        pid, conn = getattr(self._local, "owned", (None, None))
        if conn is None or pid != os.getpid():
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.owned = (os.getpid(), conn)
        return conn

    def _add_stats(self, conn: sqlite3.Connection, stats: dict[str, float]) -> None:
        conn.executemany(
            "INSERT INTO stats (name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value",
            stats.items(),
        )

    def _set_watch(self, conn: sqlite3.Connection, record: Record) -> None:
        """Put the job on the watch list its record calls for (inside the caller's transaction)."""
        conn.execute("DELETE FROM watch WHERE id = ?", (record["id"],))
        if entry := watch_entry(record):
            conn.execute("INSERT INTO watch (id, watch, score) VALUES (?, ?, ?)", (record["id"], *entry))

    def _insert(self, record: Record, payload: bytes, stats: dict[str, float]) -> None:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("DELETE FROM jobs WHERE expires_at < ?", (_now(),))
            conn.execute("DELETE FROM reports WHERE expires_at < ?", (_now(),))
            conn.execute(
                "INSERT INTO jobs (id, tenant, created_at, expires_at, record, input) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    record["id"],
                    record["tenant"],
                    record["created_at"],
                    record["expires_at"],
                    json.dumps(record),
                    payload,
                ),
            )
            self._add_stats(conn, stats)
            self._set_watch(conn, record)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _read(self, job_id: str) -> Record | None:
        row = (
            self._conn()
            .execute("SELECT record FROM jobs WHERE id = ? AND expires_at >= ?", (job_id, _now()))
            .fetchone()
        )
        return json.loads(row[0]) if row else None

    def _update(self, job_id: str, updater: Updater) -> Record | None:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")  # take the write lock before reading: no lost updates
        try:
            record = self._read(job_id)
            change = None if record is None else updater(record)
            if record is None or change is None:
                conn.execute("ROLLBACK")
                return None
            fields, stats = change
            record = {**record, **fields}
            conn.execute("UPDATE jobs SET record = ? WHERE id = ?", (json.dumps(record), job_id))
            self._add_stats(conn, stats)
            self._set_watch(conn, record)
            conn.execute("COMMIT")
            return record
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _page(self, tenant: str, limit: int, before: tuple[float, str] | None) -> list[Record]:
        created, last_id = before if before else (float("inf"), "")
        rows = (
            self._conn()
            .execute(
                "SELECT record FROM jobs WHERE tenant = ? AND expires_at >= ? "
                "AND (created_at < ? OR (created_at = ? AND id < ?)) "
                "ORDER BY created_at DESC, id DESC LIMIT ?",
                (tenant, _now(), created, created, last_id, limit),
            )
            .fetchall()
        )
        return [json.loads(row[0]) for row in rows]

    def get_input(self, job_id: str) -> bytes | None:
        row = (
            self._conn()
            .execute("SELECT input FROM jobs WHERE id = ? AND expires_at >= ?", (job_id, _now()))
            .fetchone()
        )
        return bytes(row[0]) if row else None

    def delete(self, job_id: str) -> None:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            record = self._read(job_id)
            if record is not None:
                conn.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
                conn.execute("DELETE FROM watch WHERE id = ?", (job_id,))
                self._add_stats(conn, {f"active:{record['status']}": -1})
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def watched(self, watch: str, before: float, limit: int) -> list[str]:
        rows = (
            self._conn()
            .execute(
                "SELECT id FROM watch WHERE watch = ? AND score < ? ORDER BY score LIMIT ?",
                (watch, before, limit),
            )
            .fetchall()
        )
        return [row[0] for row in rows]

    def forget(self, job_id: str) -> None:
        self._conn().execute("DELETE FROM watch WHERE id = ?", (job_id,))

    def get_report(self, job_id: str) -> str | None:
        row = (
            self._conn()
            .execute("SELECT page FROM reports WHERE id = ? AND expires_at >= ?", (job_id, _now()))
            .fetchone()
        )
        return row[0] if row else None

    def put_report(self, job_id: str, page: str, expires_at: float) -> None:
        self._conn().execute(
            "INSERT OR REPLACE INTO reports (id, expires_at, page) VALUES (?, ?, ?)",
            (job_id, expires_at, page),
        )

    def get_document(self, key: str) -> dict[str, Any] | None:
        row = (
            self._conn()
            .execute("SELECT value FROM documents WHERE key = ? AND expires_at >= ?", (key, _now()))
            .fetchone()
        )
        return json.loads(row[0]) if row else None

    def update_document(self, key: str, updater: DocumentUpdater) -> dict[str, Any]:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            document = updater(self.get_document(key))
            conn.execute(
                "INSERT INTO documents (key, expires_at, value) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET expires_at = excluded.expires_at, value = excluded.value",
                (key, _now() + self.ttl_seconds, json.dumps(document)),
            )
            conn.execute("COMMIT")
            return document
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def delete_document(self, key: str) -> None:
        self._conn().execute("DELETE FROM documents WHERE key = ?", (key,))

    def stats(self) -> dict[str, float]:
        return dict(self._conn().execute("SELECT name, value FROM stats").fetchall())

    def ping(self) -> None:
        self._conn().execute("SELECT 1").fetchone()
