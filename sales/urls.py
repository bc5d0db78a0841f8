"""Pages of the sales app (namespace "sales")."""

from django.urls import path

from . import views, views_board
from .ui import ContactRecordUI, MaintenanceRecordUI, OpportunityUI, ProjectUI
from .ui_quotes import QuoteUI

app_name = "sales"
urlpatterns = [
    path("opportunity/board/", views_board.board, name="opportunity_board"),
    path("opportunity/<int:pk>/move/", views_board.move, name="opportunity_move"),
    path("opportunity/<int:pk>/do/<slug:name>/", views.opportunity_action, name="opportunity_action"),
    path("opportunity/<int:pk>/<slug:kind>/add/", views.child_add, name="opportunity_child_add"),
    path("opportunity/<int:pk>/<slug:kind>/<int:child>/", views.child_delete, name="opportunity_child_change"),
    path("project/<int:pk>/do/<slug:name>/", views.project_action, name="project_action"),
    path("<slug:kind>/<int:pk>/complete/", views.record_complete, name="record_complete"),
    path("<slug:kind>/<int:pk>/remove/", views.record_delete, name="record_remove"),
    path("stage-rules/", views.stage_rules, name="stage_rules"),
    *OpportunityUI.urls(),
    *ProjectUI.urls(),
    *ContactRecordUI.urls(),
    *MaintenanceRecordUI.urls(),
    *QuoteUI.urls(),
]
