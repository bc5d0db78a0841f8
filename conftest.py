import os

import pytest

os.environ.setdefault("CAPTCHA_TEST_MODE", "1")


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Tests render {% static %} without a collectstatic manifest; the live server serves the files.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture
def admin_user(db):
    from core.testing import make_user

    return make_user("boss", superuser=True)
