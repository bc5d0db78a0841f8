"""Settings pages, included at /settings/ in the "core" namespace."""

from django.urls import path

from . import views_basedata as v

urlpatterns = [
    path("basic-data/", v.lookup_list, name="lookup_list"),
    path("basic-data/<slug:kind>/add/", v.lookup_create, name="lookup_create"),
    path("basic-data/<slug:kind>/defaults/", v.lookup_defaults, name="lookup_defaults"),
    path("basic-data/item/<int:pk>/edit/", v.lookup_update, name="lookup_update"),
    path("basic-data/item/<int:pk>/move/", v.lookup_move, name="lookup_move"),
    path("basic-data/item/<int:pk>/active/", v.lookup_active, name="lookup_active"),
    path("basic-data/item/<int:pk>/delete/", v.lookup_delete, name="lookup_delete"),
    path("numbering/", v.numbering_list, name="numbering_list"),
    path("numbering/preview/", v.numbering_preview, name="numbering_preview"),
    path("numbering/<slug:doc_type>/edit/", v.numbering_update, name="numbering_update"),
    path("custom-fields/", v.customfield_list, name="customfield_list"),
    path("custom-fields/<str:module>/add/", v.customfield_create, name="customfield_create"),
    path("custom-fields/field/<int:pk>/edit/", v.customfield_update, name="customfield_update"),
    path("custom-fields/field/<int:pk>/move/", v.customfield_move, name="customfield_move"),
    path("custom-fields/field/<int:pk>/active/", v.customfield_active, name="customfield_active"),
]
