"""Routes the org app adds under /api/v1/."""

from django.urls import path

from .views import DepartmentViewSet, UserViewSet
from .views_access import FieldRuleViewSet, LookupViewSet, MeView, RoleViewSet


def register(router) -> None:
    router.register("departments", DepartmentViewSet, basename="department")
    router.register("users", UserViewSet, basename="user")
    router.register("roles", RoleViewSet, basename="role")
    router.register("field-rules", FieldRuleViewSet, basename="fieldrule")
    router.register("lookups", LookupViewSet, basename="lookup")


urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
]
