"""Small histories are diagnosed beside the API, in a few processes of its own.

Measured under `make bench-load` (BENCHMARKS.md, *Load*): a 30-epoch history takes about
1.5 ms to diagnose, while sending it through the queue cost the API a Celery publish and the
worker a task's bookkeeping (about a dozen Redis round trips, the prefork pool's hand-off
and acknowledgement), many times the diagnosis itself; the worker fell behind the API and
POST -> finished took seconds. Diagnosed here, the job is stored once, already final: never
queued, never orphaned, finished when the POST is answered.

In processes, not threads: the diagnosis is many small numpy calls that hold the GIL, so on
the API's threads it ran in turn with the event loop; the one uvicorn process spent 5.4-5.7
ms of CPU a POST, about half of it diagnosing, and that capped what it accepted. Here it runs
on another core: the event loop writes the stored bytes to an idle child over a socket pair
and reads the outcome back, with no thread in between (concurrent.futures' process pool
hands each call through two threads of its own: 0.9 ms of the API's CPU a POST in-process,
against 0.5 ms this way). The children are fresh interpreters (the API process has threads,
which fork does not copy), started with subprocess rather than multiprocessing's spawn, whose
resource tracker process would outlive the API; they start on the first history, import only
the numpy engine, and ignore SIGINT, so Ctrl-C stops them through the API's shutdown, not
mid-diagnosis. BENCHMARKS.md, *Load*,
has the numbers.

Bounded twice, so it cannot take the API over: a history whose stored input is larger than
CONVDIAG_INLINE_HISTORY_MAX_BYTES goes to a worker (a diagnosis grows with the epochs: 7 ms
at 1,000 epochs), and so does every history that arrives while the pool already has
QUEUE_PER_PROCESS diagnoses per process running or waiting. Jobs with a callback_url go to a
worker too, which delivers their webhook. Should a child die (the kernel's OOM killer), or
not start, its history goes to a worker as well, and the next history starts a new child.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pickle
import signal
import socket
import struct
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar, cast

from convdiag.jobs import JobError
from convdiag.problems import INTERNAL_ERROR, INVALID_HISTORY, ProblemType
from diagnosis import Diagnosis, HistoryError
from diagnosis.engine import diagnose_runs
from diagnosis.formats import read_runs

log = logging.getLogger(__name__)

# Diagnoses running or waiting per process before more go to the queue: at ~2 ms each, the
# last one waits a few tens of milliseconds at most.
QUEUE_PER_PROCESS = 16
# Seconds a child has to exit once its socket is closed, before it is killed.
STOP_SECONDS = 5.0
# Every message is a pickle behind its length.
_LENGTH = struct.Struct("!I")

T = TypeVar("T")


def _serve(sock: socket.socket) -> None:
    """A child's loop: (work, payload) in, work(payload) out, until the API closes the socket.
    Should `work` raise, the child ends and the API hands that job to a worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with sock, sock.makefile("rb") as incoming:
        while header := incoming.read(_LENGTH.size):
            # Pickles from the API process only: the socket pair has no other end.
            work, payload = pickle.loads(incoming.read(_LENGTH.unpack(header)[0]))  # noqa: S301
            reply = pickle.dumps(work(payload))
            sock.sendall(_LENGTH.pack(len(reply)) + reply)


@dataclass
class _Child:
    process: subprocess.Popen[bytes]
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    def kill(self) -> None:
        self.writer.close()
        self.process.kill()
        self.process.wait()


class InlinePool:
    def __init__(self, processes: int, max_input_bytes: int) -> None:
        self.processes = processes
        self.max_input_bytes = max_input_bytes
        self.pending = 0  # only touched on the event loop
        self._idle: asyncio.Queue[_Child] | None = None
        self._children: list[_Child] = []
        self._missing = processes  # children to start: all at first, then each that died

    def takes(self, input_bytes: int) -> bool:
        return input_bytes <= self.max_input_bytes and self.pending < self.processes * QUEUE_PER_PROCESS

    async def _spawn(self) -> _Child:
        ours, theirs = socket.socketpair()
        with theirs:
            process = subprocess.Popen(
                [sys.executable, "-m", __name__, str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
            )
        reader, writer = await asyncio.open_connection(sock=ours)
        child = _Child(process, reader, writer)
        self._children.append(child)
        return child

    async def run(self, work: Callable[[bytes], T], payload: bytes) -> T | None:
        """`work(payload)` in an idle child (`work` a module-level function, sent by name);
        None when the child died meanwhile, for the caller to queue the job instead."""
        if self._idle is None:  # made on the event loop that uses it
            self._idle = asyncio.Queue()
        while self._missing:
            self._missing -= 1
            try:
                self._idle.put_nowait(await self._spawn())
            except OSError:
                self._missing += 1
                log.exception("could not start an inline diagnosis process; the history goes to a worker")
                return None
        self.pending += 1
        child = await self._idle.get()
        answered = False
        try:
            request = pickle.dumps((work, payload))
            child.writer.write(_LENGTH.pack(len(request)) + request)
            await child.writer.drain()
            (length,) = _LENGTH.unpack(await child.reader.readexactly(_LENGTH.size))
            reply = cast("T", pickle.loads(await child.reader.readexactly(length)))  # noqa: S301 - our child
            answered = True
            return reply
        except (asyncio.IncompleteReadError, ConnectionError):
            log.warning("an inline diagnosis process died; its history goes to a worker")
            return None
        finally:
            self.pending -= 1
            if answered:
                self._idle.put_nowait(child)
            else:  # died, or this request was cancelled halfway and its reply would be stray
                self._children.remove(child)
                child.kill()
                self._missing += 1

    async def close(self) -> None:
        """Close every child's socket, which ends its loop; kill those still there after
        STOP_SECONDS."""
        children, self._children = self._children, []
        self._idle, self._missing = None, self.processes
        for child in children:
            child.writer.close()
        for child in children:
            with contextlib.suppress(OSError):
                await child.writer.wait_closed()
            try:
                await asyncio.to_thread(child.process.wait, STOP_SECONDS)
            except subprocess.TimeoutExpired:
                child.kill()


def _error(kind: ProblemType, detail: str) -> JobError:
    return JobError(type=kind.uri, title=kind.title, detail=detail)


def diagnose_history(payload: bytes) -> Diagnosis | JobError:
    """The outcome a worker would record for this stored input (worker/tasks.py), computed
    from the same bytes."""
    try:
        return diagnose_runs(read_runs(payload))
    except HistoryError as exc:
        return _error(INVALID_HISTORY, str(exc))
    except Exception:
        log.exception("an inline history diagnosis crashed")
        return _error(INTERNAL_ERROR, "the job failed unexpectedly; the error is logged")


if __name__ == "__main__":  # a child started by InlinePool._spawn, given its socket's fd
    _serve(socket.socket(fileno=int(sys.argv[1])))
