"""POST /api/v1/auth/token/: a token for API clients, under the same lockout, allowlist and login records
as the login page. There is no captcha here (a program cannot read one); the lockout still applies."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.context import client_ip
from org import security
from org.models import LoginRecord


class LoginFailed(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "login_failed"
    default_detail = gettext_lazy("Invalid username or password.")


class AddressNotAllowed(exceptions.APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "ip_not_allowed"
    default_detail = gettext_lazy("Login from this address is not allowed.")


class OtpRequired(exceptions.ValidationError):
    default_code = "otp_required"


class OtpInvalid(exceptions.ValidationError):
    default_code = "invalid_otp"


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(max_length=8, required=False, allow_blank=True,
                                help_text=gettext_lazy("The 6-digit code, for users with two-factor login."))


class ObtainTokenView(APIView):
    authentication_classes: list = []  # a client without a token must be able to call this; no CSRF either
    permission_classes = [AllowAny]
    serializer_class = TokenRequestSerializer

    @extend_schema(request=TokenRequestSerializer,
                   responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
                   summary="Obtain an API token", tags=["auth"])
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"].strip()
        ip = getattr(request, "client_ip", None) or client_ip(request)
        agent = request.META.get("HTTP_USER_AGENT", "")[:300]
        attempt = security.check_password_step(username=username, password=data.validated_data["password"],
                                               ip=ip, user_agent=agent)
        if not attempt.ok:
            if attempt.result == LoginRecord.Result.BLOCKED_IP:
                raise AddressNotAllowed()
            raise LoginFailed()
        user = attempt.user
        if user.totp_enabled:
            code = data.validated_data.get("otp", "").strip()
            if not code:
                # Not an attempt yet: the client learns it must send the code, nothing is counted.
                raise OtpRequired({"otp": [_("Two-factor login is on: send the 6-digit code as \"otp\".")]})
            attempt = security.check_totp_step(user=user, code=code, ip=ip, user_agent=agent)
            if not attempt.ok:
                if attempt.result == LoginRecord.Result.BAD_TOTP:
                    raise OtpInvalid({"otp": [attempt.error]})
                if attempt.result == LoginRecord.Result.BLOCKED_IP:
                    raise AddressNotAllowed()
                raise LoginFailed()
        token, _created = Token.objects.get_or_create(user=user)
        security.logged_in(user=user, ip=ip, user_agent=agent)
        return Response({"token": token.key})
