"""Authentication: Django's model backend, with the user's department read in the same query.

Every page shows the department under the user's name and the access gate reads its path for
department scopes, so the session's user comes with it instead of one more query per request."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("department")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
