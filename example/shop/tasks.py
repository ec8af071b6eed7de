import logging
import time

from celery import shared_task
from django.utils import timezone

from .models import Tick

logger = logging.getLogger(__name__)


@shared_task
def record_tick(source: str = "manual", work_seconds: float = 0.0) -> int:
    """Write a Tick row, optionally "work" for a while, then mark it finished.

    The row exists from the start so an observer can see the task running;
    finished_at proves it ran to completion (e.g. through a warm shutdown).
    """
    tick = Tick.objects.create(source=source)
    logger.info("tick %s started (source=%s, work=%ss)", tick.pk, source, work_seconds)
    if work_seconds > 0:
        time.sleep(work_seconds)
    tick.finished_at = timezone.now()
    tick.save(update_fields=["finished_at"])
    logger.info("tick %s finished", tick.pk)
    return tick.pk
