"""The bundle sandbox: every bundle's probes run in a fresh child process that this module
starts, watches and kills, so nothing a hostile model does outlives its job or reaches the
worker, the job store or another tenant's bundle. The worker (`probe_bundle`) and `convdiag
probe` both use it; neither ever probes a bundle in its own process.

What it is made of, and why:

- **bubblewrap** (Debian's `bubblewrap`, the sandbox Flatpak is built on) runs the child in
  new user, pid, network, ipc, uts and cgroup namespaces (`--unshare-all`), as uid 65534 with
  every capability dropped, on an empty root where only what Python and TensorFlow need is
  bound read-only (the interpreter, the venv, our two packages, /usr and the loader's cache).
  The job's own directory is the one writable place (a size-capped tmpfs is /tmp), and
  KERAS_HOME, MPLCONFIGDIR, TMPDIR and HOME all point into it, so a `plot_image_gallery(path=)`
  or a Keras cache write lands there and is deleted with the job. The environment is cleared
  (no Redis URL, no password); the new pid namespace means /proc shows only the sandbox, never
  the worker's environ; the new network namespace has no route anywhere. `--die-with-parent`
  and the pid namespace mean that killing bubblewrap kills everything inside. nsjail does the
  same but is not packaged for Debian 12; Landlock alone hides no processes and no network;
  cgroups need a delegated hierarchy that neither a container nor a plain worker has.
- **seccomp** (libseccomp through PyPI's `pyseccomp`, compiled here into BPF for bwrap's
  `--seccomp`) refuses new processes: fork, vfork and a clone without CLONE_THREAD fail with
  EPERM, clone3 with ENOSYS so that glibc falls back to clone, whose flags a filter can read.
  TensorFlow's thread pools still start, which RLIMIT_NPROC (it counts threads) would break.
  The same filter refuses ptrace, signals to any process but the child itself, namespace and
  mount calls, io_uring, bpf and perf. A second filter that the child loads once Python runs
  (and before any bundle byte is read) refuses execve: bwrap itself must exec Python.
- **rlimits** set by util-linux's `prlimit` before bwrap starts: RLIMIT_DATA caps the heap
  and private mappings (RLIMIT_AS is useless: TensorFlow reserves far more address space than
  it touches), RLIMIT_CPU the CPU time, RLIMIT_NOFILE the open files and RLIMIT_FSIZE the size
  of any file written. An **RSS watchdog** here reads the sandbox's resident size every tick
  and kills it past the same memory limit, for what RLIMIT_DATA does not count (file-backed
  pages, a tmpfs). The loader also reads array shapes from their headers before loading.

A fresh Python is exec'd per job rather than forked from a warm parent: importing TensorFlow
takes about 3 s, but a fork of a process that ever imported it shares its thread and allocator
state, and the exec keeps the sandbox's start (bwrap up, Python running, filters loaded) at a
fraction of a second before that import (BENCHMARKS.md).

The child reports over a pipe, one JSON object a line: `started` once its filters are loaded,
then progress, then one outcome. Hostile code runs in the child and can write to that pipe
too; it can only lie about its own bundle's diagnosis, and the parent bounds what it reads.

It fails closed: without bwrap, without libseccomp, or when the namespaces cannot be made
(Docker's default seccomp profile blocks them), `SandboxUnavailable` is raised and the bundle
is refused, never probed unprotected.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

Progress = Callable[[float, str], None]

# The uid and gid the sandbox runs as inside its user namespace: nobody.
SANDBOX_ID = 65534
# Where things are inside the sandbox.
JOB_DIR = "/job"
BUNDLE_PATH = "/input/bundle.zip"
# The sandbox's /tmp is a tmpfs (memory); TMPDIR points at the job's directory instead, so this
# only has to hold what ignores TMPDIR.
TMPFS_BYTES = 16 * 1024 * 1024
# The child's pid inside its pid namespace (bwrap's init is 1): the one pid it may signal.
CHILD_PID = 2
# RLIMIT_DATA sits this far above the memory limit that the RSS watchdog enforces. The
# watchdog sees memory as it is touched and names the limit; the rlimit is the backstop that
# fails at once an allocation no poll could catch in time (a 4 GB bytearray), with room for a
# process that allocates faster than one watchdog tick.
DATA_HEADROOM = 1.5
# How often the watchdog reads the sandbox's memory and the job's state.
TICK_SECONDS = 0.2
STOP_CHECK_SECONDS = 0.5
# The most the parent keeps of what the child writes: a diagnosis is kilobytes, and the
# child's stderr (TensorFlow's chatter, a traceback) is only kept for the log.
MAX_REPORT_BYTES = 16 * 1024 * 1024
STDERR_TAIL_BYTES = 64 * 1024
# The child must say `started` within this long, or the sandbox is taken as broken.
START_TIMEOUT_SECONDS = 30.0
# A disk-filling job (many files, each under RLIMIT_FSIZE) is stopped at this many times the
# unpacked-bundle cap; the unpacked files are the largest thing a probe writes.
DISK_FACTOR = 2
# Read-only binds everything the interpreter and TensorFlow load from (the dynamic loader's
# cache, /usr and the merged-/usr links); nothing else of the host's /etc or /home is visible.
SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/etc/ld.so.cache", "/etc/ld.so.conf")
# What the child's environment holds: nothing of the worker's (no Redis URL, no keys).
CLONE_THREAD = 0x00010000
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
# Calls no probe needs that reach outside the sandbox or widen it.
DENIED_SYSCALLS = (
    "fork",
    "vfork",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kcmp",
    "pidfd_open",
    "pidfd_getfd",
    "pidfd_send_signal",
    "tkill",
    "unshare",
    "setns",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "keyctl",
    "add_key",
    "request_key",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
)
# Signals: only to the child's own pid (a negative or zero pid is a group, -1 is everyone).
SIGNAL_SYSCALLS = ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")
# Denied by the second filter, which the child loads after its own exec.
EXEC_SYSCALLS = ("execve", "execveat")
# Signals the kernel sends for a limit: the one named in the job's problem.
LIMIT_SIGNALS = {signal.SIGXCPU: "CPU time", signal.SIGXFSZ: "file size"}


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot be set up here: bundles are refused, never probed unprotected."""


