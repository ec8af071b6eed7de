import pytest

from shop.models import Tick
from shop.tasks import record_tick


@pytest.mark.django_db
def test_record_tick_writes_a_finished_row():
    pk = record_tick.apply(kwargs={"source": "test"}).get()
    tick = Tick.objects.get(pk=pk)
    assert tick.source == "test"
    assert tick.finished_at is not None
    assert tick.finished_at >= tick.started_at


@pytest.mark.django_db
def test_index_counts_ticks(client):
    record_tick.apply(kwargs={"source": "test"})
    body = client.get("/", HTTP_HOST="shop.example.test").json()
    assert body["ticks"] == 1
    assert body["last_tick"] is not None
