import hashlib
import ipaddress

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_PREFIX = "od_"  # what an Orderdesk API key starts with, so a leaked one is easy to recognise


def secret_digest(secret: str) -> str:
    """A key's secret is 32 random bytes: SHA-256 is enough to store it (no
    dictionary to guess from), and cheap enough to check on every request."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiKey(models.Model):
    """One integration's key. It acts as its own user, a member of one role, so
    the role's permissions and field scope apply to everything it does and the
    timeline names it."""

    name = models.CharField(_("name"), max_length=100, help_text=_("The system that uses it, e.g. “Shop website”."))
    prefix = models.CharField(_("key starts with"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_key", editable=False
    )
    role = models.ForeignKey(Group, on_delete=models.PROTECT, verbose_name=_("role"))
    allowed_ips = models.TextField(
        _("allowed IP addresses"),
        blank=True,
        help_text=_("One address or network per line (e.g. 203.0.113.7 or 10.0.0.0/8); empty: any."),
    )
    rate_per_minute = models.PositiveIntegerField(_("requests per minute"), default=600)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, editable=False
    )

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def networks(self) -> list:
        return [ipaddress.ip_network(line.strip(), strict=False) for line in self.allowed_ips.splitlines() if line.strip()]

    def admits(self, address: str) -> bool:
        networks = self.networks()
        if not networks:
            return True
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in networks)


class IdempotentRequest(models.Model):
    """A write request sent with an ``Idempotency-Key`` header and the answer it
    got: the same key again replays the answer for 24 hours."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    endpoint = models.CharField(max_length=200)
    body_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)  # null: still being answered
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")]
