"""Login page: records, captcha, lockout counted in the database (also across processes), IP allowlists,
TOTP second step, sessions ending on disable/leave or timing out, logout."""

import datetime
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pyotp
import pytest
from captcha.models import CaptchaStore
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from core.models import AuditLog
from core.testing import PASSWORD, make_role, make_user
from org import security, services
from org.middleware import REFRESH_SECONDS, REFRESHED
from org.models import LoginRecord, SecurityPolicy, User

pytestmark = pytest.mark.django_db
R = LoginRecord.Result
WRONG = "Invalid username or password."


@pytest.fixture(autouse=True)
def english(settings):
    # Messages are compared with their English source, whatever the Chinese catalogue says.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def alice():
    return make_user("alice")


def login(client, username, password, *, ip="127.0.0.1", xff=None, captcha=True, **extra):
    """POST the login page like a browser; solves the captcha with its real answer when one is due."""
    data = {"username": username, "password": password, **extra}
    if captcha and security.needs_captcha(username=username, ip=ip):
        key = CaptchaStore.generate_key()
        data.update(captcha_0=key, captcha_1=CaptchaStore.objects.get(hashkey=key).response)
    headers = {"REMOTE_ADDR": ip, "HTTP_USER_AGENT": "pytest-browser"}
    if xff:
        headers["HTTP_X_FORWARDED_FOR"] = xff
    return client.post(reverse("org:login"), data, **headers)


def error_text(response) -> str:
    match = re.search(r'data-testid="login-error">(.*?)</div>\s*(</div>)?', response.content.decode(), re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip() if match else ""


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def results(username):
    return list(LoginRecord.objects.filter(username=username).order_by("id").values_list("result", flat=True))


def test_login_page_has_the_fields_a_browser_test_uses(client):
    html = client.get(reverse("org:login")).content.decode()
    assert 'id="id_username"' in html and 'id="id_password"' in html and 'type="submit"' in html
    assert "captcha_1" not in html


def test_success_records_session_and_audit(client, alice):
    response = login(client, "alice", PASSWORD)
    assert response.status_code == 302 and response.url == reverse("core:home")
    row = LoginRecord.objects.get(username="alice")
    assert (row.user, row.result, row.ip, row.user_agent) == (alice, R.SUCCESS, "127.0.0.1", "pytest-browser")
    assert row.session_key == client.session.session_key
    assert AuditLog.objects.filter(action="login", object_id=alice.pk).exists()


def test_next_url_is_followed_only_on_this_site(client, alice):
    assert login(client, "alice", PASSWORD, next="/customers/").url == "/customers/"
    client.logout()
    assert login(client, "alice", PASSWORD, next="https://evil.example/").url == reverse("core:home")


def test_wrong_password_is_recorded_and_audited(client, alice):
    response = login(client, "alice", "nope")
    assert response.status_code == 200 and error_text(response) == WRONG and not logged_in(client)
    assert results("alice") == [R.FAILED]
    assert AuditLog.objects.filter(action="login_failed", object_id=alice.pk).count() == 1


def test_unknown_and_disabled_users_get_the_same_message(client, alice):
    assert error_text(login(client, "nobody", "x")) == WRONG
    alice.is_active = False
    alice.save()
    assert error_text(login(client, "alice", PASSWORD)) == WRONG
    assert not logged_in(client)
    assert results("nobody") == [R.FAILED] and results("alice") == [R.INACTIVE]


def test_captcha_appears_after_three_failures_and_is_checked(client, alice):
    for _ in range(2):
        assert "captcha_1" not in login(client, "alice", "bad").content.decode()
    assert "captcha_1" in login(client, "alice", "bad").content.decode()
    # The right password without the captcha does not get in and checks nothing.
    response = login(client, "alice", PASSWORD, captcha=False)
    assert not logged_in(client) and "captcha_1" in response.content.decode()
    response = login(client, "alice", PASSWORD, captcha=False, captcha_0="x", captcha_1="wrong")
    assert not logged_in(client)
    assert results("alice")[-2:] == [R.BAD_CAPTCHA, R.BAD_CAPTCHA]
    assert login(client, "alice", PASSWORD).status_code == 302 and logged_in(client)


def test_captcha_also_follows_the_address(client, alice):
    for name in ("a1", "a2", "a3"):
        login(client, name, "bad", ip="10.9.9.9")
    assert "captcha_1" in client.get(reverse("org:login"), REMOTE_ADDR="10.9.9.9").content.decode()
    assert "captcha_1" not in client.get(reverse("org:login"), REMOTE_ADDR="10.9.9.8").content.decode()


def test_lockout_counted_in_db_and_looks_like_a_wrong_password(client, alice):
    wrong = [error_text(login(client, "alice", "bad")) for _ in range(5)]
    locked = login(client, "alice", PASSWORD)
    assert set(wrong) == {WRONG} and error_text(locked) == WRONG and not logged_in(client)
    assert results("alice") == [R.FAILED] * 5 + [R.LOCKED]
    # The count is in the database: a new browser (no shared state) is locked out as well.
    from django.test import Client

    assert error_text(login(Client(), "alice", PASSWORD)) == WRONG


def test_failures_written_by_another_process_lock_too(client, alice):
    LoginRecord.objects.bulk_create([LoginRecord(username="alice", result=R.FAILED, ip="10.0.0.1") for _ in range(5)])
    assert security.is_locked("alice")
    assert error_text(login(client, "alice", PASSWORD)) == WRONG and not logged_in(client)


def test_lockout_ends_after_the_window_and_success_resets_the_count(client, alice):
    for _ in range(5):
        login(client, "alice", "bad")
    LoginRecord.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=16))
    assert login(client, "alice", PASSWORD).status_code == 302
    client.post(reverse("org:logout"))
    for _ in range(4):
        login(client, "alice", "bad")
    assert not security.is_locked("alice")
    assert login(client, "alice", PASSWORD).status_code == 302


