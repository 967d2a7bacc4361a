"""bench/load.py, briefly: gunicorn with the production settings serves readers while two
writers save, and nothing fails or is lost (docs/performance.md has a full run's figures)."""

import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def test_a_short_load_run_has_no_failed_request_and_no_lost_write():
    result = subprocess.run(
        [sys.executable, "bench/load.py", "--seconds", "1", "--readers", "3"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = dict(
        line.strip().split(": ", 1) for line in result.stdout.splitlines() if ": " in line
    )
    assert int(report["requests"]) > 0
    assert report["failures"] == "0"
    assert report["database_is_locked"] == "0"
    # Each writer saves at least once however slow the machine; every save is confirmed.
    for writer in ("admin", "orm"):
        attempted = int(report[f"{writer}_writes_attempted"])
        assert attempted > 0
        assert int(report[f"{writer}_writes_confirmed"]) == attempted
    assert report["writes_lost"] == "0"
