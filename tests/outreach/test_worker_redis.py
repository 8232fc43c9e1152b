"""With LIAISON_TASK_QUEUE=redis the same worker runs the periodic work through Redis (RQ).

Runs the real command in a subprocess against its own SQLite file and Redis database 15, so it
shares nothing with the test database; skipped when no Redis answers on this machine.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379")
def test_the_worker_runs_the_periodic_work_through_redis(tmp_path: Path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        "LIAISON_TASK_QUEUE": "redis",
        "LIAISON_REDIS_URL": "redis://127.0.0.1:6379/15",
        "LIAISON_TESTING": "1",
    }
    liaison = [sys.executable, "-m", "liaison.cli"]
    subprocess.run([*liaison, "migrate", "-v", "0"], env=env, check=True, timeout=300)  # noqa: S603 - our own command
    done = subprocess.run(  # noqa: S603 - our own command
        [*liaison, "worker", "--once"], env=env, check=True, timeout=120, capture_output=True, text=True
    )
    output = done.stdout + done.stderr
    assert "path=liaison.outreach.tasks.evaluate_outreach_rules state=SUCCESSFUL" in output
    assert "path=liaison.outreach.tasks.purge_expired_idempotency_keys state=SUCCESSFUL" in output
    assert "FAILED" not in output
