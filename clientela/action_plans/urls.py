from django.urls import path

from . import views

app_name = "action_plans"

urlpatterns = [
    path("", views.PlanListView.as_view(), name="list"),
    path("new/", views.plan_create, name="create"),
    path("my-actions/", views.MyActionsView.as_view(), name="my_actions"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/training/session/", views.plan_link_session, name="plan_link_session"),
    path("<int:pk>/training/need/", views.plan_training_need, name="plan_training_need"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/analysis/", views.plan_analysis, name="analysis"),
    path("<int:pk>/step/<slug:to>/", views.plan_transition, name="transition"),
    path("<int:pk>/verify/", views.plan_verify, name="verify"),
    path("<int:pk>/actions/new/", views.action_create, name="action_create"),
    path("actions/<int:pk>/", views.action_edit, name="action_edit"),
    path("actions/<int:pk>/step/<slug:to>/", views.action_transition, name="action_transition"),
]