class SandboxStopped(RuntimeError):
    """The job was cancelled while its sandbox ran; the sandbox is gone."""


class LimitExceeded(RuntimeError):
    """The sandbox went past a limit and was stopped; `limit` names which."""

    def __init__(self, limit: str, detail: str) -> None:
        super().__init__(detail)
        self.limit = limit


class BundleRefused(ValueError):
    """The bundle cannot be used (the loader's message, from inside the sandbox)."""


class SandboxCrashed(RuntimeError):
    """The probes failed in a way that names no limit and no fault of the bundle."""


@dataclass(frozen=True)
class SandboxLimits:
    memory_bytes: int
    cpu_seconds: int
    open_files: int
    # The loader's limits, passed on to it inside the sandbox.
    max_unpacked_bytes: int
    max_array_bytes: int
    trust_model: bool = False

    @classmethod
    def from_settings(cls, settings: Any) -> SandboxLimits:
        return cls(
            memory_bytes=settings.sandbox_memory_mb * 1024 * 1024,
            cpu_seconds=settings.sandbox_cpu_seconds,
            open_files=settings.sandbox_open_files,
            max_unpacked_bytes=settings.max_unpacked_bytes,
            max_array_bytes=settings.max_array_bytes,
            trust_model=settings.unsafe_model_loading,
        )

    @property
    def file_bytes(self) -> int:
        # The largest file a probe writes is one unpacked member.
        return self.max_unpacked_bytes + 1024 * 1024


