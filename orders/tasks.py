"""django-q2 tasks: each takes ids, calls a service, and is safe to run twice."""

from . import services


def notify_exception_owner(event_id: int) -> bool:
    return services.exception_owner_notify(event_id=event_id)


def import_batch_continue(batch_id: int) -> str:
    """Preview or import a big file, a time budget at a time (issue 3)."""
    from django.conf import settings

    batch = services.import_batch_continue(batch_id=batch_id, budget_seconds=settings.ORDERDESK_IMPORT_TASK_SECONDS)
    return batch.status
