"""Small API views shared by every app."""

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView


@extend_schema(exclude=True)
class UnknownEndpoint(APIView):
    """The last route under /api/v1/: an unknown address gets the API's JSON 404, not an HTML page."""

    permission_classes = [AllowAny]

    def initial(self, request, *args, **kwargs):
        # Raised before method dispatch, so every HTTP method gets the same answer.
        raise NotFound()
