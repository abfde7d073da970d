"""Write openapi/openapi.json from the app. `make openapi` runs it; a test fails on drift."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from convdiag.settings import Settings
from service.main import create_app

TARGET = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"


def render() -> str:
    # The schema does not depend on settings; a throwaway data dir keeps this side-effect free.
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(Settings(redis_url=None, data_dir=Path(data_dir)))
        return json.dumps(app.openapi(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    TARGET.write_text(render())
    print(f"wrote {TARGET}", file=sys.stderr)
