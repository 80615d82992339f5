"""The only code that changes integrations' records."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError, require_permission
from .models import KEY_PREFIX, ApiKey, secret_digest


@transaction.atomic
def api_key_create(
    *, actor, name: str, role: Group, allowed_ips: str = "", rate_per_minute: int = 600, expires_at=None
) -> tuple[ApiKey, str]:
    """A new key and its plaintext, which is shown once and never stored."""
    require_permission(actor, "integrations.add_apikey", _("Your role may not create API keys."))
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    user = get_user_model().objects.create_user(username=f"api-{prefix}", first_name=name[:150])
    user.set_unusable_password()
    user.save(update_fields=["password"])
    user.groups.set([role])
    key = ApiKey(
        name=name,
        prefix=prefix,
        secret_hash=secret_digest(secret),
        user=user,
        role=role,
        allowed_ips=allowed_ips,
        rate_per_minute=rate_per_minute,
        expires_at=expires_at,
        created_by=actor,
    )
    key.networks()  # refuses a line that is no address or network (ValueError) before anything is kept
    key.save()
    return key, f"{KEY_PREFIX}{prefix}_{secret}"


@transaction.atomic
def api_key_revoke(*, actor, api_key_id: int) -> ApiKey:
    require_permission(actor, "integrations.change_apikey", _("Your role may not revoke API keys."))
    key = ApiKey.objects.select_for_update().get(pk=api_key_id)
    if key.revoked_at is not None:
        raise DomainError(_("This key was revoked already."))
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    key.user.is_active = False
    key.user.save(update_fields=["is_active"])
    return key


def api_key_mark_used(*, api_key: ApiKey, now) -> None:
    """Last-used time to the minute: one write a minute per key, not one per request."""
    if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() >= 60:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
