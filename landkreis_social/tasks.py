import socket

from celery import shared_task
from django.utils import timezone

from .models import WorkerHeartbeat


@shared_task(ignore_result=True)
def heartbeat(worker: str = "") -> str:
    """Record that a worker is alive. Beat sends it every minute; ``/health/`` reports the age."""
    name = worker or (heartbeat.request.hostname or socket.gethostname())
    WorkerHeartbeat.objects.update_or_create(worker=name, defaults={"last_seen": timezone.now()})
    return name
