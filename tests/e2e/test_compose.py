"""docker-compose.yaml built and run for real, as `make compose-test` does it (podman, the stand-in images built
here), so every CI run proves the production stack: it needs root (rootful podman), as `.ci/run` has."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.support import REPO
from tests.support.services import unavailable


@pytest.mark.timeout(50 * 60)  # an image build from PyPI: well over the suite's 15-minute default
def test_the_compose_stack_builds_runs_and_takes_in_a_dropped_file() -> None:
    if os.geteuid() != 0:
        unavailable("the compose stack needs root (rootful podman): run `make compose-test` as root")
    done = subprocess.run(["bash", "deploy/compose-test.sh"], cwd=REPO, capture_output=True, text=True,
                          timeout=45 * 60, check=False)
    print(done.stdout, done.stderr, sep="\n")  # the whole account under "Captured stdout" when a check fails
    failed = [line for line in done.stdout.splitlines() if " FAIL " in line]
    assert done.returncode == 0, (failed, done.stderr[-6000:])
    assert "compose-test passed" in done.stdout
    assert " FAIL " not in done.stdout
