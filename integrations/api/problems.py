"""Every refusal as RFC 9457 problem details (``application/problem+json``):
``type``, ``title``, ``status``, ``detail``, and ``errors`` naming each field
by JSON pointer into the request (``/orders/3/lines/0/quantity``)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from core.errors import DomainError, NotPermitted

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPES = "https://orderdesk.invalid/problems/"  # documented in the README's API section


def _pointers(detail, path="") -> list[dict]:
    if isinstance(detail, dict):
        return [error for key, value in detail.items() for error in _pointers(value, f"{path}/{key}")]
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [{"pointer": path or "/", "detail": str(item)} for item in detail]
        return [error for index, item in enumerate(detail) for error in _pointers(item, f"{path}/{index}")]
    return [{"pointer": path or "/", "detail": str(detail)}]


def problem(status_code: int, kind: str, title: str, detail: str = "", errors=None, headers=None) -> Response:
    body = {"type": PROBLEM_TYPES + kind, "title": title, "status": status_code}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def problem_details_handler(exc, context):
    if isinstance(exc, NotPermitted):
        exc = exceptions.PermissionDenied(str(exc))
    elif isinstance(exc, DomainError):
        set_rollback()
        return problem(status.HTTP_409_CONFLICT, "refused", _("The order's state refuses this."), str(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: Django's 500 (and its log), never hidden as a 4xx
    set_rollback()
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(max(1, int(exc.wait + 0.999)))
    if isinstance(exc, exceptions.ValidationError):
        return problem(
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            "invalid",
            _("Some fields are not valid."),
            errors=_pointers(exc.detail),
            headers=headers,
        )
    detail = exc.detail if isinstance(exc.detail, str) else ""
    kind = exc.default_code if isinstance(exc.default_code, str) else "error"
    return problem(exc.status_code, kind, str(exc.default_detail), detail if detail != exc.default_detail else "", headers=headers)
