"""POST /api/v1/auth/token/: the same lockout, allowlist, TOTP and login records as the login page."""

import pyotp
import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from core.testing import PASSWORD, make_role, make_user
from org import security
from org.models import LoginRecord, SecurityPolicy, User

pytestmark = pytest.mark.django_db
R = LoginRecord.Result
URL = "/api/v1/auth/token/"
API = "/api/v1/"


@pytest.fixture(autouse=True)
def english(settings):
    # Messages are compared with their English source, whatever the Chinese catalogue says.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def api():
    # enforce_csrf_checks: the endpoint must work for clients that have no CSRF cookie.
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def alice():
    return make_user("alice")


def obtain(api, ip="127.0.0.1", xff=None, **data):
    extra = {"REMOTE_ADDR": ip, "HTTP_USER_AGENT": "erp-sync/1.0"}
    if xff:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return api.post(URL, data, content_type="application/json", **extra)


def test_token_for_right_password(api, alice):
    response = obtain(api, username="alice", password=PASSWORD)
    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(user=alice).key == key
    assert obtain(api, username="alice", password=PASSWORD).json()["token"] == key  # get_or_create
    row = LoginRecord.objects.filter(username="alice").first()
    assert (row.result, row.ip, row.user_agent, row.session_key) == (R.SUCCESS, "127.0.0.1", "erp-sync/1.0", "")
    assert api.get(API, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    assert api.get(API).status_code in (401, 403)


def test_wrong_password_in_the_api_error_format(api, alice):
    response = obtain(api, username="alice", password="nope")
    assert response.status_code == 400
    assert response.json() == {"error": {"code": "login_failed", "message": "Invalid username or password.", "fields": {}}}
    assert not Token.objects.exists()
    assert list(LoginRecord.objects.values_list("result", flat=True)) == [R.FAILED]


def test_missing_fields_change_nothing(api, alice):
    response = obtain(api, username="alice")
    assert response.status_code == 400 and "password" in response.json()["error"]["fields"]
    assert not LoginRecord.objects.exists() and not Token.objects.exists()


def test_lockout_shared_with_the_login_page(api, alice, client):
    for _ in range(2):  # below the captcha threshold of the page
        client.post("/org/login/", {"username": "alice", "password": "nope"})
    for _ in range(3):
        obtain(api, username="alice", password="nope")
    assert security.is_locked("alice")
    response = obtain(api, username="alice", password=PASSWORD)
    assert response.status_code == 400 and response.json()["error"]["message"] == "Invalid username or password."
    assert not Token.objects.exists()
    assert LoginRecord.objects.first().result == R.LOCKED


def test_disabled_user_gets_no_token_and_loses_the_old_one(api, alice):
    token = Token.objects.create(user=alice)
    User.objects.filter(pk=alice.pk).update(status=User.Status.LEFT)
    assert obtain(api, username="alice", password=PASSWORD).status_code == 400
    response = api.get(API, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 401 and response.json()["error"]["code"] == "authentication_failed"


def test_ip_allowlist_for_token_and_its_use(api, alice):
    key = obtain(api, username="alice", password=PASSWORD).json()["token"]
    SecurityPolicy.objects.update_or_create(pk=1, defaults={"ip_allowlist": "10.0.0.0/8"})
    response = obtain(api, ip="192.168.3.3", xff="10.0.0.1", username="alice", password=PASSWORD)  # forged header
    assert response.status_code == 403 and response.json()["error"]["code"] == "ip_not_allowed"
    # A token obtained earlier stops working from outside the list, also with a forged header.
    response = api.get(API, HTTP_AUTHORIZATION=f"Token {key}", REMOTE_ADDR="192.168.3.3", HTTP_X_FORWARDED_FOR="10.0.0.1")
    assert response.status_code == 403 and response.json()["error"]["code"] == "ip_not_allowed"
    assert api.get(API, HTTP_AUTHORIZATION=f"Token {key}", REMOTE_ADDR="10.0.0.1").status_code == 200


def test_role_allowlist_for_token(api):
    make_user("bob", roles=[make_role(ip_allowlist="172.16.0.0/12")])
    assert obtain(api, ip="10.0.0.1", username="bob", password=PASSWORD).status_code == 403
    assert obtain(api, ip="172.16.0.1", username="bob", password=PASSWORD).status_code == 200
    assert list(LoginRecord.objects.order_by("id").values_list("result", flat=True)) == [R.BLOCKED_IP, R.SUCCESS]


def test_totp_user_must_send_the_code(api, alice):
    alice.totp_secret, alice.totp_enabled = pyotp.random_base32(), True
    alice.save()
    response = obtain(api, username="alice", password=PASSWORD)
    assert response.status_code == 400 and response.json()["error"]["code"] == "otp_required"
    response = obtain(api, username="alice", password=PASSWORD, otp="12345x")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_otp"
    assert not Token.objects.exists()
    response = obtain(api, username="alice", password=PASSWORD, otp=pyotp.TOTP(alice.totp_secret).now())
    assert response.status_code == 200 and response.json()["token"] == Token.objects.get(user=alice).key
    assert list(LoginRecord.objects.order_by("id").values_list("result", flat=True)) == [R.BAD_TOTP, R.SUCCESS]
