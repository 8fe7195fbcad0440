"""The pytest plugin as a user's project meets it: a sample project (``sample/``) whose
tests use only the installed plugin's fixtures and a seed file, run by pytester in a
subprocess, alone and under pytest-xdist; the servers it starts all stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SAMPLE = Path(__file__).parent / "sample"

pytestmark = pytest.mark.slow


def _project(pytester: pytest.Pytester) -> Path:
    for name in ("seed.yaml", "pytest.ini"):
        (pytester.path / name).write_text((SAMPLE / name).read_text("utf-8"), "utf-8")
    conftest = (SAMPLE / "project_conftest.py").read_text("utf-8")
    (pytester.path / "conftest.py").write_text(conftest, "utf-8")
    tests = (SAMPLE / "project_test_users.py").read_text("utf-8")
    (pytester.path / "test_users.py").write_text(tests, "utf-8")
    return pytester.path


def _gone(pid: int, within: float = 15.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def _records(path: Path) -> set[tuple[str, int, str]]:
    lines = path.read_text("utf-8").split()
    return {(w, int(p), u) for w, p, u in zip(lines[::3], lines[1::3], lines[2::3], strict=True)}


def test_sample_project_passes_with_state_reset_between_tests(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = _project(pytester) / "servers.txt"
    monkeypatch.setenv("SAMPLE_RECORD", str(record))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:xdist")
    result.assert_outcomes(passed=6)
    servers = _records(record)
    # One server for the whole session, and it stopped with the session.
    assert len({pid for _, pid, _ in servers}) == 1
    (_, pid, _), *_ = servers
    assert _gone(pid)


def test_under_xdist_each_worker_has_its_own_server(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = _project(pytester) / "servers.txt"
    monkeypatch.setenv("SAMPLE_RECORD", str(record))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=6)
    servers = _records(record)
    workers = {w for w, _, _ in servers}
    assert workers == {"gw0", "gw1"}
    by_worker = {w: {(p, u) for ww, p, u in servers if ww == w} for w in workers}
    assert all(len(s) == 1 for s in by_worker.values()), by_worker
    assert len({p for _, p, _ in servers}) == 2 and len({u for _, _, u in servers}) == 2
    assert all(_gone(p) for _, p, _ in servers)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_killed_test_run_leaves_no_server(pytester: pytest.Pytester, sig: int) -> None:
    """The server watches the process that started it: however pytest ends, the server
    ends too, and its temporary data dir goes with it."""
    project = _project(pytester)
    (project / "test_users.py").unlink()
    pid_file = project / "server.pid"
    (project / "test_wait.py").write_text(
        "import time\n"
        "from pathlib import Path\n\n"
        "def test_wait(cognito_server):\n"
        f"    Path({str(pid_file)!r}).write_text(str(cognito_server.pid))\n"
        "    time.sleep(120)\n",
        "utf-8",
    )
    run = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not pid_file.exists() or not pid_file.read_text():
            assert run.poll() is None and time.monotonic() < deadline, "the test never ran"
            time.sleep(0.05)
        server = int(pid_file.read_text())
        data_dirs = _ephemeral_dirs(server)
        assert data_dirs, "the server has no ephemeral data dir open"
        run.send_signal(sig)
        run.wait(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert _gone(server)
    assert not any(d.exists() for d in data_dirs)


def _ephemeral_dirs(pid: int) -> list[Path]:
    """The ``--ephemeral`` data dir of a running server, from its open files."""
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = Path(os.readlink(fd))
        except OSError:
            continue
        for parent in target.parents:
            if parent.name.startswith("cognito-import-"):
                found.add(parent)
    return sorted(found)


def test_a_bad_seed_fails_the_session_with_its_line(pytester: pytest.Pytester) -> None:
    project = _project(pytester)
    seed = project / "seed.yaml"
    seed.write_text(seed.read_text("utf-8").replace("AttributeDataType: String", "Kind: x"))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:xdist")
    assert result.ret != 0
    result.assert_outcomes(errors=6)
    output = result.stdout.str()
    assert "seed.yaml:11: pools[0].Schema[0].Kind: unknown member 'Kind'" in output, output
