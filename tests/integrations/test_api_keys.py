"""An integration's API key: shown once, stored hashed, revocable, expiring,
bound to addresses and a role, throttled; refusals are problem details."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.errors import DomainError, NotPermitted
from integrations.models import ApiKey, IdempotentRequest
from integrations.services import api_key_create, api_key_revoke

pytestmark = pytest.mark.django_db
ME = "/api/v1/me"


def test_a_key_is_shown_once_and_only_its_hash_is_kept(api_as):
    client = api_as("Clerk")
    stored = ApiKey.objects.get(pk=client.api_key.pk)
    secret = client.plaintext.rsplit("_", 1)[1]
    assert client.plaintext.startswith(f"od_{stored.prefix}_")
    assert secret not in stored.secret_hash and len(stored.secret_hash) == 64
    answer = client.get(ME)
    assert answer.status_code == 200
    assert answer.json() == {"username": f"api-{stored.prefix}", "api_key": "Clerk system", "roles": ["Clerk"]}


def test_the_last_use_is_recorded_once_a_minute(api_as):
    client = api_as("Clerk")
    assert ApiKey.objects.get(pk=client.api_key.pk).last_used_at is None
    client.get(ME)
    first = ApiKey.objects.get(pk=client.api_key.pk).last_used_at
    client.get(ME)
    assert first is not None and ApiKey.objects.get(pk=client.api_key.pk).last_used_at == first


def _problem(answer, status):
    assert answer.status_code == status, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    body = answer.json()
    assert body["status"] == status and body["title"]
    return body


@pytest.mark.parametrize(
    "header",
    ["", "Bearer nonsense", "Bearer od_deadbeef_wrongsecret", "Basic dXNlcjpwYXNz"],
)
def test_no_or_a_wrong_key_is_a_401_problem(db, header, api_as):
    api_as("Clerk")  # a real key exists; a wrong secret for another prefix is still unknown
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    body = _problem(client.get(ME), 401)
    assert body["type"].endswith("/not_authenticated") or body["type"].endswith("/authentication_failed")


def test_a_right_prefix_with_a_wrong_secret_is_refused(api_as):
    client = api_as("Clerk")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer od_{client.api_key.prefix}_guessed")
    assert _problem(client.get(ME), 401)["detail"] == "Unknown API key."


def test_a_revoked_key_stops_working_at_once(api_as, superuser):
    client = api_as("Clerk")
    assert client.get(ME).status_code == 200
    api_key_revoke(actor=superuser, api_key_id=client.api_key.pk)
    assert "revoked" in _problem(client.get(ME), 401)["detail"]
    with pytest.raises(DomainError):
        api_key_revoke(actor=superuser, api_key_id=client.api_key.pk)


def test_an_expired_key_is_refused(api_as):
    client = api_as("Clerk", expires_at=timezone.now() - timedelta(seconds=1))
    assert "expired" in _problem(client.get(ME), 401)["detail"]


def test_allowed_addresses(api_as):
    client = api_as("Warehouse", allowed_ips="10.1.0.0/16\n203.0.113.7")
    assert client.get(ME, REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get(ME, REMOTE_ADDR="203.0.113.7").status_code == 200
    _problem(client.get(ME, REMOTE_ADDR="127.0.0.1"), 403)


def test_an_address_list_that_is_not_addresses_is_refused(roles, superuser):
    with pytest.raises(ValueError):
        api_key_create(actor=superuser, name="x", role=roles["Clerk"], allowed_ips="not-an-ip")
    assert not ApiKey.objects.exists()


def test_only_who_may_add_keys_creates_them(roles, clerk, supervisor):
    with pytest.raises(NotPermitted):
        api_key_create(actor=clerk, name="x", role=roles["Clerk"])
    api_key, _plaintext = api_key_create(actor=supervisor, name="x", role=roles["Clerk"])
    assert api_key.created_by == supervisor


def test_each_key_is_throttled_at_its_own_rate_with_retry_after(api_as):
    slow, fast = api_as("Clerk", rate_per_minute=2), api_as("Clerk", rate_per_minute=100)
    assert [slow.get(ME).status_code for _ in range(2)] == [200, 200]
    answer = slow.get(ME)
    _problem(answer, 429)
    assert 1 <= int(answer["Retry-After"]) <= 60
    assert fast.get(ME).status_code == 200


def test_a_staff_user_uses_the_api_with_the_admin_session(clerk):
    client = APIClient()
    client.force_login(clerk)
    assert client.get(ME).json()["api_key"] is None
    clerk.is_staff = False
    clerk.save()
    client.force_login(clerk)
    _problem(client.get(ME), 401)


def test_an_unknown_path_under_the_api_is_a_404(api_as):
    assert api_as("Clerk").get("/api/v1/no-such-thing").status_code == 404


def test_idempotency_records_are_per_user(api_as):
    assert not IdempotentRequest.objects.exists()  # a GET never stores one
    api_as("Clerk").get(ME, HTTP_IDEMPOTENCY_KEY="k1")
    assert not IdempotentRequest.objects.exists()
