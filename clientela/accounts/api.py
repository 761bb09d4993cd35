"""API: obtain a token with username and password."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from . import services, twofactor
from .models import ApiToken


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    otp = serializers.CharField(max_length=10, required=False, help_text="Code from the authenticator app, if enabled.")


class ObtainTokenView(APIView):
    """Exchange a username and password for a Bearer token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        auth=[],
        tags=["auth"],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if getattr(request._request, "axes_locked_out", False):
            return Response(
                {"detail": _("Too many failed sign-in attempts. Try again later.")},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if user is None or not user.is_active:
            return Response(
                {"non_field_errors": [_("Unable to sign in with the username and password given.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if user.has_two_factor and not twofactor.verify(user, serializer.validated_data.get("otp", "")):
            return Response(
                {"otp": [_("This user signs in in two steps: send the current code from the authenticator app.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response({"token": services.token_issue(user=user, name="API")})


class RotateTokenView(APIView):
    """Replace the token used for this request with a new one (the old one stops working)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={200: inline_serializer("RotatedToken", {"token": serializers.CharField()})},
        tags=["auth"],
    )
    def post(self, request):
        if not isinstance(request.auth, ApiToken):
            return Response(
                {"detail": _("Send the token to rotate as “Authorization: Bearer <token>”.")},
                status=status.HTTP_400_BAD_REQUEST,
            )
        services.token_revoke(user=request.user, token=request.auth)
        return Response({"token": services.token_issue(user=request.user, name=request.auth.name)})


class RevokeTokenView(APIView):
    """Revoke the token used for this request."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    def post(self, request):
        if isinstance(request.auth, ApiToken):
            services.token_revoke(user=request.user, token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
