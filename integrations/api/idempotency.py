"""``Idempotency-Key``: a write sent again with the same key gets the first
answer again (for 24 hours), so a client that lost the answer can retry
without doing the work twice. The same key with another body is refused."""

import hashlib
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response

from ..models import IdempotentRequest
from .problems import problem

HEADER = "Idempotency-Key"
KEPT_FOR = timedelta(hours=24)
MAX_KEY_LENGTH = IdempotentRequest._meta.get_field("key").max_length


def idempotent(request, endpoint: str, answer):
    """``answer()`` once per key; the stored response for the same key again."""
    key = request.headers.get(HEADER, "")
    if not key:
        return answer()
    if len(key) > MAX_KEY_LENGTH:
        return problem(
            status.HTTP_400_BAD_REQUEST,
            "idempotency-key",
            _("The Idempotency-Key header is longer than %(limit)s characters.") % {"limit": MAX_KEY_LENGTH},
        )
    body_hash = hashlib.sha256(request.body).hexdigest()
    now = timezone.now()
    IdempotentRequest.objects.filter(user=request.user, key=key, created_at__lt=now - KEPT_FOR).delete()
    try:
        with transaction.atomic():
            record = IdempotentRequest.objects.create(
                user=request.user, key=key, endpoint=endpoint, body_hash=body_hash, created_at=now
            )
    except IntegrityError:
        return _replay(IdempotentRequest.objects.get(user=request.user, key=key), endpoint, body_hash)
    try:
        response = answer()
    except BaseException:
        record.delete()  # nothing was answered: the client may try again with the same key
        raise
    if response.status_code >= 500:
        record.delete()
    else:
        IdempotentRequest.objects.filter(pk=record.pk).update(status_code=response.status_code, response=response.data)
    return response


def _replay(record: IdempotentRequest, endpoint: str, body_hash: str):
    if record.endpoint != endpoint or record.body_hash != body_hash:
        return problem(
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            "idempotency-key-reused",
            _("This Idempotency-Key was used for a different request."),
            _("Send a new key with a new request; the same key replays only the same request."),
        )
    if record.status_code is None:
        return problem(
            status.HTTP_409_CONFLICT,
            "idempotency-key-in-progress",
            _("A request with this Idempotency-Key is still being answered."),
            _("Try again in a moment to get its answer."),
            headers={"Retry-After": "1"},
        )
    return Response(record.response, status=record.status_code, headers={"Idempotent-Replayed": "true"})
