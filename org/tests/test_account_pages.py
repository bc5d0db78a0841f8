"""Profile, password change, two-factor setup, login history and the security policy page; who may see and change what."""

import datetime
import re

import pyotp
import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from core.models import AuditLog
from core.navigation import menu_for
from core.testing import PASSWORD, make_department, make_role, make_user
from org import security
from org.models import LoginRecord, SecurityPolicy, User
from org.tests.test_login_security import login

pytestmark = pytest.mark.django_db
R = LoginRecord.Result
PAGES = ["profile", "password_change", "totp_setup", "totp_disable", "login_history", "security_policy"]


@pytest.fixture(autouse=True)
def english(settings):
    # Messages are compared with their English source, whatever the Chinese catalogue says.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def alice():
    return make_user("alice", department=make_department("华东销售部"), roles=[make_role(name="业务员")],
                     title="销售经理", last_name="王", first_name="丽")


@pytest.fixture
def as_alice(client, alice):
    client.force_login(alice)
    return client


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(f"org:{name}"))
    assert response.status_code == 302 and response.url.startswith(reverse("org:login"))


def test_profile_shows_the_account(as_alice):
    html = as_alice.get(reverse("org:profile")).content.decode()
    for text in ("王丽", "华东销售部", "业务员", "销售经理", reverse("org:login_history"), reverse("org:totp_setup")):
        assert text in html


