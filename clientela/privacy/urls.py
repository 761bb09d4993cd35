from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.RequestListView.as_view(), name="list"),
    path("new/", views.request_create, name="create"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/verify/", views.request_verify, name="verify"),
    path("<int:pk>/export/", views.request_export, name="export"),
    path("<int:pk>/anonymise/", views.request_anonymise, name="anonymise"),
    path("<int:pk>/block/", views.request_block, name="block"),
    path("<int:pk>/status/", views.request_transition, name="transition"),
    path("holds/", views.holds, name="holds"),
    path("holds/<int:pk>/lift/", views.hold_lift, name="hold_lift"),
]
