"""Data protection pages: the register of data-subject requests and legal holds."""

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from clientela.core.errors import DomainError
from clientela.core.exporting import Column
from clientela.core.forms import show_service_error
from clientela.core.listing import RecordListView
from clientela.core.permissions import permission_required

from . import services
from .forms import BlockForm, HoldForm, IdentityForm, RequestForm, ResolutionForm
from .models import DataSubjectRequest, LegalHold


class RequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=DataSubjectRequest.Status.choices, empty_label=gettext_lazy("All")
    )
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("Right exercised"), choices=DataSubjectRequest.Kind.choices, empty_label=gettext_lazy("All")
    )
    overdue = django_filters.BooleanFilter(
        label=gettext_lazy("Only overdue"), method="only_overdue", widget=forms.CheckboxInput
    )

    class Meta:
        model = DataSubjectRequest
        fields = ["status", "kind", "overdue"]

    def only_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(due_date__lt=timezone.localdate(), status__in=["received", "in_progress"])


class RequestListView(RecordListView):
    permission = "privacy.manage"
    template_name = "privacy/request_list.html"
    filterset_class = RequestFilter
    sort_fields = {"number": "number", "received": "received_at", "due": "due_date", "status": "status"}
    default_sort = "due"
    export_basename = "solicitudes-proteccion-datos"

    @staticmethod
    def export_columns():
        return [
            Column("number", gettext_lazy("number"), lambda r: r.number),
            Column("kind", gettext_lazy("right exercised"), lambda r: r.get_kind_display()),
            Column("status", gettext_lazy("status"), lambda r: r.get_status_display()),
            Column("requester_name", gettext_lazy("requester"), lambda r: r.requester_name),
            Column("received_at", gettext_lazy("received"), lambda r: r.received_at),
            Column("due_date", gettext_lazy("due date"), lambda r: r.due_date),
            Column("identity_verified_at", gettext_lazy("identity verified"), lambda r: r.identity_verified_at),
            Column("completed_at", gettext_lazy("closed"), lambda r: r.completed_at),
        ]

    def base_queryset(self):
        return DataSubjectRequest.objects.select_related("customer", "contact")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["today"] = timezone.localdate()
        return context


@permission_required("privacy.manage")
def request_create(request: HttpRequest) -> HttpResponse:
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.request_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            show_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Request %(n)s registered; legal deadline %(d)s.")
                % {"n": created.number, "d": created.due_date.strftime("%d/%m/%Y")},
            )
            return redirect(created)
    return render(request, "privacy/request_form.html", {"form": form})


@permission_required("privacy.manage")
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dsr = get_object_or_404(
        DataSubjectRequest.objects.select_related("customer", "contact", "identity_verified_by"), pk=pk
    )
    subject = services.subject_of(dsr)
    context = {
        "dsr": dsr,
        "subject": subject,
        "hold": services.active_hold(subject.customer),
        "identity_form": IdentityForm(),
        "block_form": BlockForm(initial={"until": timezone.localdate().replace(year=timezone.localdate().year + 3)}),
        "resolution_form": ResolutionForm(),
        "targets": services.MACHINE.targets(dsr.status),
        "today": timezone.localdate(),
        "ct_id": ContentType.objects.get_for_model(DataSubjectRequest).pk,
    }
    return render(request, "privacy/request_detail.html", context)


def _act(request: HttpRequest, pk: int, action) -> HttpResponse:
    dsr = get_object_or_404(DataSubjectRequest, pk=pk)
    try:
        message = action(dsr)
    except (ValidationError, DomainError) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    else:
        if message:
            messages.success(request, message)
    return redirect(dsr)


@permission_required("privacy.manage")
@require_POST
def request_verify(request: HttpRequest, pk: int) -> HttpResponse:
    form = IdentityForm(request.POST)

    def act(dsr):
        if not form.is_valid():
            raise ValidationError(_("Say how the identity was checked."))
        services.request_verify_identity(actor=request.user, request=dsr, method=form.cleaned_data["identity_method"])
        return _("Identity verified.")

    return _act(request, pk, act)


@permission_required("privacy.manage")
@require_POST
def request_export(request: HttpRequest, pk: int) -> HttpResponse:
    dsr = get_object_or_404(DataSubjectRequest, pk=pk)
    try:
        data = services.export_subject(actor=request.user, request=dsr)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect(dsr)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{dsr.number}-datos-personales.zip"'
    return response


@permission_required("privacy.manage")
@require_POST
def request_anonymise(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda dsr: (
            _("%(n)s records anonymised. Statistics are kept.")
            % {"n": services.anonymise_subject(actor=request.user, request=dsr)}
        ),
    )


@permission_required("privacy.manage")
@require_POST
def request_block(request: HttpRequest, pk: int) -> HttpResponse:
    form = BlockForm(request.POST)

    def act(dsr):
        if not form.is_valid():
            raise ValidationError(_("Give the date until which the data stays blocked."))
        services.block_subject(actor=request.user, request=dsr, until=form.cleaned_data["until"])
        return _("Data blocked: hidden from everyone but data protection until %(d)s.") % {
            "d": form.cleaned_data["until"].strftime("%d/%m/%Y")
        }

    return _act(request, pk, act)


@permission_required("privacy.manage")
@require_POST
def request_transition(request: HttpRequest, pk: int) -> HttpResponse:
    form = ResolutionForm(request.POST)

    def act(dsr):
        if not form.is_valid():
            raise ValidationError(_("Choose a valid status."))
        services.request_transition(
            actor=request.user, request=dsr, to=form.cleaned_data["to"], resolution=form.cleaned_data["resolution"]
        )
        return _("Status updated.")

    return _act(request, pk, act)


@permission_required("privacy.manage")
def holds(request: HttpRequest) -> HttpResponse:
    form = HoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.hold_place(
            actor=request.user,
            customer=form.cleaned_data["customer_code"],
            reason=form.cleaned_data["reason"],
            until=form.cleaned_data["until"],
        )
        messages.success(request, _("Legal hold placed: nothing of this customer will be disposed of while it lasts."))
        return redirect("privacy:holds")
    active = (
        LegalHold.objects.filter(lifted_at__isnull=True)
        .select_related("customer", "created_by")
        .order_by("-created_at")
    )
    return render(request, "privacy/holds.html", {"form": form, "holds": active})


@permission_required("privacy.manage")
@require_POST
def hold_lift(request: HttpRequest, pk: int) -> HttpResponse:
    services.hold_lift(actor=request.user, hold=get_object_or_404(LegalHold, pk=pk))
    messages.success(request, _("Legal hold lifted."))
    return redirect("privacy:holds")
