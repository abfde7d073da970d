"""The worker's Celery app, built from the shared queue contract (convdiag.queues)."""

from __future__ import annotations

from convdiag.queues import make_celery
from convdiag.settings import get_settings

app = make_celery(get_settings())
