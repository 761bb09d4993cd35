from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("history/<int:content_type_id>/<str:object_id>/", views.history, name="history"),
    path("audit/", views.audit_log, name="audit_log"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/bell/", views.notification_bell, name="notification_bell"),
    path("notifications/read/", views.notification_read, name="notification_read"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("files/<int:pk>/", views.attachment_download, name="attachment"),
    path("files/upload/<int:content_type_id>/<str:object_id>/", views.attachment_upload, name="attachment_upload"),
    path("imports/<slug:kind>/", views.import_upload, name="import_upload"),
    path("imports/<slug:kind>/template/", views.import_template, name="import_template"),
    path("imports/job/<uuid:token>/", views.import_detail, name="import_detail"),
    path("imports/job/<uuid:token>/run/", views.import_confirm, name="import_confirm"),
    path("health/", views.health, name="health"),
]
