"""Ctrl-C on a real ``charter plan`` process: the first keeps the best plan found so far and
writes --out, a second one aborts; neither shows a traceback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.portfolios import generate
from tests.support.subprocesses import ctrl_c_as_at_a_terminal


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A portfolio whose plan (strategy decompose, gap 0) runs for tens of seconds."""
    return generate(tmp_path_factory.mktemp("sigint") / "s", 200, 50, 12, 1)


def _start(folder: Path, out: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "charter", "plan", str(folder), "--strategy", "decompose"]
    command += ["--gap", "0", "--time-limit", "120", "--progress", "--out", str(out)]
    return subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        preexec_fn=ctrl_c_as_at_a_terminal,
    )


def _wait_for(proc: subprocess.Popen[str], words: str) -> list[str]:
    """The --progress lines on stderr up to the first with ``words`` in it."""
    assert proc.stderr is not None
    seen: list[str] = []
    for line in proc.stderr:
        seen.append(line)
        if words in line:
            return seen
    raise AssertionError(f"the plan ended before {words!r}: {''.join(seen)}")


def _finish(proc: subprocess.Popen[str]) -> tuple[str, str]:
    try:
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return stdout, stderr


def test_ctrl_c_keeps_the_best_plan_and_writes_it(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    proc = _start(folder, out)
    began = time.perf_counter()
    _wait_for(proc, ": a plan at")  # the rounding has a plan: Ctrl-C must keep one
    time.sleep(1)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = _finish(proc)
    assert time.perf_counter() - began < 60  # it stopped, well before the time limit
    text = " ".join((stdout + stderr).split())
    assert proc.returncode == 0, text
    assert "plan: feasible" in text
    assert "stopped by Ctrl-C: the best plan found so far" in text
    assert "Traceback" not in text
    rows = json.loads(out.read_text())["placements"]
    assert rows and f"wrote {len(rows)} placements to" in text


def test_a_second_ctrl_c_aborts_cleanly(folder: Path, tmp_path: Path) -> None:
    proc = _start(folder, tmp_path / "plan.json")
    _wait_for(proc, "relaxation:")  # the first stage of decompose
    proc.send_signal(signal.SIGINT)
    # after the first Ctrl-C the plan stops within a fraction of a second: press again until
    # the process ends (Ctrl-Cs too close together reach it as one signal)
    stopped = time.perf_counter() + 30
    while proc.poll() is None and time.perf_counter() < stopped:
        time.sleep(0.05)
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
    stdout, stderr = _finish(proc)
    assert proc.returncode == 130, stdout + stderr
    assert "interrupted" in stderr
    assert "Traceback" not in stdout + stderr
