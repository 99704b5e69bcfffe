"""Real services the tests need (PostgreSQL, Redis, LibreOffice, poppler): a missing one skips a test on a
developer's machine, and fails it where DVCTT_REQUIRE_SERVICES=1 (CI sets it in `.ci/run`)."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

REQUIRE_ENV = "DVCTT_REQUIRE_SERVICES"


def unavailable(reason: str) -> NoReturn:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1: a missing service is a failure, not a skip)")
    pytest.skip(reason)
