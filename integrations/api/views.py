from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import ApiKey


class WhoAmIView(APIView):
    """Which key (or user) the request is made as, and its role: an integrator's first call."""

    @extend_schema(
        responses=inline_serializer(
            "WhoAmI",
            {
                "username": serializers.CharField(),
                "api_key": serializers.CharField(allow_null=True),
                "roles": serializers.ListField(child=serializers.CharField()),
            },
        )
    )
    def get(self, request):
        api_key = request.auth if isinstance(request.auth, ApiKey) else None
        return Response(
            {
                "username": request.user.get_username(),
                "api_key": api_key.name if api_key else None,
                "roles": sorted(request.user.groups.values_list("name", flat=True)),
            }
        )
