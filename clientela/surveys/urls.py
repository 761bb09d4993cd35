from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("", views.SurveyListView.as_view(), name="list"),
    path("new/", views.survey_create, name="create"),
    path("<int:pk>/", views.survey_detail, name="detail"),
    path("<int:pk>/edit/", views.survey_edit, name="edit"),
    path("<int:pk>/publish/", views.survey_publish, name="publish"),
    path("<int:pk>/close/", views.survey_close, name="close"),
    path("<int:pk>/reopen/", views.survey_reopen, name="reopen"),
    path("<int:pk>/archive/", views.survey_archive, name="archive"),
    path("<int:pk>/new-version/", views.survey_new_version, name="new_version"),
    path("<int:pk>/discard-draft/", views.survey_discard_draft, name="discard_draft"),
    path("<int:pk>/open-link/", views.survey_open_link, name="open_link"),
    path("<int:pk>/qr.svg", views.survey_qr, name="qr"),
    path("<int:pk>/preview/", views.survey_preview, name="preview"),
    path("<int:pk>/results/", views.survey_results, name="results"),
    path("<int:pk>/questions/new/", views.question_form, name="question_create"),
    path("<int:pk>/questions/<int:qpk>/", views.question_form, name="question_edit"),
    path("<int:pk>/questions/<int:qpk>/delete/", views.question_delete, name="question_delete"),
    path("<int:pk>/questions/<int:qpk>/move/", views.question_move, name="question_move"),
    path("<int:pk>/responses/new/", views.response_create, name="response_create"),
    path("invite/", views.invite, name="invite"),
    path("invitations/", views.InvitationListView.as_view(), name="invitations"),
    path("invitations/<int:pk>/", views.invitation_detail, name="invitation"),
    path("invitations/<int:pk>/cancel/", views.invitation_cancel, name="invitation_cancel"),
    path("responses/", views.ResponseListView.as_view(), name="responses"),
    path("responses/<int:pk>/", views.response_detail, name="response"),
    path("responses/<int:pk>/withdraw/", views.response_void, name="response_void"),
    path("follow-ups/", views.FollowUpListView.as_view(), name="followups"),
    path("follow-ups/<int:pk>/", views.followup_detail, name="followup"),
    path("follow-ups/<int:pk>/transition/", views.followup_transition, name="followup_transition"),
    path("follow-ups/<int:pk>/complaint/", views.followup_complaint, name="followup_complaint"),
    path("report/", views.report_page, name="report"),
    path("report/pdf/", views.report_pdf, name="report_pdf"),
    path("report/xlsx/", views.report_xlsx, name="report_xlsx"),
]