def _filters() -> tuple[bytes, bytes]:
    """The two seccomp programs as BPF: (loaded by bwrap before exec, loaded by the child)."""
    try:
        import pyseccomp as seccomp
    except (ImportError, RuntimeError) as exc:  # RuntimeError: libseccomp.so is missing
        raise SandboxUnavailable(f"libseccomp cannot be loaded: {exc}") from None
    eperm = seccomp.ERRNO(1)
    first = seccomp.SyscallFilter(seccomp.ALLOW)
    for name in DENIED_SYSCALLS:
        first.add_rule(eperm, name)
    first.add_rule(eperm, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0))
    first.add_rule(seccomp.ERRNO(38), "clone3")  # ENOSYS: glibc falls back to clone
    for name in SIGNAL_SYSCALLS:
        first.add_rule(eperm, name, seccomp.Arg(0, seccomp.NE, CHILD_PID))
    second = seccomp.SyscallFilter(seccomp.ALLOW)
    for name in EXEC_SYSCALLS:
        second.add_rule(eperm, name)
    programs = []
    for program in (first, second):
        with tempfile.TemporaryFile() as out:
            program.export_bpf(out)
            out.seek(0)
            programs.append(out.read())
    return programs[0], programs[1]


def _bwrap() -> str:
    path = shutil.which("bwrap")
    if path is None:
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed (Debian's package `bubblewrap`)")
    prlimit = shutil.which("prlimit")
    if prlimit is None:
        raise SandboxUnavailable("prlimit (util-linux) is not installed")
    return path


def _code_roots() -> list[Path]:
    """The directories our packages import from (a source checkout or site-packages)."""
    import diagnosis

    return [Path(__file__).resolve().parent, Path(diagnosis.__file__).resolve().parent]


def _interpreter() -> tuple[Path, list[Path]]:
    """The Python to run inside and the directories it needs: the venv and its base install."""
    prefix = Path(sys.prefix).resolve()
    python = prefix / "bin" / Path(sys.executable).name
    needs = {prefix, Path(sys.base_prefix).resolve(), Path(sys.executable).resolve().parent}
    return python, sorted(needs)


def _binds(bundle: Path, job_dir: Path) -> list[str]:
    args: list[str] = []
    for system in SYSTEM_PATHS:
        path = Path(system)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), system]
        elif path.exists():
            args += ["--ro-bind", system, system]
    _, python_dirs = _interpreter()
    for directory in [*python_dirs, *_code_roots()]:
        if not str(directory).startswith(("/usr/", "/lib")):
            args += ["--ro-bind", str(directory), str(directory)]
    # A GPU worker's devices; nothing else of the host's /dev.
    for device in sorted(Path("/dev").glob("nvidia*")):
        args += ["--dev-bind", str(device), str(device)]
    return [
        *args,
        "--ro-bind",
        str(bundle),
        BUNDLE_PATH,
        "--bind",
        str(job_dir),
        JOB_DIR,
    ]


def _environment() -> dict[str, str]:
    code_parents = sorted({str(root.parent) for root in _code_roots()})
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": JOB_DIR,
        "TMPDIR": f"{JOB_DIR}/tmp",  # noqa: S108 - the job's own directory, inside the sandbox
        "KERAS_HOME": f"{JOB_DIR}/keras",
        "MPLCONFIGDIR": f"{JOB_DIR}/matplotlib",
        "PYTHONPATH": ":".join(code_parents),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "LANG": "C.UTF-8",
    }


