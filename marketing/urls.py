"""Pages of the marketing app (namespace "marketing")."""

from django.urls import path

from . import views_admin, views_convert, views_lead, views_public
from .ui import LeadUI

app_name = "marketing"
urlpatterns = [
    path("lead/pool/", views_lead.lead_pool, name="lead_pool"),
    path("lead/batch-actions/", views_lead.lead_batch_actions, name="lead_batch_actions"),
    path("lead/<int:pk>/convert/", views_convert.lead_convert, name="lead_convert"),
    path("lead/<int:pk>/lose/", views_lead.lead_lose, name="lead_lose"),
    path("lead/<int:pk>/reopen/", views_lead.lead_reopen, name="lead_reopen"),
    path("lead/<int:pk>/assign-next/", views_lead.lead_assign_next, name="lead_assign_next"),
    path("lead/<int:pk>/merge/", views_lead.lead_merge, name="lead_merge"),
    *LeadUI.urls(),
    path("teams/", views_admin.team_list, name="team_list"),
    path("teams/new/", views_admin.team_edit, name="team_create"),
    path("teams/<int:pk>/", views_admin.team_edit, name="team_edit"),
    path("web-forms/", views_admin.form_list, name="form_list"),
    path("web-forms/new/", views_admin.form_edit, name="form_create"),
    path("web-forms/<int:pk>/", views_admin.form_edit, name="form_edit"),
    path("web-form/<slug:slug>/", views_public.web_form, name="web_form"),
]
