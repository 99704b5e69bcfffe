"""Real services the tests need (PostgreSQL, Redis, LibreOffice, poppler): a missing one skips a test on a
developer's machine, and fails it where DVCTT_REQUIRE_SERVICES=1 (CI sets it in `.ci/run`)."""

from __future__ import annotations

import os
import shutil
from typing import NoReturn

import pytest

REQUIRE_ENV = "DVCTT_REQUIRE_SERVICES"


def unavailable(reason: str) -> NoReturn:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1: a missing service is a failure, not a skip)")
    pytest.skip(reason)


def print_tools() -> str:
    """The path of LibreOffice's `soffice`, once it and poppler's `pdftotext` are both there: the print tests
    convert with the one and read the PDF back with the other (.ci/run installs both)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        unavailable("LibreOffice is not installed (no `soffice` on PATH); .ci/run installs it")
    if shutil.which("pdftotext") is None:
        unavailable("pdftotext is not installed (poppler-utils); .ci/run installs it")
    return soffice
