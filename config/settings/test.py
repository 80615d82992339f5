"""Test overrides: fast hashing, e-mail in memory, tasks run inline."""

import os

# Tests run with DEBUG off, as production does; they need a key of their own.
os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-" + "x" * 50)
os.environ.setdefault("DJANGO_HTTPS", "0")

from .base import *  # noqa: E402, F403
from .base import DATABASES, Q_CLUSTER  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
Q_CLUSTER = {**Q_CLUSTER, "sync": True}
DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file (not :memory:) so that threads in transactional tests share it;
    # one per process so that two test runs side by side do not collide.
    (BASE_DIR / "var").mkdir(exist_ok=True)  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
LANGUAGE_CODE = "en"
