"""Errors the services raise: their message is for the user who asked."""


class DomainError(Exception):
    """A request that the business rules refuse; nothing was changed."""


class NotPermitted(DomainError):
    """The user's role may not do this."""
