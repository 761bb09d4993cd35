"""Public survey pages (no login): /s/<token>/ for invitations and /s/open/<key>/ for kiosks."""

from django.urls import path

from . import public_views

app_name = "survey_public"

urlpatterns = [
    path("open/<str:key>/", public_views.open_survey, name="open"),
    path("open/<str:key>/thanks/", public_views.open_thanks, name="open_thanks"),
    path("<str:token>/", public_views.answer, name="answer"),
    path("<str:token>/thanks/", public_views.thanks, name="thanks"),
    path("<str:token>/opt-out/", public_views.opt_out, name="opt_out"),
]