def test_profile_edits_only_contact_details(as_alice, alice):
    response = as_alice.post(reverse("org:profile"), {
        "last_name": "李", "first_name": "娜", "email": "li.na@example.cn", "phone": "13800138000",
        "username": "hacker", "is_superuser": "on", "title": "总经理"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.get_full_name(), alice.email, alice.phone) == ("李娜", "li.na@example.cn", "13800138000")
    assert (alice.username, alice.is_superuser, alice.title) == ("alice", False, "销售经理")
    entry = AuditLog.objects.get(action="update", object_id=alice.pk)
    assert entry.changes["phone"] == ["", "13800138000"]


def test_profile_refuses_a_bad_email(as_alice, alice):
    response = as_alice.post(reverse("org:profile"), {"last_name": "李", "first_name": "", "email": "not-an-email", "phone": ""})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    alice.refresh_from_db()
    assert alice.last_name == "王" and not AuditLog.objects.filter(action="update").exists()


def _secret_on_page(html: str) -> str:
    return re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")


def test_totp_setup_and_disable(as_alice, alice):
    html = as_alice.get(reverse("org:totp_setup")).content.decode()
    assert "<svg" in html and "<path" in html  # the QR code, inline
    secret = _secret_on_page(html)
    assert as_alice.post(reverse("org:totp_setup"), {"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"}).status_code == 200
    alice.refresh_from_db()
    assert not alice.totp_enabled
    assert as_alice.post(reverse("org:totp_setup"), {"code": pyotp.TOTP(secret).now()}).url == reverse("org:profile")
    alice.refresh_from_db()
    assert alice.totp_enabled and alice.totp_secret == secret
    assert AuditLog.objects.filter(object_id=alice.pk, changes__totp_enabled=[False, True]).exists()
    # Turning it off needs the password.
    assert as_alice.post(reverse("org:totp_disable"), {"password": "wrong"}).status_code == 200
    alice.refresh_from_db()
    assert alice.totp_enabled
    assert as_alice.post(reverse("org:totp_disable"), {"password": PASSWORD}).url == reverse("org:profile")
    alice.refresh_from_db()
    assert not alice.totp_enabled and alice.totp_secret == ""


def test_policy_requiring_totp_sends_to_setup_and_forbids_turning_off(as_alice, alice):
    SecurityPolicy.objects.update_or_create(pk=1, defaults={"require_totp": True})
    assert as_alice.get(reverse("core:home")).url == reverse("org:totp_setup")
    assert as_alice.get(reverse("org:totp_setup")).status_code == 200
    User.objects.filter(pk=alice.pk).update(totp_enabled=True, totp_secret=pyotp.random_base32())
    assert as_alice.get(reverse("core:home")).status_code == 200
    response = as_alice.post(reverse("org:totp_disable"), {"password": PASSWORD})
    assert response.status_code == 200 and User.objects.get(pk=alice.pk).totp_enabled


def _records(user, other):
    now = timezone.now()
    rows = [LoginRecord(user=user, username=user.username, result=R.SUCCESS, ip="10.0.0.1"),
            LoginRecord(user=user, username=user.username, result=R.FAILED, ip="10.0.0.2"),
            LoginRecord(user=other, username=other.username, result=R.SUCCESS, ip="10.0.0.99")]
    LoginRecord.objects.bulk_create(rows)
    LoginRecord.objects.filter(ip="10.0.0.2").update(created_at=now - datetime.timedelta(days=10))


def _ips(response) -> set[str]:
    return set(re.findall(r"<td>(10\.0\.0\.\d+)</td>", response.content.decode()))


def test_user_sees_only_own_login_history(as_alice, alice):
    bob = make_user("bob")
    _records(alice, bob)
    url = reverse("org:login_history")
    assert _ips(as_alice.get(url)) == {"10.0.0.1", "10.0.0.2"}
    # Naming another user in the query changes nothing.
    assert _ips(as_alice.get(url, {"user": bob.pk})) == {"10.0.0.1", "10.0.0.2"}
    assert _ips(as_alice.get(url, {"result": R.FAILED})) == {"10.0.0.2"}


def test_admin_sees_all_with_filters_and_pages(client, alice, admin_user):
    bob = make_user("bob")
    _records(alice, bob)
    client.force_login(admin_user)
    url = reverse("org:login_history")
    assert _ips(client.get(url)) == {"10.0.0.1", "10.0.0.2", "10.0.0.99"}
    assert _ips(client.get(url, {"user": bob.pk})) == {"10.0.0.99"}
    assert _ips(client.get(url, {"user": alice.pk, "result": R.SUCCESS})) == {"10.0.0.1"}
    week_ago = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    assert _ips(client.get(url, {"date_from": week_ago})) == {"10.0.0.1", "10.0.0.99"}
    assert _ips(client.get(url, {"date_to": week_ago})) == {"10.0.0.2"}
    LoginRecord.objects.bulk_create([LoginRecord(username="x", result=R.FAILED, ip="10.0.1.1") for _ in range(60)])
    html = client.get(url, {"page": 2}).content.decode()
    assert html.count('data-testid="login-row"') == 13 and "2 / 2" in html


def test_security_policy_is_for_superusers_only(as_alice, alice):
    alice.is_staff = True
    alice.save()
    url = reverse("org:security_policy")
    assert as_alice.get(url).status_code == 404
    assert as_alice.post(url, {"captcha_after": 9, "lockout_after": 9, "lockout_minutes": 1,
                               "password_min_length": 4, "password_max_age_days": 0}).status_code == 404
    assert SecurityPolicy.current().lockout_after == 5


def _policy_data(**over):
    data = {"captcha_after": 2, "lockout_after": 4, "lockout_minutes": 30, "ip_allowlist": "",
            "password_min_length": 10, "password_max_age_days": 90}
    data.update(over)
    return data


def test_superuser_edits_the_policy_with_audit(client, admin_user):
    client.force_login(admin_user)
    url = reverse("org:security_policy")
    assert client.post(url, _policy_data(ip_allowlist="127.0.0.1\n10.0.0.0/8")).url == url
    policy = SecurityPolicy.current()
    assert (policy.captcha_after, policy.lockout_after, policy.password_max_age_days) == (2, 4, 90)
    entry = AuditLog.objects.get(action="update", object_repr="Security policy")
    assert entry.changes["lockout_after"] == [5, 4] and entry.actor == admin_user
    assert "lockout_after" in client.get(url).content.decode()


@pytest.mark.parametrize("bad", [{"ip_allowlist": "10.0.0.0/8\nnot-an-ip"}, {"ip_allowlist": "10.0.0.0/8"},
                                 {"lockout_minutes": 0}, {"password_min_length": 2}, {"captcha_after": -1}])
def test_bad_policy_is_refused_and_changes_nothing(client, admin_user, bad):
    client.force_login(admin_user)
    response = client.post(reverse("org:security_policy"), _policy_data(**bad))
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert SecurityPolicy.current().lockout_after == 5 and not AuditLog.objects.filter(action="update").exists()


def test_menu_entries(alice, admin_user):
    def labels(user):
        request = RequestFactory().get("/")
        request.user = user
        return {child["label"] for item in menu_for(request) for child in item["children"]}

    assert {"Security policy", "Login history"} <= {str(x) for x in labels(admin_user)}
    assert "Login history" in {str(x) for x in labels(alice)} and "Security policy" not in {str(x) for x in labels(alice)}


# --- passwords: forced change, expiry, policy length ----------------------------------------------------

def test_forced_password_change(client, alice):
    User.objects.filter(pk=alice.pk).update(must_change_password=True)
    login(client, "alice", PASSWORD)
    assert client.get(reverse("core:home")).url == reverse("org:password_change")
    old_key = client.session.session_key
    response = client.post(reverse("org:password_change"), {
        "old_password": PASSWORD, "new_password1": "Brand-new-2026", "new_password2": "Brand-new-2026"})
    assert response.url == reverse("org:profile")
    alice.refresh_from_db()
    assert not alice.must_change_password and alice.password_changed_at and alice.check_password("Brand-new-2026")
    assert client.get(reverse("core:home")).status_code == 200  # still logged in, no more redirect
    # The login record follows the new session key, so ending sessions still finds it.
    assert LoginRecord.objects.get(result=R.SUCCESS).session_key == client.session.session_key != old_key


def test_password_change_refuses_bad_input(client, alice):
    login(client, "alice", PASSWORD)
    url = reverse("org:password_change")
    assert client.post(url, {"old_password": "wrong", "new_password1": "Brand-new-2026",
                             "new_password2": "Brand-new-2026"}).status_code == 200
    assert client.post(url, {"old_password": PASSWORD, "new_password1": "Brand-new-2026",
                             "new_password2": "Brand-new-2027"}).status_code == 200
    SecurityPolicy.objects.update_or_create(pk=1, defaults={"password_min_length": 16})
    response = client.post(url, {"old_password": PASSWORD, "new_password1": "Brand-new-2026", "new_password2": "Brand-new-2026"})
    assert "at least 16 characters" in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_policy_length_validator():
    SecurityPolicy.objects.update_or_create(pk=1, defaults={"password_min_length": 12})
    validator = security.PolicyMinimumLengthValidator()
    with pytest.raises(Exception, match="12"):
        validator.validate("short-pass1")
    validator.validate("long-enough-pass")


def test_expired_password_must_be_changed(client, alice):
    SecurityPolicy.objects.update_or_create(pk=1, defaults={"password_max_age_days": 30})
    User.objects.filter(pk=alice.pk).update(password_changed_at=timezone.now() - datetime.timedelta(days=31))
    login(client, "alice", PASSWORD)
    assert client.get(reverse("core:home")).url == reverse("org:password_change")
    User.objects.filter(pk=alice.pk).update(password_changed_at=timezone.now())
    assert client.get(reverse("core:home")).status_code == 200