def command(
    bundle: Path, job_dir: Path, limits: SandboxLimits, seccomp_fd: int, report_fd: int, exec_filter: bytes
) -> list[str]:
    """prlimit, then bwrap, then a fresh Python running `child_main` on the bundle."""
    python, _ = _interpreter()
    env: list[str] = []
    for name, value in _environment().items():
        env += ["--setenv", name, value]
    rlimits = [
        f"--data={int(limits.memory_bytes * DATA_HEADROOM)}",
        f"--cpu={limits.cpu_seconds}:{limits.cpu_seconds + 5}",
        f"--nofile={limits.open_files}",
        f"--fsize={limits.file_bytes}",
        "--core=0",
    ]
    spec = {
        "report_fd": report_fd,
        "exec_filter": exec_filter.hex(),
        "limits": asdict(limits),
    }
    return [
        shutil.which("prlimit") or "prlimit",
        *rlimits,
        "--",
        _bwrap(),
        "--unshare-all",
        "--unshare-user",
        "--uid",
        str(SANDBOX_ID),
        "--gid",
        str(SANDBOX_ID),
        "--cap-drop",
        "ALL",
        "--die-with-parent",
        "--new-session",
        "--hostname",
        "sandbox",
        "--clearenv",
        *env,
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--size",
        str(TMPFS_BYTES),
        "--tmpfs",
        "/tmp",  # noqa: S108 - the sandbox's own, empty, size-capped tmpfs
        *_binds(bundle, job_dir),
        "--chdir",
        JOB_DIR,
        "--seccomp",
        str(seccomp_fd),
        "--",
        str(python),
        "-s",
        "-m",
        "convdiag.sandbox",
        json.dumps(spec),
    ]


