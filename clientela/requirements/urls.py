"""Customer requirements and expectations, documented, prioritised and traced."""

from django.urls import path

from . import views

app_name = "requirements"

urlpatterns = [
    path("", views.RequirementListView.as_view(), name="list"),
    path("stuck/", views.stuck, name="stuck"),
    path("new/", views.requirement_create, name="create"),
    path("clarity/", views.clarity_check, name="clarity"),
    path("<int:pk>/", views.requirement_detail, name="detail"),
    path("<int:pk>/edit/", views.requirement_edit, name="edit"),
    path("<int:pk>/confirm/", views.requirement_confirm, name="confirm"),
    path("<int:pk>/trace/", views.requirement_trace, name="trace"),
    path("<int:pk>/transition/", views.requirement_transition, name="transition"),
    path("<int:pk>/new-version/", views.requirement_new_version, name="new_version"),
    path("<int:pk>/archive/", views.requirement_archive, name="archive"),
    path("<int:pk>/versions/<int:version>/", views.version_detail, name="version"),
    path("<int:pk>/compare/", views.version_compare_pick, name="compare_pick"),
    path("<int:pk>/compare/<int:a>/<int:b>/", views.version_compare, name="compare"),
    path("customer/<int:customer_pk>/document.<str:fmt>", views.customer_document, name="document"),
]
