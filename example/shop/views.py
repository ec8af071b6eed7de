import os

from django.http import JsonResponse

from .models import Tick


def index(_request):
    last = Tick.objects.order_by("-started_at").first()
    return JsonResponse({
        "app": "ponyshop",
        "version": os.environ.get("PONYSHOP_VERSION", "dev"),
        "ticks": Tick.objects.count(),
        "last_tick": last.started_at.isoformat() if last else None,
    })
