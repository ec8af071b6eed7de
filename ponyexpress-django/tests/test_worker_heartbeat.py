"""A real Celery worker against a real Redis: the heartbeat step and its exec probe."""
import signal
import time

import pytest

from .processes import Celery, probe, wait_for

MAX_AGE = "3"


@pytest.fixture
def worker(tmp_path, redis):
    heartbeat = tmp_path / "worker-heartbeat"
    env = {"CELERY_BROKER_URL": redis.url(), "CELERY_WORKER_HEARTBEAT_FILE": str(heartbeat), "PONYEXPRESS_WORKER_HEARTBEAT_INTERVAL": "0.5"}
    process = Celery(["worker", "--pool", "prefork", "--concurrency", "1", "--without-mingle", "--without-gossip"], env, tmp_path / "worker.log")
    yield process, heartbeat, env
    process.signal(signal.SIGCONT)
    process.stop()


def test_probe_passes_while_consuming_fails_when_wedged_and_after_shutdown(worker):
    process, heartbeat, env = worker
    assert probe("worker", "--max-age", MAX_AGE, env=env)[0] == 1  # nothing yet: the file appears with the consumer
    wait_for("heartbeat file", heartbeat.exists, 60, process)
    first = heartbeat.stat().st_mtime
    wait_for("heartbeat re-touched", lambda: heartbeat.stat().st_mtime > first, 5, process)
    assert probe("worker", "--max-age", MAX_AGE, env=env) == (0, "")

    process.signal(signal.SIGSTOP)  # a wedged worker: alive, but its event loop does not run
    time.sleep(float(MAX_AGE) + 1.5)
    code, message = probe("worker", "--max-age", MAX_AGE, env=env)
    assert code == 1
    assert "old (max 3s)" in message
    process.signal(signal.SIGCONT)
    wait_for("probe passes again", lambda: probe("worker", "--max-age", MAX_AGE, env=env)[0] == 0, 5, process)

    assert process.stop() == 0  # warm shutdown
    assert not heartbeat.exists()
    code, message = probe("worker", "--max-age", MAX_AGE, env=env)
    assert (code, "is missing" in message) == (1, True)


def test_heartbeat_stops_while_the_broker_is_gone(worker, redis):
    process, heartbeat, env = worker
    wait_for("heartbeat file", heartbeat.exists, 60, process)
    redis.stop()
    try:
        wait_for("probe fails without a broker", lambda: probe("worker", "--max-age", MAX_AGE, env=env)[0] == 1, 20, process)
    finally:
        redis.start()
    wait_for("probe passes once the broker is back", lambda: probe("worker", "--max-age", MAX_AGE, env=env)[0] == 0, 60, process)
