"""What must happen before Great Expectations is imported, so that importing it is quiet and quick.

Importing GX reads its analytics switches and logs INFO lines that clerks and IT need not read.
It also imports every expectation it ships; the distributional ones import `scipy.stats` and
`altair` at module level (half of GX's 2–4 s import) for functions our suite never calls. Those
two are registered as stand-ins that import the real module on first use, so nothing changes if
anything ever uses them. (`importlib.util.LazyLoader` cannot do it on Python 3.11: the import
system reads `__spec__` of a module already in sys.modules, and that read loads it.)
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import sys
import types
from typing import Any

DEFERRED = ("scipy.stats", "altair")


class DeferredModule(types.ModuleType):
    """A module that imports the real one the first time an attribute it lacks is asked for."""

    def __getattr__(self, attr: str) -> Any:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        real = importlib.import_module(self.__name__)
        self.__dict__.update(real.__dict__)
        return getattr(real, attr)


def defer_import(name: str) -> None:
    """Register a stand-in for `name` (not yet imported) in sys.modules."""
    if name in sys.modules or (spec := importlib.util.find_spec(name)) is None:
        return
    module = DeferredModule(name)
    module.__spec__ = spec
    sys.modules[name] = module


def prepare_gx_import() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("GE_USAGE_STATISTICS_ENABLED", "False")
    for name in ("great_expectations", "great_expectations._docs_decorators"):
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in DEFERRED:
        defer_import(name)
