from .context import RequestMeta, client_ip, reset_meta, set_meta


class RequestContextMiddleware:
    """Makes the client address and user agent available to services for audit entries."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_ip = client_ip(request)
        token = set_meta(RequestMeta(ip=request.client_ip, user_agent=request.META.get("HTTP_USER_AGENT", "")[:300]))
        try:
            return self.get_response(request)
        finally:
            reset_meta(token)
