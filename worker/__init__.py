"""The queue layer: the Celery app and its thin tasks."""
