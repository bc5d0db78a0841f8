"""Follow-ups, their attachments and comments, the follow-ups due, and the customer 360 page
(included from customers/urls.py, namespace "customers")."""

from django.urls import path

from . import views_360, views_followup
from .ui_followups import FollowUpUI

urlpatterns = [
    path("followup/due/", views_followup.due_followups, name="followup_due"),
    path("followup/contact-options/", views_followup.contact_options, name="followup_contact_options"),
    path("followup/<int:pk>/attachments/", views_followup.attachments_upload, name="followup_attachments"),
    path("followup/<int:pk>/comments/", views_followup.comment_post, name="followup_comment"),
    path("followup/attachment/<int:pk>/", views_followup.attachment_download, name="followup_attachment"),
    path("followup/attachment/<int:pk>/delete/", views_followup.attachment_delete, name="followup_attachment_delete"),
    *FollowUpUI.urls(),
    path("customer/<int:pk>/360/", views_360.customer_360, name="customer_360"),
    path("customer/<int:pk>/360/<slug:key>/", views_360.customer_360_tab, name="customer_360_tab"),
]
