"""django-q2 tasks: each takes ids, calls a service, and is safe to run twice."""

from . import services


def notify_exception_owner(event_id: int) -> bool:
    return services.exception_owner_notify(event_id=event_id)
