"""`imports = ["ponyexpress_django.autoinstall"]` turns on both liveness files without touching the Celery module."""
import pytest

from .processes import Celery, probe, wait_for


@pytest.mark.parametrize("process", ["worker", "beat"])
def test_the_setting_alone_turns_liveness_on(tmp_path, redis, process):
    files = {"worker": tmp_path / "worker-heartbeat", "beat": tmp_path / "beat-ticks"}
    env = {"CELERY_BROKER_URL": redis.url(), "CELERY_WORKER_HEARTBEAT_FILE": str(files["worker"]),
           "PONYEXPRESS_BEAT_TICK_FILE": str(files["beat"])}
    args = ["worker", "--pool", "solo", "--without-mingle", "--without-gossip"] if process == "worker" else ["beat", "--schedule", str(tmp_path / "schedule")]
    celery = Celery(args, env, tmp_path / f"{process}.log", app="tests.celery_app_by_setting")
    try:
        wait_for(f"{process} liveness file", files[process].exists, 60, celery)
        assert probe(process, "--max-age", "10", env=env) == (0, "")
    finally:
        assert celery.stop() == 0
    assert not files[process].exists()
