"""Start a command as an unprivileged user where this interpreter lives under a directory only
root may enter (on this machine pyenv's Python is under /root, mode 0700), without changing a
permission on the host.

`unprivileged_command(argv, uid, gid, reach)` wraps `argv` so that it runs

1. in a private mount namespace (util-linux `unshare --mount --propagation private`): what is
   mounted there is seen by no other process and goes away with the command;
2. where `uid` can walk to every directory in `reach`: each closed directory above one (/root)
   gets an empty tmpfs (mode 0755) mounted over it, and only the directories in `reach` are
   bound back into it, at their own paths. The command sees this interpreter at the path it
   was built for (its libpython is found through its RPATH, not Debian's), and nothing else
   of /root;
3. as `uid` and `gid`, with no supplementary groups and no capabilities, inheritable and
   bounding sets emptied too, and no_new_privs set, so no setuid binary brings root back
   (util-linux `setpriv`).

Step 2 is this file run as a script, as root inside the namespace, by this interpreter in
isolated mode (standard library only). Each step execs the next, so the command keeps the pid
that the caller's Popen has. A user namespace (bwrap's, say) can still be made from there: it
needs no privilege where the kernel allows unprivileged user namespaces, as this one does.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import stat
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

# <sys/mount.h>
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_BIND = 0x1000
MS_REC = 0x4000


def interpreter_dirs() -> list[Path]:
    """What this interpreter runs from: its venv and the installation that venv points at."""
    return sorted({Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()})


def unprivileged_command(argv: Sequence[str], uid: int, gid: int, reach: Iterable[Path]) -> list[str]:
    """`argv` as `uid`:`gid`, able to reach each directory of `reach` (see the module's doc)."""
    unshare, setpriv = shutil.which("unshare"), shutil.which("setpriv")
    assert unshare, "unshare (util-linux) is not installed"
    assert setpriv, "setpriv (util-linux) is not installed"
    directories = sorted({str(Path(path).resolve()) for path in reach})
    return [
        unshare,
        "--mount",
        "--propagation",
        "private",
        "--",
        sys.executable,
        "-I",
        __file__,
        "--uid",
        str(uid),
        "--gid",
        str(gid),
        *(f"--reach={directory}" for directory in directories),
        "--",
        setpriv,
        f"--reuid={uid}",
        f"--regid={gid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--no-new-privs",
        "--",
        *argv,
    ]


def _closed(directory: Path, uid: int, gid: int) -> bool:
    """Whether `uid` (in `gid` alone) may not search `directory`, by its mode bits. ACLs are not
    read: a directory that one opens to `uid` gets mounted over all the same, which is harmless."""
    info = directory.stat()
    if info.st_uid == uid:
        bit = stat.S_IXUSR
    elif info.st_gid == gid:
        bit = stat.S_IXGRP
    else:
        bit = stat.S_IXOTH
    return not info.st_mode & bit


def _first_closed(path: Path, uid: int, gid: int) -> Path | None:
    """The closed directory nearest the root on the way to `path`, if any."""
    return next((parent for parent in reversed(path.parents) if _closed(parent, uid, gid)), None)


def _mount(source: str, target: Path, fstype: str | None, flags: int, data: str | None = None) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    encoded = [None if value is None else value.encode() for value in (source, str(target), fstype, data)]
    if libc.mount(encoded[0], encoded[1], encoded[2], flags, encoded[3]) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"mount {source} on {target}: {os.strerror(error)}")


def open_up(reach: Sequence[Path], uid: int, gid: int) -> None:
    """Make every directory in `reach` reachable by `uid` in this (private) mount namespace."""
    blocked = {path: closed for path in reach if (closed := _first_closed(path, uid, gid))}
    # Held open before anything covers them; a bind from /proc/self/fd/N mounts the directory
    # the descriptor holds, wherever it now is hidden.
    handles = {path: os.open(path, os.O_PATH | os.O_DIRECTORY) for path in blocked}
    for closed in sorted(set(blocked.values())):
        _mount("tmpfs", closed, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755")
    for path in sorted(blocked):  # a directory before the ones inside it
        path.mkdir(mode=0o755, parents=True, exist_ok=True)
        _mount(f"/proc/self/fd/{handles[path]}", path, None, MS_BIND | MS_REC)
        os.close(handles[path])
    # One round opens what is closed above each directory; one closed again between two of
    # them (a closed directory inside another directory of `reach`) would need another.
    still = [str(path) for path in reach if _first_closed(path, uid, gid)]
    if still:
        raise OSError(f"still out of reach of uid {uid}: {', '.join(still)}")


def main(args: Sequence[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--uid", type=int, required=True)
    parser.add_argument("--gid", type=int, required=True)
    parser.add_argument("--reach", type=Path, action="append", default=[])
    parser.add_argument("command", nargs=argparse.REMAINDER)
    options = parser.parse_args(args)
    command = options.command[1:] if options.command[:1] == ["--"] else options.command
    open_up(options.reach, options.uid, options.gid)
    os.execv(command[0], command)  # noqa: S606 - the caller's own argv (setpriv's), as given


if __name__ == "__main__":
    main(sys.argv[1:])
