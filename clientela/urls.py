"""URL map: one prefix per module of the process, the API under /api/v1/."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Clientela administration")
admin.site.site_title = "Clientela"

urlpatterns = [
    path("", include("clientela.core.urls")),
    path("accounts/", include("clientela.accounts.urls")),
    path("customers/", include("clientela.customers.urls")),
    path("privacy/", include("clientela.privacy.urls")),
    path("requirements/", include("clientela.requirements.urls")),
    path("feedback/", include("clientela.feedback.urls")),
    path("action-plans/", include("clientela.action_plans.urls")),
    path("surveys/", include("clientela.surveys.urls")),
    path("s/", include("clientela.surveys.public_urls")),
    path("contracts/", include("clientela.contracts.urls")),
    path("indicators/", include("clientela.indicators.urls")),
    path("loyalty/", include("clientela.loyalty.urls")),
    path("training/", include("clientela.training.urls")),
    path("api/v1/", include("clientela.api_urls")),
    path("admin/", admin.site.urls),
]

handler400 = "clientela.core.views.error_400"
handler403 = "clientela.core.views.error_403"
handler404 = "clientela.core.views.error_404"
handler500 = "clientela.core.views.error_500"
