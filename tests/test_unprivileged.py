"""testkit.unprivileged, which the containment test starts its worker through: the command runs
as the given user, with this interpreter, reaching what it was given through directories that
user may not enter, and nothing else there; the host's directories and modes stay as they were."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from testkit.unprivileged import interpreter_dirs, unprivileged_command

# A uid and gid that own nothing here but what the test hands them.
UID = 10001

REPORT = """
import json, os, sys
given, closed = sys.argv[1], os.path.dirname(sys.argv[1])
with open(os.path.join(given, "written"), "w") as out:
    out.write("x")
status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
print(json.dumps({
    "uids": os.getresuid(),
    "gids": os.getresgid(),
    "groups": os.getgroups(),
    "cap_eff": status["CapEff"].strip(),
    "version": sys.version,
    "base_prefix": sys.base_prefix,
    "closed": sorted(os.listdir(closed)),
}))
"""


def test_a_command_reaches_only_what_it_was_given(tmp_path: Path) -> None:
    closed = tmp_path / "closed"
    given, sibling = closed / "given", closed / "sibling"
    given.mkdir(parents=True)
    sibling.mkdir()
    closed.chmod(0o700)
    os.chown(given, UID, UID)
    argv = [sys.executable, "-I", "-c", REPORT, str(given)]
    done = subprocess.run(
        unprivileged_command(argv, UID, UID, [*interpreter_dirs(), given]),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["uids"] == seen["gids"] == [UID] * 3
    assert seen["groups"] == []
    assert int(seen["cap_eff"], 16) == 0
    assert (seen["version"], seen["base_prefix"]) == (sys.version, sys.base_prefix)
    assert seen["closed"] == ["given"]  # the sibling is hidden
    assert (given / "written").read_text() == "x"  # written to the real directory
    # The host's view: nothing covered, no mode changed.
    assert sorted(p.name for p in closed.iterdir()) == ["given", "sibling"]
    assert stat.S_IMODE(closed.stat().st_mode) == 0o700
