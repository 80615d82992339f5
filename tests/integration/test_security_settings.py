"""What an attacker meets before the first screen: a login that locks after
repeated wrong passwords, weak passwords refused, and a server that will not
start on the demo's published secret key outside DEBUG."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.flow import log_in

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 5


@pytest.fixture
def admin_user_with_password(db):
    return get_user_model().objects.create_superuser("admin", "admin@example.com", "a-long-right-passphrase")


@pytest.mark.django_db
def test_after_repeated_wrong_passwords_even_the_right_one_is_refused(admin_user_with_password):
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(LIMIT):
        assert not log_in(client, "admin", "wrong")

    response = client.post(reverse("admin:login"), {"username": "admin", "password": "a-long-right-passphrase"})

    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_lockout_does_not_shut_the_user_out_from_another_computer(admin_user_with_password):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(LIMIT):
        log_in(attacker, "admin", "wrong")

    assert log_in(Client(REMOTE_ADDR="198.51.100.7"), "admin", "a-long-right-passphrase")


@pytest.mark.django_db
def test_a_right_password_before_the_limit_resets_the_count(admin_user_with_password):
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(LIMIT - 1):
        log_in(client, "admin", "wrong")
    assert log_in(client, "admin", "a-long-right-passphrase")
    client.logout()
    for _ in range(LIMIT - 1):
        log_in(client, "admin", "wrong")

    assert log_in(client, "admin", "a-long-right-passphrase")


@pytest.mark.parametrize("weak", ["orderdesk", "12345678901234", "short1!", "admin-admin"])
def test_weak_passwords_are_refused(weak):
    user = get_user_model()(username="admin", email="admin@example.com")
    with pytest.raises(ValidationError):
        validate_password(weak, user)


def _run_django(args, **env):
    clean = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.base", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_outside_debug_it_refuses_to_start_without_a_secret_key(tmp_path):
    result = _run_django(["manage.py", "check"], DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_the_production_settings_pass_djangos_deployment_checks(tmp_path):
    result = _run_django(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="orders.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_the_lockout_page_speaks_chinese(admin_user_with_password):
    client = Client(REMOTE_ADDR="203.0.113.9", HTTP_ACCEPT_LANGUAGE="zh-hans")
    for _ in range(LIMIT):
        log_in(client, "admin", "wrong")

    page = client.post(reverse("admin:login"), {"username": "admin", "password": "x"}).content.decode()

    assert "登录失败次数过多" in page
    assert "密码错误 5 次后" in page
