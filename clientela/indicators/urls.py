from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("", views.index, name="index"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/targets/", views.targets, name="targets"),
    path("dashboard/late-interactions/", views.LateInteractionListView.as_view(), name="late_interactions"),
    path("dashboard/results/<int:pk>/analysis/", views.result_analysis, name="result_analysis"),
    path("dashboard/<slug:key>/", views.indicator_detail, name="detail"),
    path("reviews/", views.ReviewListView.as_view(), name="reviews"),
    path("reviews/new/", views.review_create, name="review_create"),
    path("reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("reviews/<int:pk>/edit/", views.review_edit, name="review_edit"),
    path("reviews/<int:pk>/approve/", views.review_approve, name="review_approve"),
    path("reviews/<int:pk>/pdf/", views.review_pdf, name="review_pdf"),
    path("reviews/<int:pk>/decisions/new/", views.decision_create, name="decision_create"),
    path("reviews/decisions/<int:pk>/edit/", views.decision_edit, name="decision_edit"),
    path("reviews/decisions/<int:pk>/remove/", views.decision_remove, name="decision_remove"),
    path("reviews/decisions/<int:pk>/follow-up/", views.decision_follow_up, name="decision_follow_up"),
    path("risks/", views.RiskListView.as_view(), name="risks"),
    path("risks/new/", views.risk_create, name="risk_create"),
    path("risks/signals/", views.signal_settings, name="signal_settings"),
    path("risks/<int:pk>/", views.risk_detail, name="risk_detail"),
    path("risks/<int:pk>/edit/", views.risk_edit, name="risk_edit"),
    path("risks/<int:pk>/archive/", views.risk_archive, name="risk_archive"),
    path("risks/<int:pk>/plans/", views.risk_link_plan, name="risk_link_plan"),
    path("risks/<int:pk>/plans/<int:link_pk>/remove/", views.risk_unlink_plan, name="risk_unlink_plan"),
    path("documents/", views.DocumentListView.as_view(), name="documents"),
    path("documents/<int:pk>/", views.document_detail, name="document_detail"),
    path("documents/<int:pk>/draft/", views.document_draft, name="document_draft"),
    path("documents/versions/<int:pk>/edit/", views.version_edit, name="version_edit"),
    path("documents/versions/<int:pk>/approve/", views.version_approve, name="version_approve"),
    path("documents/versions/<int:pk>/withdraw/", views.version_withdraw, name="version_withdraw"),
]
