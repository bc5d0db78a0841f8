import os

import pytest

os.environ.setdefault("CAPTCHA_TEST_MODE", "1")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def admin_user(db):
    from core.testing import make_user

    return make_user("boss", superuser=True)
