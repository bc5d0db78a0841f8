"""The public web form (网页表单): anyone may submit it, so every submission is checked for spam.

* honeypot: a field people never see; a filled one means a robot (answered as if accepted, nothing kept);
* minimum fill time: the form carries a signed timestamp; a submission faster than
  ``MIN_FILL_SECONDS`` or with a missing, forged or day-old stamp is refused;
* rate limit: submissions per client address (``core.context.client_ip``, which trusts only the
  configured proxies) are counted in the database; past the form's hourly limit a captcha is asked;
* CSRF stays on (the page sets its own token).

An accepted submission creates exactly one lead, unowned in the pool or — when the form routes to a
team — given to the next member in turn (marketing.routing).
"""

from __future__ import annotations

import datetime
import time

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.audit import Action

from .models import Lead, WebForm, WebFormHit

MIN_FILL_SECONDS = 3
MAX_FORM_AGE = 24 * 3600
SALT = "marketing.web-form"
HONEYPOT = "homepage"


def stamp(form: WebForm) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(form.pk))


def stamp_error(form: WebForm, token: str, *, now: float | None = None) -> str:
    """Why the stamp is refused, or "" when the form was filled in a human time."""
    signer = signing.TimestampSigner(salt=SALT)
    try:
        value = signer.unsign(token or "", max_age=MAX_FORM_AGE)
        # unsign checks the age; the signing time itself tells how fast the form came back.
        signed_at = signing.b62_decode(token.rsplit(signer.sep, 2)[1])
    except (signing.BadSignature, IndexError, ValueError):
        return _("The form has expired. Please fill it in again.")
    if value != str(form.pk):
        return _("The form has expired. Please fill it in again.")
    if (now if now is not None else time.time()) - signed_at < MIN_FILL_SECONDS:
        return _("That was very fast. Please check your entries and send the form again.")
    return ""


def recent_hits(ip: str | None) -> int:
    """Submissions from the address within the last hour, over all forms."""
    if not ip:
        return 0
    since = timezone.now() - datetime.timedelta(hours=1)
    return WebFormHit.objects.filter(ip=ip, created_at__gte=since).count()


def needs_captcha(form: WebForm, ip: str | None) -> bool:
    # An address we cannot tell is treated as a busy one.
    return ip is None or recent_hits(ip) >= form.hourly_limit


def record_hit(*, form: WebForm, ip: str | None, result: str, lead: Lead | None = None) -> WebFormHit:
    return WebFormHit.objects.create(form=form, ip=ip, result=result, lead=lead)


@transaction.atomic
def submit(*, form: WebForm, data: dict, ip: str | None) -> Lead:
    """Create the lead of an accepted submission (the caller has run the spam checks and the form's
    validation). Routed round-robin when the form names an active team with working members."""
    from django.core.exceptions import ValidationError

    from .routing import take_turns
    from .services import _refresh_hint, clean_data

    values = {k: v for k, v in data.items() if k in ("contact_name", *dict(WebForm.FIELD_CHOICES))}
    values = clean_data(values, current=None)
    lead = Lead(**values, status=Lead.Status.NEW, origin=Lead.Origin.WEB_FORM, web_form=form, source=form.source,
                campaign=form.campaign, source_detail=form.title[:200])
    owner = None
    if form.team_id and form.team.active:
        try:
            owner = take_turns(form.team, 1)[0]
        except ValidationError:
            owner = None  # a team without members: the lead waits in the pool
    if owner is not None:
        lead.owner, lead.department, lead.assigned_at = owner, owner.department, timezone.now()
    elif form.team_id and form.team.department_id:
        # Unassigned, but the team's managers (department scope) see it in their pool.
        lead.department = form.team.department
    lead.full_clean()
    lead.save()
    # The submitter is nobody we know: the entry has no actor and carries the address (audit context).
    audit.log(actor=None, action=Action.CREATE, instance=lead, message=_("Web form: %(form)s") % {"form": form.title},
              changes=audit.diff({}, audit.snapshot(lead)))
    audit.record_version(lead, actor=None, comment=_("Web form"))
    record_hit(form=form, ip=ip, result=WebFormHit.Result.ACCEPTED, lead=lead)
    _refresh_hint(lead)
    return lead
