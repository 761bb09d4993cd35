"""Training pages: courses, sessions and attendance, competence evaluations, the competence matrix,
training needs and each person's training record."""

from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from clientela.core.errors import DomainError
from clientela.core.forms import saved, show_service_error
from clientela.core.listing import RecordListView
from clientela.core.permissions import Role, has_perm, permission_required

from . import exports, selectors, services, states
from .filters import CompetenceFilter, CourseFilter, EvaluationFilter, NeedFilter, SessionFilter
from .forms import (
    AttendanceSheetForm,
    CompetenceForm,
    CourseForm,
    EvaluationForm,
    NeedForm,
    PlanNeedForm,
    RequirementsForm,
    SessionForm,
)
from .models import Competence, CompetenceEvaluation, Course, TrainingNeed, TrainingSession

ERRORS = (ValidationError, DomainError)


def _form_page(request: HttpRequest, form: Any, title: str, cancel_url: str, **extra: Any) -> HttpResponse:
    return render(request, "training/form.html", {"form": form, "title": title, "cancel_url": cancel_url, **extra})


@permission_required("training.view")
def index(request: HttpRequest) -> HttpResponse:
    return redirect("training:sessions")


# --- competences and what each role requires ------------------------------------------------------


class CompetenceListView(RecordListView):
    permission = "training.view"
    template_name = "training/competence_list.html"
    filterset_class = CompetenceFilter
    sort_fields = {"code": "code", "name": "name", "validity": "validity_months"}
    default_sort = "code"
    export_columns = staticmethod(exports.competence_columns)
    export_basename = "competencias"

    def base_queryset(self):
        return selectors.competence_list(user=self.request.user)


@permission_required("training.manage")
def competence_create(request: HttpRequest) -> HttpResponse:
    form = CompetenceForm(request.POST or None)
    if saved(
        request,
        form,
        lambda data: services.competence_create(actor=request.user, data=data),
        message=_("Competence created."),
    ):
        return redirect("training:competences")
    return _form_page(request, form, _("New competence"), reverse("training:competences"))


@permission_required("training.manage")
def competence_edit(request: HttpRequest, pk: int) -> HttpResponse:
    competence = selectors.competence_get(user=request.user, pk=pk)
    form = CompetenceForm(request.POST or None, instance=competence)
    if saved(
        request,
        form,
        lambda data: services.competence_update(
            actor=request.user, competence=competence, data=data, expected_version=form.expected_version()
        ),
        message=_("Changes saved."),
    ):
        return redirect("training:competences")
    return _form_page(
        request,
        form,
        _("Edit competence"),
        reverse("training:competences"),
        item=competence,
        ct_id=ContentType.objects.get_for_model(Competence).pk,
    )


@permission_required("training.manage")
def requirements_edit(request: HttpRequest) -> HttpResponse:
    roles = [(code, label) for code, label in Role.choices if code in selectors.STAFF_ROLES]
    items = list(selectors.competence_list(user=request.user).order_by("code"))
    current = {(r.role, r.competence_id): r.required_level for r in selectors.requirements()}
    form = RequirementsForm(request.POST or None, roles=roles, competences=items, current=current)
    if request.method == "POST" and form.is_valid():
        by_pk = {c.pk: c for c in items}
        with transaction.atomic():
            for (role, competence_id), level in form.levels().items():
                if current.get((role, competence_id)) != level:
                    services.requirement_set(
                        actor=request.user, role=role, competence=by_pk[competence_id], level=level
                    )
        messages.success(request, _("Required competences saved."))
        return redirect("training:matrix")
    return render(request, "training/requirements_form.html", {"form": form, "competences": items})


# --- courses ------------------------------------------------------------------------------------


class CourseListView(RecordListView):
    permission = "training.view"
    template_name = "training/course_list.html"
    filterset_class = CourseFilter
    sort_fields = {"code": "code", "title": "title", "sessions": "session_count", "last": "last_session"}
    default_sort = "title"
    export_columns = staticmethod(exports.course_columns)
    export_basename = "cursos"

    def base_queryset(self):
        return selectors.course_list(user=self.request.user)


@permission_required("training.manage")
def course_create(request: HttpRequest) -> HttpResponse:
    form = CourseForm(request.POST or None)
    if course := saved(
        request, form, lambda data: services.course_create(actor=request.user, data=data), message=_("Course created.")
    ):
        return redirect(course)
    return _form_page(request, form, _("New course"), reverse("training:courses"))


