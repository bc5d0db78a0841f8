import os

import pytest

pytest_plugins = ["tests.browser.fixtures"]

os.environ.setdefault("CAPTCHA_TEST_MODE", "1")


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Real hashing costs ~0.3 s per user on a small machine; tests only need it to be a hash.
    # Assertions on messages are written against the English source strings; the Chinese UI has
    # its own completeness tests that switch the language explicitly.
    settings.LANGUAGE_CODE = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests render {% static %} without a collectstatic manifest; the live server serves the files.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture
def admin_user(db):
    from core.testing import make_user

    return make_user("boss", superuser=True)
