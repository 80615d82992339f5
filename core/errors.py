"""Errors the services raise: their message is for the user who asked."""


class DomainError(Exception):
    """A request that the business rules refuse; nothing was changed."""


class NotPermitted(DomainError):
    """The user's role may not do this."""


def require_permission(actor, permission: str, message: str) -> None:
    """Raise NotPermitted with ``message`` unless ``actor`` has ``permission``
    (``actor`` None: the system itself, a task or a command, which may)."""
    if actor is not None and not actor.has_perm(permission):
        raise NotPermitted(message)
