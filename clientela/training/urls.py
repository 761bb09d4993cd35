"""Customer-service training and competence."""

from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.index, name="index"),
    path("competences/", views.CompetenceListView.as_view(), name="competences"),
    path("competences/new/", views.competence_create, name="competence_create"),
    path("competences/<int:pk>/", views.competence_edit, name="competence_edit"),
    path("competences/requirements/", views.requirements_edit, name="requirements"),
    path("courses/", views.CourseListView.as_view(), name="courses"),
    path("courses/new/", views.course_create, name="course_create"),
    path("courses/<int:pk>/", views.course_detail, name="course_detail"),
    path("courses/<int:pk>/edit/", views.course_edit, name="course_edit"),
    path("sessions/", views.SessionListView.as_view(), name="sessions"),
    path("sessions/new/", views.session_create, name="session_create"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/transition/", views.session_transition, name="session_transition"),
    path("sessions/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("evaluations/", views.EvaluationListView.as_view(), name="evaluations"),
    path("evaluations/new/", views.evaluation_create, name="evaluation_create"),
    path("evaluations/<int:pk>/", views.evaluation_edit, name="evaluation_edit"),
    path("matrix/", views.matrix, name="matrix"),
    path("needs/", views.NeedListView.as_view(), name="needs"),
    path("needs/new/", views.need_create, name="need_create"),
    path("needs/<int:pk>/transition/", views.need_transition, name="need_transition"),
    path("people/", views.people, name="people"),
    path("people/<int:pk>/", views.person, name="person"),
    path("me/", views.me, name="me"),
]