@permission_required("training.manage")
def course_edit(request: HttpRequest, pk: int) -> HttpResponse:
    course = selectors.course_get(user=request.user, pk=pk)
    form = CourseForm(request.POST or None, instance=course)
    if saved(
        request,
        form,
        lambda data: services.course_update(
            actor=request.user, course=course, data=data, expected_version=form.expected_version()
        ),
        message=_("Changes saved."),
    ):
        return redirect(course)
    return _form_page(request, form, _("Edit course"), course.get_absolute_url())


@permission_required("training.view")
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    course = selectors.course_get(user=request.user, pk=pk)
    sessions = list(selectors.session_list(user=request.user).filter(course=course).order_by("-starts_at"))
    evaluations = list(selectors.evaluation_list(user=request.user).filter(session__course=course))
    context = {
        "course": course,
        "sessions": sessions,
        "effectiveness": selectors.effectiveness(evaluations),
        "mean_gain": selectors.mean_gain(evaluations),
        "ct_id": ContentType.objects.get_for_model(Course).pk,
    }
    return render(request, "training/course_detail.html", context)


# --- sessions and attendance ------------------------------------------------------------------------


class SessionListView(RecordListView):
    permission = "training.view"
    template_name = "training/session_list.html"
    filterset_class = SessionFilter
    sort_fields = {"number": "number", "date": "starts_at", "course": "course__title", "status": "status"}
    default_sort = "-date"
    export_columns = staticmethod(exports.session_columns)
    export_basename = "sesiones-formacion"

    def base_queryset(self):
        return selectors.session_list(user=self.request.user)


@permission_required("training.manage")
def session_create(request: HttpRequest) -> HttpResponse:
    initial = {"course": request.GET["course"]} if request.GET.get("course", "").isdigit() else {}
    form = SessionForm(request.POST or None, initial=initial)
    if session := saved(
        request,
        form,
        lambda data: services.session_create(actor=request.user, course=data.pop("course"), data=data),
        message=lambda session: _("Session %(number)s planned.") % {"number": session.number},
    ):
        return redirect(session)
    return _form_page(request, form, _("New training session"), reverse("training:sessions"))


@permission_required("training.manage")
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(user=request.user, pk=pk)
    form = SessionForm(request.POST or None, instance=session)

    def save(data: dict[str, Any]) -> TrainingSession:
        data.pop("course", None)
        if data.get("duration_hours") is None:
            data.pop("duration_hours", None)
        return services.session_update(
            actor=request.user, session=session, data=data, expected_version=form.expected_version()
        )

    if saved(request, form, save, message=_("Changes saved.")):
        return redirect(session)
    return _form_page(request, form, _("Edit training session"), session.get_absolute_url())


@permission_required("training.view")
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(user=request.user, pk=pk)
    attendances = list(session.attendances.select_related("person").order_by("person__first_name"))
    evaluations = list(selectors.evaluation_list(user=request.user).filter(session=session))
    context = {
        "session": session,
        "attendances": attendances,
        "evaluations": evaluations,
        "effectiveness": selectors.effectiveness(evaluations),
        "needs": list(session.needs.select_related("person", "competence")),
        "targets": [(t, states.SESSION.label(t)) for t in states.SESSION.targets(session.status)],
        "ct_id": ContentType.objects.get_for_model(TrainingSession).pk,
    }
    return render(request, "training/session_detail.html", context)


