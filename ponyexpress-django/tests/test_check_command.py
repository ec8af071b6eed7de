"""The probe command's decisions, on real files with set modification times."""
import os
import time

import pytest

from ponyexpress_django.check import check_beat, check_worker, main


def aged(path, seconds, content=""):
    path.write_text(content)
    when = time.time() - seconds
    os.utime(path, (when, when))
    return path


def test_worker_fresh_stale_missing(tmp_path):
    now = time.time()
    assert check_worker(aged(tmp_path / "hb", 5), 60, now) is None
    assert "61s old (max 60s)" in check_worker(aged(tmp_path / "hb", 61), 60, now)
    assert "is missing" in check_worker(tmp_path / "nope", 60, now)


def test_beat_is_late_only_past_its_announced_tick_plus_max_age(tmp_path):
    now = time.time()
    # Ticked 250 s ago and announced the next tick 240 s later: 10 s late, within 60.
    assert check_beat(aged(tmp_path / "t", 250, "240.000\n"), 60, now) is None
    message = check_beat(aged(tmp_path / "t", 310, "240.000\n"), 60, now)
    assert message.startswith("beat is 70s late (max 60s)")
    # An empty file (written by hand, without the hook) is a plain age check.
    assert check_beat(aged(tmp_path / "t", 30), 60, now) is None
    assert "late" in check_beat(aged(tmp_path / "t", 90), 60, now)


def test_beat_garbage_and_missing(tmp_path):
    assert "expected the seconds until the next tick" in check_beat(aged(tmp_path / "t", 0, "soon"), 60, time.time())
    assert "is missing" in check_beat(tmp_path / "nope", 60, time.time())


def test_command_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CELERY_WORKER_HEARTBEAT_FILE", str(aged(tmp_path / "hb", 100)))
    assert main(["worker", "--max-age", "120"]) == 0
    assert main(["worker"]) == 1
    assert "100s old (max 60s)" in capsys.readouterr().out
    assert main(["beat", "--file", str(aged(tmp_path / "t", 1, "5"))]) == 0
    with pytest.raises(SystemExit) as usage:
        main(["worker", "--max-age", "0"])
    assert usage.value.code == 2
    assert "--max-age 0: expected a positive number of seconds" in capsys.readouterr().err
