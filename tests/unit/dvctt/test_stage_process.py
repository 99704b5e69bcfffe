"""`dvctt run`'s stages run in fresh processes: results come back, and so do failures, readable or as raised."""

from __future__ import annotations

import os
from functools import partial

import pytest

from core.errors import UserError
from dvctt.stage_process import in_fresh_process


class Unpicklable(Exception):
    """Like some library errors: its constructor does not take what pickling gives back."""

    def __init__(self, code: int, text: str):
        super().__init__(text)
        self.code = code


def _describe(exc: BaseException) -> str | None:
    return f"Lỗi đã biết: {exc}" if isinstance(exc, Unpicklable) else None


def _pid() -> int:
    return os.getpid()


RAISED = {  # built in the child: an Unpicklable could not even be sent there
    "described": lambda: Unpicklable(7, "tệp hỏng"),
    "bug": lambda: ValueError("lỗi lập trình"),
    "os": lambda: FileNotFoundError(2, "Không có", "a.xlsx"),
}


def _fail(kind: str) -> None:
    raise RAISED[kind]()


def test_a_stage_runs_in_another_process_and_its_result_comes_back() -> None:
    assert in_fresh_process(_pid, _describe) != os.getpid()


@pytest.mark.parametrize(("raised", "expected_type", "expected_text"), [
    ("described", UserError, "Lỗi đã biết: tệp hỏng"),  # the user's message, whatever the type
    ("bug", ValueError, "lỗi lập trình"),  # not described: as raised
    ("os", FileNotFoundError, "a.xlsx"),  # not described (as dvctt.cli does for an OSError): as raised
])
def test_a_failure_comes_back_readable_or_as_raised(raised: str, expected_type: type, expected_text: str) -> None:
    with pytest.raises(expected_type, match=expected_text):
        in_fresh_process(partial(_fail, raised), _describe)
