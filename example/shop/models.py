from django.db import models


class Tick(models.Model):
    """One run of shop.tasks.record_tick: proves the worker reaches the database."""

    source = models.CharField(max_length=32, help_text="who enqueued it: beat, manual, test")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at"]

    def __str__(self):
        return f"{self.source} tick at {self.started_at:%Y-%m-%d %H:%M:%S}"
