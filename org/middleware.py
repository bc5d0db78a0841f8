from django.shortcuts import redirect
from django.urls import reverse


class SecurityPolicyMiddleware:
    """Sends a user who must change the password to the change-password page first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = {reverse("org:password_change"), reverse("org:logout")}
            if request.path not in allowed and not request.path.startswith(("/static/", "/api/", "/i18n/")):
                return redirect("org:password_change")
        return self.get_response(request)
