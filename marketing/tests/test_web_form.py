"""The public web form: honeypot, minimum fill time, per-address rate limit → captcha, CSRF, routing."""

import time

import pytest
from captcha.models import CaptchaStore
from django.core import signing
from django.test import Client
from django.urls import reverse

from core.basedata import get_item
from marketing import webform
from marketing.models import Lead, WebForm, WebFormHit

from .world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


@pytest.fixture
def form(w):
    return WebForm.objects.create(slug="trial", title="申请试用", fields=["company", "mobile", "email", "requirement"],
                                  required=["mobile"], source=get_item("customer_source", "website"),
                                  campaign="官网试用", hourly_limit=3)


def old_stamp(form, seconds=10) -> str:
    """A stamp signed ``seconds`` ago, as a person who took that long to fill the form would send."""
    signer = signing.TimestampSigner(salt=webform.SALT)
    signer.timestamp = lambda: signing.b62_encode(int(time.time()) - seconds)
    return signer.sign(str(form.pk))


def post(client, form, *, ip="203.0.113.7", stamp=None, captcha=False, **data):
    values = {"contact_name": "李娜", "company": "苏州工业园某某科技", "mobile": "13912345678", "email": "",
              "requirement": "想要报价", "stamp": stamp if stamp is not None else old_stamp(form)}
    values.update(data)
    if captcha:
        key = CaptchaStore.generate_key()
        values.update(captcha_0=key, captcha_1=CaptchaStore.objects.get(hashkey=key).response)
    return client.post(reverse("marketing:web_form", args=[form.slug]), values, REMOTE_ADDR=ip)


def test_page_is_public_and_embeddable(client, form):
    response = client.get(reverse("marketing:web_form", args=["trial"]))
    assert response.status_code == 200
    assert 'name="homepage"' in response.content.decode() and 'name="stamp"' in response.content.decode()
    assert "X-Frame-Options" not in response
    assert client.get(reverse("marketing:web_form", args=["nope"])).status_code == 404
    WebForm.objects.filter(pk=form.pk).update(active=False)
    assert client.get(reverse("marketing:web_form", args=["trial"])).status_code == 404


def test_valid_submission_creates_exactly_one_lead_in_the_pool(client, form):
    response = post(client, form)
    assert response.status_code == 200 and 'data-testid="web-form-done"' in response.content.decode()
    lead = Lead.objects.get()
    assert (lead.contact_name, lead.company, lead.mobile) == ("李娜", "苏州工业园某某科技", "13912345678")
    assert lead.owner is None and lead.origin == "web_form" and lead.web_form == form
    assert lead.source.code == "website" and lead.campaign == "官网试用" and lead.status == "new"
    assert WebFormHit.objects.get().result == "accepted"


def test_honeypot_keeps_nothing_but_says_thanks(client, form):
    response = post(client, form, homepage="http://spam.example")
    assert 'data-testid="web-form-done"' in response.content.decode()
    assert Lead.objects.count() == 0
    assert WebFormHit.objects.get().result == "spam"


def test_too_fast_or_forged_stamp_is_refused(client, form):
    fast = post(client, form, stamp=webform.stamp(form))
    assert fast.status_code == 400 and "very fast" in fast.content.decode()
    forged = post(client, form, stamp=f"{form.pk}:abc:def")
    assert forged.status_code == 400 and "expired" in forged.content.decode()
    other = WebForm.objects.create(slug="other", title="其他", fields=["mobile"], required=["mobile"])
    wrong_form = post(client, form, stamp=old_stamp(other))
    assert wrong_form.status_code == 400
    assert Lead.objects.count() == 0


def test_invalid_input_is_refused_and_changes_nothing(client, form):
    response = post(client, form, mobile="")
    assert response.status_code == 400
    response = post(client, form, mobile="12")
    assert response.status_code == 400 and "valid phone" in response.content.decode()
    assert Lead.objects.count() == 0


def test_rate_limit_brings_the_captcha(client, form):
    for i in range(3):
        assert post(client, form, mobile=f"1391234{i:04d}").status_code == 200
    assert Lead.objects.count() == 3
    page = client.get(reverse("marketing:web_form", args=["trial"]), REMOTE_ADDR="203.0.113.7")
    assert 'name="captcha_1"' in page.content.decode()
    refused = post(client, form, mobile="13912340009")
    assert refused.status_code == 400 and Lead.objects.count() == 3
    assert post(client, form, mobile="13912340009", captcha=True).status_code == 200
    assert Lead.objects.count() == 4
    # Another address is not slowed down.
    assert 'name="captcha_1"' not in client.get(reverse("marketing:web_form", args=["trial"]),
                                                REMOTE_ADDR="198.51.100.1").content.decode()


def test_rate_limit_uses_the_client_address_behind_trusted_proxies_only(client, form, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    for i in range(3):
        client.post(reverse("marketing:web_form", args=["trial"]),
                    {"contact_name": "王", "mobile": f"1391234{i:04d}", "stamp": old_stamp(form)},
                    REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
    assert set(WebFormHit.objects.values_list("ip", flat=True)) == {"198.51.100.0", "198.51.100.1", "198.51.100.2"}
    # A spoofed header from an untrusted peer does not hide the peer's address.
    client.post(reverse("marketing:web_form", args=["trial"]),
                {"contact_name": "王", "mobile": "13912349999", "stamp": old_stamp(form)},
                REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert WebFormHit.objects.filter(ip="203.0.113.9").exists()


def test_csrf_stays_on(form):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("marketing:web_form", args=["trial"]),
                           {"contact_name": "李", "mobile": "13912345678", "stamp": old_stamp(form)})
    assert response.status_code == 403 and Lead.objects.count() == 0


def test_form_with_team_routes_round_robin(client, w, form):
    form.team = w.team
    form.save()
    post(client, form, mobile="13912340001")
    post(client, form, mobile="13912340002", ip="203.0.113.8")
    post(client, form, mobile="13912340003", ip="203.0.113.9")
    owners = list(Lead.objects.order_by("id").values_list("owner__username", flat=True))
    assert owners == ["seller_a", "seller_b", "seller_a"]
    assert all(Lead.objects.values_list("assigned_at", flat=True))


def test_team_without_members_leaves_the_lead_in_the_pool(client, w, form):
    w.team.members.set([])
    w.team.department = None
    w.team.save()
    form.team = w.team
    form.save()
    post(client, form)
    assert Lead.objects.get().owner is None


def test_old_submission_records_are_purged(form):
    import datetime

    from django.utils import timezone

    from marketing.tasks import purge_web_form_hits

    old = webform.record_hit(form=form, ip="203.0.113.7", result="spam")
    WebFormHit.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=31))
    recent = webform.record_hit(form=form, ip="203.0.113.7", result="accepted")
    assert purge_web_form_hits() == 1
    assert list(WebFormHit.objects.values_list("pk", flat=True)) == [recent.pk]
