from rest_framework.throttling import SimpleRateThrottle

from ..models import ApiKey


class PerKeyThrottle(SimpleRateThrottle):
    """Each API key at its own rate per minute; session users at the default key rate."""

    scope = "api"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None  # refused by authentication; a failed key is not throttled here
        if isinstance(request.auth, ApiKey):
            return f"throttle_api_key_{request.auth.prefix}"
        return f"throttle_api_user_{request.user.pk}"

    def allow_request(self, request, view):
        api_key = request.auth if isinstance(request.auth, ApiKey) else None
        per_minute = api_key.rate_per_minute if api_key else ApiKey._meta.get_field("rate_per_minute").default
        self.rate = f"{per_minute}/min"
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_rate(self):
        return None  # set per request in allow_request: each key has its own
