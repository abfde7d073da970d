"""The rule registry: every module in this package defines one `Rule` subclass.

A rule is registered by defining it (see `Rule.__init_subclass__`) and found by importing
this package, so adding a finding means adding one module here plus its test.
"""

from __future__ import annotations

import importlib
import pkgutil

from diagnosis.rules.base import REGISTRY, Rule

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base":
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["REGISTRY", "Rule"]
