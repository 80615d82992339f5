"""Who is asking: an integration's API key (``Authorization: Bearer od_…``),
or a staff user's admin session."""

import hmac

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from ..models import KEY_PREFIX, ApiKey, secret_digest
from ..services import api_key_mark_used


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header.startswith(f"{self.keyword} "):
            return None
        token = header[len(self.keyword) + 1 :].strip()
        prefix, _sep, secret = token.removeprefix(KEY_PREFIX).partition("_")
        if not token.startswith(KEY_PREFIX) or not secret:
            raise exceptions.AuthenticationFailed(_("This is not an Orderdesk API key."))
        api_key = ApiKey.objects.select_related("user").filter(prefix=prefix).first()
        if api_key is None or not hmac.compare_digest(api_key.secret_hash, secret_digest(secret)):
            raise exceptions.AuthenticationFailed(_("Unknown API key."))
        now = timezone.now()
        if not api_key.is_usable(now):
            raise exceptions.AuthenticationFailed(_("This API key was revoked or has expired."))
        if not api_key.admits(client_address(request)):
            raise exceptions.PermissionDenied(_("This API key may not be used from this address."))
        api_key_mark_used(api_key=api_key, now=now)
        return api_key.user, api_key

    def authenticate_header(self, request):
        return self.keyword  # makes a missing key a 401 with WWW-Authenticate


class StaffSessionAuthentication(authentication.SessionAuthentication):
    """The admin's users may try the API in their browser (Swagger UI) with their session."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None or not result[0].is_staff:
            return None
        return result
