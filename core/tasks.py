"""Side effects run after the transaction that caused them has committed."""

from django.db import transaction
from django_q.tasks import async_task


def enqueue_on_commit(task: str, *args) -> None:
    """Queue a django-q2 task by dotted path once the current transaction commits.

    Tasks take ids, reload what they need and are safe to run twice.
    """
    transaction.on_commit(lambda: async_task(task, *args))