def test_allowlist_parsing():
    nets = security.parse_allowlist("10.0.0.0/8\n# office\n203.0.113.7  # boss at home\n2001:db8::/32\n")
    assert [str(n) for n in nets] == ["10.0.0.0/8", "203.0.113.7/32", "2001:db8::/32"]
    with pytest.raises(Exception, match="300.1.1.1"):
        security.parse_allowlist("10.0.0.0/8\n300.1.1.1")


def test_global_allowlist_at_login_and_spoofed_forwarded_for(client, alice, settings):
    SecurityPolicy.objects.update_or_create(pk=1, defaults={"ip_allowlist": "10.0.0.0/8"})
    response = login(client, "alice", PASSWORD, ip="192.168.1.5")
    assert error_text(response) == "Login from this address is not allowed." and not logged_in(client)
    # A client cannot claim an allowed address in X-Forwarded-For unless it comes through a trusted proxy.
    assert login(client, "alice", PASSWORD, ip="192.168.1.5", xff="10.1.2.3").status_code == 200
    assert not logged_in(client)
    settings.TRUSTED_PROXIES = ["192.168.1.5"]
    # Through the proxy, the forged left-most hop is ignored: the proxy saw 203.0.113.9.
    assert login(client, "alice", PASSWORD, ip="192.168.1.5", xff="10.1.2.3, 203.0.113.9").status_code == 200
    assert login(client, "alice", PASSWORD, ip="192.168.1.5", xff="10.1.2.3").status_code == 302
    assert logged_in(client)
    assert list(LoginRecord.objects.values_list("ip", "result").order_by("id")) == [
        ("192.168.1.5", R.BLOCKED_IP), ("192.168.1.5", R.BLOCKED_IP), ("203.0.113.9", R.BLOCKED_IP), ("10.1.2.3", R.SUCCESS)]


def test_role_allowlists():
    office = make_role(ip_allowlist="10.0.0.0/8")
    branch = make_role(ip_allowlist="172.16.0.0/12")
    open_role = make_role()
    both = make_user(roles=[office, branch])
    office_only = make_user(roles=[office, open_role])
    free = make_user(roles=[open_role])
    assert security.ip_allowed(both, "10.1.1.1") and security.ip_allowed(both, "172.16.5.5")
    assert not security.ip_allowed(both, "192.168.1.1")
    assert not security.ip_allowed(office_only, "192.168.1.1")  # a role without a list does not open it
    assert security.ip_allowed(free, "192.168.1.1")
    SecurityPolicy.objects.update_or_create(pk=1, defaults={"ip_allowlist": "10.0.0.0/8"})
    assert not security.ip_allowed(both, "172.16.5.5")  # global AND role
    assert not security.ip_allowed(free, "172.16.5.5") and security.ip_allowed(free, "10.2.2.2")