@permission_required("training.manage")
def session_transition(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            services.session_transition(
                actor=request.user, session=session, to=request.POST.get("to", ""), note=request.POST.get("note", "")
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Session status changed."))
    return redirect(session)


@permission_required("training.manage")
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(user=request.user, pk=pk)
    sheet = selectors.attendance_sheet(session)
    form = AttendanceSheetForm(request.POST or None, sheet=sheet)
    if request.method == "POST" and form.is_valid():
        try:
            count = services.attendance_bulk(actor=request.user, session=session, rows=form.rows())
        except ERRORS as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Attendance saved for %(count)s people.") % {"count": count})
            return redirect(session)
    return render(request, "training/attendance_form.html", {"form": form, "session": session})


# --- evaluations ------------------------------------------------------------------------------------


class EvaluationListView(RecordListView):
    permission = "training.view"
    template_name = "training/evaluation_list.html"
    filterset_class = EvaluationFilter
    sort_fields = {
        "date": "evaluated_on",
        "person": ("person__first_name", "person__last_name"),
        "competence": "competence__name",
        "result": "result",
        "valid": "valid_until",
    }
    default_sort = "-date"
    export_columns = staticmethod(exports.evaluation_columns)
    export_basename = "evaluaciones-competencia"

    def base_queryset(self):
        return selectors.evaluation_list(user=self.request.user)


@permission_required("training.manage")
def evaluation_create(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {"evaluator": request.user.pk}
    for key in ("person", "competence", "session"):
        if request.GET.get(key, "").isdigit():
            initial[key] = int(request.GET[key])
    form = EvaluationForm(request.POST or None, initial=initial)
    if evaluation := saved(
        request,
        form,
        lambda data: services.evaluation_record(actor=request.user, data=data),
        message=_("Evaluation recorded."),
    ):
        return redirect(evaluation.session or reverse("training:person", args=[evaluation.person_id]))
    cancel = reverse("training:evaluations")
    if initial.get("session"):
        cancel = reverse("training:session_detail", args=[initial["session"]])
    return _form_page(request, form, _("Record a competence evaluation"), cancel)


@permission_required("training.manage")
def evaluation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = selectors.evaluation_get(user=request.user, pk=pk)
    form = EvaluationForm(request.POST or None, instance=evaluation)
    if saved(
        request,
        form,
        lambda data: services.evaluation_update(
            actor=request.user, evaluation=evaluation, data=data, expected_version=form.expected_version()
        ),
        message=_("Changes saved."),
    ):
        return redirect("training:person", pk=evaluation.person_id)
    return _form_page(
        request,
        form,
        _("Edit competence evaluation"),
        reverse("training:evaluations"),
        item=evaluation,
        ct_id=ContentType.objects.get_for_model(CompetenceEvaluation).pk,
    )


# --- the competence matrix, needs and people ---------------------------------------------------------


@permission_required("training.view")
def matrix(request: HttpRequest) -> HttpResponse:
    role = request.GET.get("role") or None
    if role not in selectors.STAFF_ROLES:
        role = None
    roles = [(code, label) for code, label in Role.choices if code in selectors.STAFF_ROLES]
    return render(
        request,
        "training/matrix.html",
        {"matrix": selectors.competence_matrix(role=role), "roles": roles, "role": role},
    )


class NeedListView(RecordListView):
    permission = "training.view"
    template_name = "training/need_list.html"
    filterset_class = NeedFilter
    sort_fields = {
        "person": ("person__first_name", "person__last_name"),
        "competence": "competence__name",
        "due": "due_date",
        "status": "status",
        "created": "created_at",
    }
    default_sort = "due"
    export_columns = staticmethod(exports.need_columns)
    export_basename = "necesidades-formacion"

    def base_queryset(self):
        return selectors.need_list(user=self.request.user)


@permission_required("training.manage")
def need_create(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {}
    for key in ("person", "competence"):
        if request.GET.get(key, "").isdigit():
            initial[key] = int(request.GET[key])
    if request.GET.get("source") in TrainingNeed.Source.values:
        initial["source"] = request.GET["source"]
    form = NeedForm(request.POST or None, initial=initial)
    if saved(
        request,
        form,
        lambda data: services.need_create(actor=request.user, data=data),
        message=_("Training need recorded."),
    ):
        return redirect("training:needs")
    return _form_page(request, form, _("New training need"), reverse("training:needs"))


@permission_required("training.manage")
def need_transition(request: HttpRequest, pk: int) -> HttpResponse:
    need = selectors.need_get(user=request.user, pk=pk)
    target = request.POST.get("to", "") if request.method == "POST" else TrainingNeed.Status.PLANNED
    form = PlanNeedForm(request.POST or None) if target == TrainingNeed.Status.PLANNED else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            services.need_transition(
                actor=request.user,
                need=need,
                to=target,
                session=form.cleaned_data["session"] if form is not None else None,
                note=request.POST.get("note", ""),
            )
        except ERRORS as exc:
            if form is None:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
                return redirect("training:needs")
            show_service_error(form, exc)
        else:
            messages.success(request, _("Training need updated."))
            return redirect("training:needs")
    return _form_page(
        request,
        form,
        _("Plan the need in a session"),
        reverse("training:needs"),
        hidden={"to": TrainingNeed.Status.PLANNED},
        intro=str(need),
    )


@permission_required("training.view")
def people(request: HttpRequest) -> HttpResponse:
    return render(request, "training/people.html", {"rows": selectors.people_summary()})


def _record(request: HttpRequest, person: Any) -> HttpResponse:
    context = selectors.person_record(person)
    context["is_me"] = person.pk == request.user.pk
    context["can_manage"] = has_perm(request.user, "training.manage")
    return render(request, "training/person.html", context)


@permission_required("training.view_own")
def person(request: HttpRequest, pk: int) -> HttpResponse:
    return _record(request, selectors.person_get(user=request.user, pk=pk))


@permission_required("training.view_own")
def me(request: HttpRequest) -> HttpResponse:
    return _record(request, selectors.person_get(user=request.user, pk=request.user.pk))