def _descendants(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{current}/task"):
                with contextlib.suppress(OSError):
                    children = Path(f"/proc/{current}/task/{task}/children").read_text().split()
                    queue.extend(int(child) for child in children)
    return found


def _usage(pid: int) -> tuple[int, float]:
    """Resident bytes and CPU seconds of the sandbox's processes, from /proc."""
    rss, ticks = 0, 0
    for process in _descendants(pid):
        with contextlib.suppress(OSError, ValueError, IndexError):
            for line in Path(f"/proc/{process}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1]) * 1024
            # /proc/PID/stat after the command's closing parenthesis: utime and stime are
            # the 12th and 13th fields.
            fields = Path(f"/proc/{process}/stat").read_text().rpartition(")")[2].split()
            ticks += int(fields[11]) + int(fields[12])
    return rss, ticks / os.sysconf("SC_CLK_TCK")


def _disk_bytes(directory: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(directory):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
    return total


@contextlib.contextmanager
def _job_directory() -> Iterator[Path]:
    directory = Path(tempfile.mkdtemp(prefix="convdiag-sandbox-"))
    try:
        for sub in ("tmp", "keras", "matplotlib"):
            (directory / sub).mkdir()
        # The sandbox's uid is the worker's on the host (bwrap maps nobody to it), so the
        # directory needs no other owner; nobody else may look in.
        directory.chmod(0o700)
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


class _Watch:
    """What the parent learns from the child while it runs."""

    def __init__(self) -> None:
        self.buffer = b""
        self.received = 0
        self.started = False
        self.outcome: dict[str, Any] | None = None
        self.stderr = b""

    def feed(self, data: bytes, progress: Progress) -> None:
        self.received += len(data)
        self.buffer += data
        while b"\n" in self.buffer:
            line, _, self.buffer = self.buffer.partition(b"\n")
            try:
                message = json.loads(line)
            except ValueError:
                continue  # not ours: hostile code writing to the pipe gets nothing from it
            if not isinstance(message, dict):
                continue
            if message.get("started"):
                self.started = True
            elif "progress" in message:
                with contextlib.suppress(TypeError, ValueError):
                    progress(float(message["progress"]), str(message.get("stage", ""))[:40])
            elif "outcome" in message:
                self.outcome = message


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL bwrap: its init gets SIGKILL too (--die-with-parent), and the kernel kills every
    process of a pid namespace whose init dies."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def run(
    bundle: Path,
    limits: SandboxLimits,
    progress: Progress = lambda _f, _s: None,
    should_stop: Callable[[], bool] = lambda: False,
    log: Callable[[str], None] = lambda _m: None,
) -> dict[str, Any]:
    """Probe `bundle` in a fresh sandbox and return the Diagnosis as JSON. Raises
    BundleRefused, LimitExceeded, SandboxStopped, SandboxCrashed or SandboxUnavailable; in
    every case the sandbox and its directory are gone when this returns."""
    first_filter, exec_filter = _filters()
    _bwrap()
    with _job_directory() as job_dir, tempfile.TemporaryFile() as seccomp_file:
        seccomp_file.write(first_filter)
        seccomp_file.seek(0)
        report_read, report_write = os.pipe()
        seccomp_fd = seccomp_file.fileno()
        argv = command(bundle.resolve(), job_dir, limits, seccomp_fd, report_write, exec_filter)
        try:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                pass_fds=(seccomp_fd, report_write),
                env={"PATH": "/usr/bin:/bin"},
                start_new_session=True,
            )
        except OSError as exc:
            os.close(report_read)
            raise SandboxUnavailable(f"the sandbox cannot be started: {exc}") from None
        finally:
            os.close(report_write)
        try:
            return _watch(proc, report_read, job_dir, limits, progress, should_stop, log)
        finally:
            if proc.poll() is None:
                _kill(proc)
            os.close(report_read)


def _watch(
    proc: subprocess.Popen[bytes],
    report_fd: int,
    job_dir: Path,
    limits: SandboxLimits,
    progress: Progress,
    should_stop: Callable[[], bool],
    log: Callable[[str], None],
) -> dict[str, Any]:
    assert proc.stderr is not None
    watch = _Watch()
    selector = selectors.DefaultSelector()
    selector.register(report_fd, selectors.EVENT_READ, "report")
    selector.register(proc.stderr, selectors.EVENT_READ, "stderr")
    open_streams = 2
    started_at = time.monotonic()
    next_stop_check = next_disk_check = started_at
    memory_peak, cpu = 0, 0.0

    def stop(limit: str | None, detail: str) -> None:
        _kill(proc)
        if limit is None:
            raise SandboxStopped(detail)
        raise LimitExceeded(limit, detail)

    while open_streams:
        for key, _ in selector.select(TICK_SECONDS):
            fd = key.fd if key.data == "report" else proc.stderr.fileno()
            data = os.read(fd, 1 << 16)
            if not data:
                selector.unregister(key.fileobj)
                open_streams -= 1
            elif key.data == "report":
                watch.feed(data, progress)
            else:
                watch.stderr = (watch.stderr + data)[-STDERR_TAIL_BYTES:]
        now = time.monotonic()
        if watch.received > MAX_REPORT_BYTES:
            stop("output", f"output limit: the probes wrote more than {MAX_REPORT_BYTES} bytes of report")
        rss, cpu_seconds = _usage(proc.pid)
        memory_peak, cpu = max(memory_peak, rss), max(cpu, cpu_seconds)
        if rss > limits.memory_bytes:
            stop(
                "memory",
                f"memory limit: the probes used {rss / 1024**2:.0f} MB, more than the "
                f"{limits.memory_bytes / 1024**2:.0f} MB a bundle may use",
            )
        if now >= next_disk_check:
            next_disk_check = now + 1.0
            disk_cap = DISK_FACTOR * limits.max_unpacked_bytes
            if _disk_bytes(job_dir) > disk_cap:
                stop("disk", f"disk limit: the probes wrote more than {disk_cap} bytes")
        if now >= next_stop_check:
            next_stop_check = now + STOP_CHECK_SECONDS
            if should_stop():
                stop(None, "the job was cancelled")
        if not watch.started and now - started_at > START_TIMEOUT_SECONDS:
            _kill(proc)
            raise SandboxUnavailable(f"the sandbox did not start within {START_TIMEOUT_SECONDS:.0f} s")
    status = proc.wait()
    log(
        f"sandbox exited {status} after {now - started_at:.1f} s, at least {cpu:.1f} CPU-s; "
        f"peak resident memory {memory_peak / 1024**2:.0f} MB"
    )
    return _outcome(watch, status, limits, log)


def _outcome(watch: _Watch, status: int, limits: SandboxLimits, log: Callable[[str], None]) -> dict[str, Any]:
    stderr = watch.stderr.decode("utf-8", "replace")
    if not watch.started:
        # bwrap says why on its stderr ("bwrap: setting up uid map: Permission denied").
        reason = next((line for line in stderr.splitlines() if line.startswith("bwrap:")), "")
        log(f"sandbox failed to start (exit {status}): {stderr[-2000:]}")
        raise SandboxUnavailable(f"the bundle sandbox cannot be set up here{': ' + reason if reason else ''}")
    outcome = watch.outcome
    if outcome is not None and status == 0:
        kind = outcome.get("outcome")
        detail = str(outcome.get("detail", ""))
        if kind == "diagnosis" and isinstance(outcome.get("diagnosis"), dict):
            return outcome["diagnosis"]
        if kind == "refused":
            raise BundleRefused(detail)
        if kind == "limit":
            raise LimitExceeded(str(outcome.get("limit", "memory")), detail)
    log(f"sandbox ended with status {status}: {stderr[-4000:]}")
    # bwrap exits 128 + the signal that ended the child.
    signum = status - 128 if status > 128 else None
    if signum in LIMIT_SIGNALS:
        limit = LIMIT_SIGNALS[signal.Signals(signum)]
        amount = f"{limits.cpu_seconds} s" if limit == "CPU time" else f"{limits.file_bytes} bytes"
        raise LimitExceeded(limit, f"{limit} limit: the probes went past {amount}")
    if signum == signal.SIGKILL:
        # Nobody here killed it, so the kernel did: the hard CPU limit or the OOM killer.
        raise LimitExceeded("CPU time or memory", "the probes were killed for going past a limit")
    raise SandboxCrashed(f"the probes stopped unexpectedly (exit status {status})")


# --- inside the sandbox ---------------------------------------------------------------------


def _load_exec_filter(program: bytes) -> None:
    """Install the second seccomp filter with prctl: libseccomp itself cannot be asked here
    (finding its library would fork ldconfig), and the BPF was compiled outside."""

    class SockFprog(ctypes.Structure):
        _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.c_void_p))

    libc = ctypes.CDLL(None, use_errno=True)
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = SockFprog(len(program) // 8, ctypes.addressof(buffer))
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or libc.prctl(
        PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0
    ):
        raise OSError(ctypes.get_errno(), "cannot load the exec filter")


def child_main(spec: dict[str, Any]) -> None:
    _load_exec_filter(bytes.fromhex(spec["exec_filter"]))
    report = os.fdopen(spec["report_fd"], "w", buffering=1, encoding="utf-8")

    def send(message: dict[str, Any]) -> None:
        report.write(json.dumps(message) + "\n")

    send({"started": True})
    limits = SandboxLimits(**spec["limits"])
    # The engine loads here, inside, after the filters: nothing of the bundle has been read yet.
    from diagnosis.probes.loader import BundleError, LimitError, Limits
    from diagnosis.probes.run import probe_bundle

    loader_limits = Limits(
        max_unpacked_bytes=limits.max_unpacked_bytes,
        max_array_bytes=limits.max_array_bytes,
        trust_model=limits.trust_model,
    )
    megabytes = limits.memory_bytes / 1024**2
    memory = f"memory limit: the probes needed more than the {megabytes:.0f} MB a bundle may use"
    try:
        result = probe_bundle(
            Path(BUNDLE_PATH), loader_limits, lambda f, s: send({"progress": f, "stage": s})
        )
    except LimitError as exc:
        send({"outcome": "limit", "limit": exc.limit, "detail": str(exc)})
    except BundleError as exc:
        send({"outcome": "refused", "detail": str(exc)})
    except MemoryError:
        send({"outcome": "limit", "limit": "memory", "detail": memory})
    except Exception as exc:
        if type(exc).__name__ == "ResourceExhaustedError":  # TensorFlow's allocator hit RLIMIT_DATA
            send({"outcome": "limit", "limit": "memory", "detail": memory})
        else:
            raise  # the traceback goes to stderr, which the worker logs
    else:
        send({"outcome": "diagnosis", "diagnosis": result.model_dump(mode="json")})
    report.close()
    # Skip TensorFlow's teardown: the sandbox is thrown away with everything in it.
    os._exit(0)


if __name__ == "__main__":
    child_main(json.loads(sys.argv[1]))