def test_role_allowlist_at_login_and_on_every_request(client):
    user = make_user("bob", roles=[make_role(ip_allowlist="10.0.0.0/8")])
    assert error_text(login(client, "bob", PASSWORD, ip="192.168.0.2")) == "Login from this address is not allowed."
    assert login(client, "bob", PASSWORD, ip="10.0.0.2").status_code == 302
    assert client.get(reverse("org:profile"), REMOTE_ADDR="10.0.0.2").status_code == 200
    key = client.session.session_key
    # The same session used from outside the list is ended at once.
    response = client.get(reverse("org:profile"), REMOTE_ADDR="192.168.0.2")
    assert response.status_code == 302 and response.url == reverse("org:login")
    assert not Session.objects.filter(session_key=key).exists()
    assert LoginRecord.objects.get(user=user, result=R.SUCCESS).logout_at is not None


def enable_totp(user) -> pyotp.TOTP:
    user.totp_secret, user.totp_enabled = pyotp.random_base32(), True
    user.save()
    return pyotp.TOTP(user.totp_secret)


def test_totp_second_step(client, alice):
    totp = enable_totp(alice)
    response = login(client, "alice", PASSWORD)
    assert response.url == reverse("org:login_totp") and not logged_in(client)
    assert client.get(reverse("org:profile")).status_code == 302  # still anonymous
    response = client.post(reverse("org:login_totp"), {"code": "000000" if totp.now() != "000000" else "111111"})
    assert "Wrong verification code." in response.content.decode() and not logged_in(client)
    response = client.post(reverse("org:login_totp"), {"code": totp.now()})
    assert response.status_code == 302 and logged_in(client)
    assert results("alice") == [R.BAD_TOTP, R.SUCCESS]
    assert LoginRecord.objects.get(result=R.SUCCESS).session_key == client.session.session_key
    # The same code cannot be used twice.
    client.post(reverse("org:logout"))
    login(client, "alice", PASSWORD)
    client.post(reverse("org:login_totp"), {"code": totp.now()})
    assert not logged_in(client)


def test_wrong_codes_count_towards_the_lockout(client, alice):
    enable_totp(alice)
    login(client, "alice", PASSWORD)
    for code in ("abcdef", "12345", "000000", "1", "x"):
        assert client.post(reverse("org:login_totp"), {"code": code}).status_code == 200
    assert results("alice") == [R.BAD_TOTP] * 5 and security.is_locked("alice")
    response = client.post(reverse("org:login_totp"), {"code": pyotp.TOTP(alice.totp_secret).now()}, follow=True)
    assert error_text(response) == "" and WRONG in response.content.decode() and not logged_in(client)
    assert results("alice")[-1] == R.LOCKED


def test_pending_totp_login_expires(client, alice):
    enable_totp(alice)
    login(client, "alice", PASSWORD)
    session = client.session
    session["_zg_pending_login"]["at"] -= security.PENDING_LOGIN_SECONDS + 1
    session.save()
    response = client.post(reverse("org:login_totp"), {"code": pyotp.TOTP(alice.totp_secret).now()})
    assert response.url == reverse("org:login") and not logged_in(client)


def test_disabled_or_left_user_is_logged_out_by_the_next_request(client, alice):
    login(client, "alice", PASSWORD)
    User.objects.filter(pk=alice.pk).update(status=User.Status.LEFT)  # even if is_active was left on
    response = client.get(reverse("org:profile"))
    assert response.status_code == 302 and response.url == reverse("org:login") and not logged_in(client)
    User.objects.filter(pk=alice.pk).update(status=User.Status.ACTIVE)
    login(client, "alice", PASSWORD)
    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert client.get(reverse("org:profile")).status_code == 302 and not logged_in(client)


def test_end_sessions_uses_login_records(client, alice, django_user_model):
    from django.test import Client

    other, bob_client = Client(), Client()
    login(client, "alice", PASSWORD)
    login(other, "alice", PASSWORD)
    login(bob_client, make_user("bob").username, PASSWORD)
    Token.objects.create(user=alice)
    assert services.end_sessions(alice) == 2
    assert not Token.objects.filter(user=alice).exists()
    assert client.get(reverse("org:profile")).status_code == 302
    assert other.get(reverse("org:profile")).status_code == 302
    assert bob_client.get(reverse("org:profile")).status_code == 200  # someone else's session is untouched
    assert not LoginRecord.objects.filter(user=alice, logout_at__isnull=True, result=R.SUCCESS).exists()


def test_leaving_ends_sessions(client, alice, admin_user):
    login(client, "alice", PASSWORD)
    key = client.session.session_key
    services.user_leave(actor=admin_user, user=alice, release_to_pool=True)
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("org:profile")).status_code == 302


