"""API v1: every module's routes (declared in its api.py), the token endpoint, schema and docs."""

from importlib import import_module

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from clientela.accounts.api import ObtainTokenView, RevokeTokenView, RotateTokenView

MODULES = [
    "customers",
    "requirements",
    "feedback",
    "action_plans",
    "surveys",
    "contracts",
    "indicators",
    "loyalty",
    "training",
]


class Router(DefaultRouter):
    include_root_view = False


router = Router()
extra = []
for module_name in MODULES:
    module = import_module(f"clientela.{module_name}.api")
    for prefix, viewset, basename in getattr(module, "routes", []):
        router.register(prefix, viewset, basename=basename)
    extra += getattr(module, "urlpatterns", [])

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("auth/token/rotate/", RotateTokenView.as_view(), name="api-token-rotate"),
    path("auth/token/revoke/", RevokeTokenView.as_view(), name="api-token-revoke"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    *extra,
    *router.urls,
]
