from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("", views.FeedbackListView.as_view(), name="list"),
    path("board/", views.board, name="board"),
    path("new/", views.feedback_create, name="create"),
    path("<int:pk>/", views.feedback_detail, name="detail"),
    path("<int:pk>/edit/", views.feedback_edit, name="edit"),
    path("<int:pk>/step/<slug:to>/", views.feedback_step, name="step"),
    path("<int:pk>/answer/", views.feedback_answer, name="answer"),
    path("<int:pk>/assign/", views.feedback_assign, name="assign"),
    path("<int:pk>/plan/", views.feedback_open_plan, name="open_plan"),
    path("<int:pk>/person/", views.feedback_person, name="person"),
    path("settings/", views.sla_settings, name="settings"),
    path("settings/days/<int:pk>/delete/", views.calendar_day_delete, name="day_delete"),
    path("public/", views.public_form, name="public"),
    path("public/thanks/<str:token>/", views.public_thanks, name="public_thanks"),
    path("public/status/", views.public_status, name="public_status"),
]
