"""The public web form page: no login; the spam checks of marketing.webform run on every submission."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_protect

from core.context import client_ip

from . import webform
from .forms import public_form_class
from .models import WebForm, WebFormHit


def _page(request, web_form, form, *, status: int = 200, done: bool = False):
    return render(request, "marketing/web_form.html", {"web_form": web_form, "form": form, "done": done,
                                                       "honeypot": webform.HONEYPOT}, status=status)


def _fresh(web_form, form_class):
    form = form_class()
    form.initial["stamp"] = webform.stamp(web_form)
    return form


def _restamp(web_form, form):
    """A re-shown form gets a new stamp, so the visitor's next try is timed from now."""
    form.data = form.data.copy()
    form.data["stamp"] = webform.stamp(web_form)
    return form


@csrf_protect
@xframe_options_exempt  # meant to be embedded in the company's website (see the embed snippet)
def web_form(request, slug: str):
    web_form = WebForm.objects.filter(slug=slug, active=True).select_related("team", "source").first()
    if web_form is None:
        raise Http404
    ip = client_ip(request)
    captcha = webform.needs_captcha(web_form, ip)
    form_class = public_form_class(web_form, with_captcha=captcha)
    if request.method != "POST":
        return _page(request, web_form, _fresh(web_form, form_class))
    if request.POST.get(webform.HONEYPOT):
        # A robot: it is told "thank you" so it learns nothing, and nothing is kept but the count.
        webform.record_hit(form=web_form, ip=ip, result=WebFormHit.Result.SPAM)
        return _page(request, web_form, None, done=True)
    problem = webform.stamp_error(web_form, request.POST.get("stamp", ""))
    form = form_class(request.POST)
    valid = form.is_valid()
    if problem:
        webform.record_hit(form=web_form, ip=ip, result=WebFormHit.Result.SPAM)
        form.add_error(None, problem)
        return _page(request, web_form, _restamp(web_form, form), status=400)
    if not valid:
        return _page(request, web_form, _restamp(web_form, form), status=400)
    data = {k: v for k, v in form.cleaned_data.items() if k not in ("captcha", "stamp", webform.HONEYPOT)}
    try:
        webform.submit(form=web_form, data=data, ip=ip)
    except ValidationError as exc:
        webform.record_hit(form=web_form, ip=ip, result=WebFormHit.Result.INVALID)
        pairs = exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
        for field, errors in pairs:
            form.add_error(field if field in form.fields else None, errors)
        return _page(request, web_form, _restamp(web_form, form), status=400)
    return _page(request, web_form, None, done=True)
