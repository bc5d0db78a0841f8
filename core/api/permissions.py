"""Permissions for API endpoints that are not business records (organisation, basic data).

Business records are guarded by the access gate (out of scope → 404); these admin endpoints answer
403 to a non-administrator, since their existence is no secret.
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from org.services_users import is_org_admin


class IsOrgAdmin(BasePermission):
    def has_permission(self, request, view):
        return is_org_admin(request.user)


class ReadAnyWriteAdmin(BasePermission):
    """Every logged-in user may read; administrators may write."""

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return bool(request.user and request.user.is_authenticated)
        return is_org_admin(request.user)
