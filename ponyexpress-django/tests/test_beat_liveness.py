"""A real celery beat against a real Redis: the tick hook and its exec probe, failing when beat stops ticking."""
import signal
import time

import pytest

from .processes import Celery, probe, wait_for

MAX_AGE = "2"


@pytest.fixture
def beat(tmp_path, redis):
    ticks = tmp_path / "beat-ticks"
    env = {"CELERY_BROKER_URL": redis.url(), "PONYEXPRESS_BEAT_TICK_FILE": str(ticks), "TICK_SECONDS": "1"}
    process = Celery(["beat", "--schedule", str(tmp_path / "schedule")], env, tmp_path / "beat.log")
    yield process, ticks, env
    process.signal(signal.SIGCONT)
    process.stop()


def passes(env):
    return probe("beat", "--max-age", MAX_AGE, env=env)


def test_probe_passes_while_ticking_and_fails_when_beat_hangs(beat):
    process, ticks, env = beat
    wait_for("first tick", ticks.exists, 60, process)
    for _ in range(4):  # several periods: each tick rewrites the file
        assert passes(env) == (0, "")
        time.sleep(1)

    process.signal(signal.SIGSTOP)  # hung: the process is there, the scheduler is not ticking
    time.sleep(1 + float(MAX_AGE) + 1.5)
    code, message = passes(env)
    assert code == 1
    assert "beat is" in message and "late (max 2s)" in message
    process.signal(signal.SIGCONT)
    wait_for("probe passes again", lambda: passes(env)[0] == 0, 5, process)


def test_probe_fails_when_beat_shuts_down(beat):
    process, ticks, env = beat
    wait_for("first tick", ticks.exists, 60, process)
    assert process.stop() == 0
    code, message = passes(env)
    assert (code, "is missing" in message) == (1, True)


def test_the_file_announces_the_next_tick(beat):
    process, ticks, env = beat
    wait_for("first tick", ticks.exists, 60, process)
    assert 0.0 <= float(ticks.read_text()) <= 1.0  # the schedule runs every second