def test_idle_session_times_out(client, alice, settings):
    login(client, "alice", PASSWORD)
    session = Session.objects.get(session_key=client.session.session_key)
    age = (session.expire_date - timezone.now()).total_seconds()
    assert abs(age - settings.SESSION_COOKIE_AGE) < 60
    # A request pushes the end back (timeout counts from the last request), at most once a minute ...
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + datetime.timedelta(minutes=1))
    assert client.get(reverse("org:profile")).status_code == 200
    assert Session.objects.get(pk=session.pk).expire_date < timezone.now() + datetime.timedelta(minutes=1)
    stored = client.session
    stored[REFRESHED] -= REFRESH_SECONDS  # the last push was a minute ago
    stored.save()
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + datetime.timedelta(minutes=1))
    assert client.get(reverse("org:profile")).status_code == 200
    assert Session.objects.get(pk=session.pk).expire_date > timezone.now() + datetime.timedelta(minutes=5)
    # ... and an idle one is over.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(reverse("org:profile")).status_code == 302


def test_logout_records_time_and_needs_post(client, alice):
    login(client, "alice", PASSWORD)
    assert client.get(reverse("org:logout")).status_code == 405 and logged_in(client)
    assert client.post(reverse("org:logout")).url == reverse("org:login")
    assert not logged_in(client)
    assert LoginRecord.objects.get(result=R.SUCCESS).logout_at is not None
    assert AuditLog.objects.filter(action="logout", object_id=alice.pk).exists()


# --- the same lockout across two server processes ------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
# Runs a management command in a fresh process; MD5 only to keep the test fast, the lockout logic is the real one.
BOOT = """
import sys
from django.conf import settings
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
import django
django.setup()
from django.core.management import call_command
if sys.argv[1] == "setup":
    call_command("migrate", verbosity=0)
    from org.models import User
    User.objects.create_user(username="carol", password="Right-pass-2026")
else:
    call_command(*sys.argv[1:])
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=10) as response:
            return response.read().decode()

    def login(self, username: str, password: str) -> tuple[str, str]:
        """Returns (final path, login error text) after posting the form as it was served."""
        html = self.get("/org/login/")
        data = {"username": username, "password": password,
                "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)}
        key = re.search(r'name="captcha_0" value="([^"]+)"', html)
        if key:
            data.update(captcha_0=key.group(1), captcha_1="PASSED")  # CAPTCHA_TEST_MODE is on in these servers
        request = urllib.request.Request(self.base + "/org/login/", data=urllib.parse.urlencode(data).encode())
        with self.opener.open(request, timeout=10) as response:
            body = response.read().decode()
            return urllib.parse.urlparse(response.geturl()).path, error_text(type("R", (), {"content": body.encode()}))


def test_lockout_holds_across_two_server_processes(tmp_path):
    """Two runserver processes on one SQLite file; no marker, so it runs with the normal suite in CI (~15 s)."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "TASKS_BACKEND"}}
    env.update(VAR_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", CAPTCHA_TEST_MODE="1",
               DEBUG="0", SIMPLE_STATIC="1", ALLOWED_HOSTS="127.0.0.1", DJANGO_SETTINGS_MODULE="zhanggui.settings", LANGUAGE_CODE="en")
    subprocess.run([sys.executable, "-c", BOOT, "setup"], cwd=ROOT, env=env, check=True, timeout=300)  # every migration from scratch, on a busy CI machine
    ports = [_free_port(), _free_port()]
    servers = [subprocess.Popen([sys.executable, "-c", BOOT, "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{port}"],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / f"{port}.log", "w"))
               for port in ports]
    try:
        browsers = [Browser(f"http://127.0.0.1:{port}") for port in ports]
        deadline = time.monotonic() + 20
        for browser in browsers:
            while True:
                try:
                    browser.get("/org/login/")
                    break
                except urllib.error.HTTPError:
                    raise
                except OSError:  # not listening yet
                    assert time.monotonic() < deadline, "server did not start"
                    time.sleep(0.2)
        # Five wrong passwords, alternating between the two processes.
        wrong = [browsers[i % 2].login("carol", "wrong") for i in range(5)]
        assert {path for path, _e in wrong} == {"/org/login/"} and len({e for _p, e in wrong}) == 1
        # Now the right password is refused on both, with exactly the wrong-password message.
        for browser in browsers:
            path, error = browser.login("carol", "Right-pass-2026")
            assert path == "/org/login/" and error == wrong[0][1] == WRONG
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
