"""Shared pages: home, global search, record history, notifications, files, imports, health."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import attachments, audit, importing, notifications
from .forms import AttachmentForm, ImportUploadForm
from .models import Attachment, AuditEntry, ImportJob, Notification
from .permissions import has_perm, permission_required, require, roles_of
from .registry import registry
from .tasks import run_import_job


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    widgets = []
    for widget in registry.home_widgets:
        if has_perm(user, widget.permission):
            widgets.append({"template": widget.template, **widget.context(user=user)})
    return render(request, "core/home.html", {"widgets": widgets, "roles": sorted(roles_of(user))})


@login_required
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    groups = []
    if len(query) >= 2:
        for provider in registry.search_providers:
            if has_perm(request.user, provider.permission):
                hits = provider.search(user=request.user, query=query, limit=8)
                if hits:
                    groups.append({"key": provider.key, "hits": hits})
    template = "core/search.html#results" if request.headers.get("HX-Request") else "core/search.html"
    return render(request, template, {"query": query, "groups": groups})


def _target_for(content_type_id: int, object_id: str) -> tuple[Any, str]:
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    model = content_type.model_class()
    if model is None or model not in registry.audited_models:
        raise Http404
    try:
        obj = model._default_manager.get(pk=object_id)
    except (model.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    return obj, registry.audited_models[model]


@login_required
def history(request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
    obj, perm = _target_for(content_type_id, object_id)
    if not has_perm(request.user, perm, obj):
        raise Http404  # the same answer for "not yours" and "not there"
    entries = Paginator(audit.history_for(obj).select_related("actor", "content_type"), 50).get_page(
        request.GET.get("page")
    )
    template = "core/history.html#entries" if request.headers.get("HX-Request") else "core/history.html"
    return render(request, template, {"object": obj, "entries": entries, "model": type(obj)})


@permission_required("audit.view")
def audit_log(request: HttpRequest) -> HttpResponse:
    entries = AuditEntry.objects.select_related("content_type", "actor").order_by("-seq")
    if model := request.GET.get("type"):
        entries = entries.filter(content_type__model=model)
    if actor := request.GET.get("user"):
        entries = entries.filter(actor_name__icontains=actor)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    types = ContentType.objects.filter(pk__in=AuditEntry.objects.values("content_type").distinct())
    return render(request, "core/audit_log.html", {"entries": page, "types": types})


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(Notification.objects.filter(recipient=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"notifications": page})


@login_required
@require_GET
def notification_bell(request: HttpRequest) -> HttpResponse:
    latest = Notification.objects.filter(recipient=request.user)[:8]
    return render(request, "core/_bell.html", {"latest": latest, "unread": notifications.unread_count(request.user)})


@login_required
@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    ids = request.POST.getlist("id")
    try:
        wanted = [int(i) for i in ids] if ids else None
    except ValueError:
        wanted = []
    notifications.mark_read(user=request.user, ids=wanted)
    target = request.POST.get("next")
    if target and target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("core:notifications")


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notifications.mark_read(user=request.user, ids=[notification.pk])
    url = notification.url if notification.url.startswith("/") and not notification.url.startswith("//") else ""
    return redirect(url or "core:notifications")


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(Attachment, pk=pk)
    target, perm = _target_for(attachment.content_type_id, str(attachment.object_id))
    if not has_perm(request.user, perm, target):
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    inline = request.GET.get("inline") == "1" and attachment.mime_type in {"application/pdf", "image/png", "image/jpeg"}
    response = FileResponse(
        handle, as_attachment=not inline, filename=attachment.original_name, content_type=attachment.mime_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def attachment_upload(request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
    """Attach a file (or a new version of one) to a record; answers with the refreshed panel."""
    target, _perm = _target_for(content_type_id, object_id)
    spec = registry.attachables.get(type(target))
    if spec is None:
        raise Http404
    require(request.user, spec.change_permission, target)
    form = AttachmentForm(request.POST, request.FILES, purposes=spec.purposes)
    error = ""
    if form.is_valid():
        replaces = None
        if form.cleaned_data.get("replaces"):
            replaces = attachments.attachments_for(target).filter(pk=form.cleaned_data["replaces"]).first()
        try:
            attachments.attach(
                actor=request.user,
                target=target,
                upload=form.cleaned_data["file"],
                purpose=form.cleaned_data["purpose"],
                description=form.cleaned_data["description"],
                replaces=replaces,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    context = attachment_panel_context(request, target, form.data.get("purpose") or spec.purposes[0], error=error)
    if request.headers.get("HX-Request"):
        return render(request, "core/_attachments.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("File attached."))
    next_url = request.POST.get("next", "")
    return redirect(next_url if next_url.startswith("/") and not next_url.startswith("//") else "/")


def attachment_panel_context(request: HttpRequest, target: Any, purpose: str, error: str = "") -> dict[str, Any]:
    spec = registry.attachables[type(target)]
    files = list(attachments.attachments_for(target, purpose))
    superseded = {f.replaces_id for f in files if f.replaces_id}
    return {
        "target": target,
        "purpose": purpose,
        "files": files,
        "superseded": superseded,
        "can_upload": has_perm(request.user, spec.change_permission, target),
        "ct_id": ContentType.objects.get_for_model(target, for_concrete_model=True).pk,
        "error": error,
        "accept": attachments.ACCEPT.get(purpose, ""),
        "request": request,
    }


@login_required
def import_upload(request: HttpRequest, kind: str) -> HttpResponse:
    try:
        importer = importing.get_importer(kind)
    except KeyError as exc:
        raise Http404 from exc
    require(request.user, importer.permission)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = ImportJob(kind=kind, original_name=upload.name[:200], created_by=request.user)
        job.file.save(f"{job.token.hex}", upload, save=False)
        job.save()
        run_import_job.enqueue(job.pk, False)
        return redirect("core:import_detail", token=job.token)
    columns = [
        {"name": spec.name, "label": importer.label_for(spec), "required": spec.required} for spec in importer.fields
    ]
    recent = ImportJob.objects.filter(kind=kind, created_by=request.user)[:5]
    return render(
        request, "core/import_upload.html", {"importer": importer, "form": form, "columns": columns, "recent": recent}
    )


def _job_for(request: HttpRequest, token: str) -> ImportJob:
    job = get_object_or_404(ImportJob, token=token)
    if job.created_by_id != request.user.pk and not has_perm(request.user, "settings.manage"):
        raise Http404
    return job


@login_required
def import_detail(request: HttpRequest, token: str) -> HttpResponse:
    job = _job_for(request, token)
    importer = importing.get_importer(job.kind)
    context = {"job": job, "importer": importer, "progress": cache.get(job.progress_key), "report": job.report}
    template = "core/import_detail.html#status" if request.headers.get("HX-Request") else "core/import_detail.html"
    return render(request, template, context)


@login_required
@require_POST
def import_confirm(request: HttpRequest, token: str) -> HttpResponse:
    job = _job_for(request, token)
    require(request.user, importing.get_importer(job.kind).permission)
    if job.status != ImportJob.Status.PREVIEW:
        messages.error(request, _("This import cannot be run now: check its status."))
        return redirect("core:import_detail", token=job.token)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    run_import_job.enqueue(job.pk, True)
    return redirect("core:import_detail", token=job.token)


def health(request: HttpRequest) -> JsonResponse:
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "error"
    try:
        cache.set("health", "ok", 5)
        checks["cache"] = "ok" if cache.get("health") == "ok" else "error"
    except Exception:
        checks["cache"] = "error"
    ok = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if ok else "error", "checks": checks}, status=200 if ok else 503)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return TemplateResponse(request, "404.html", status=404)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return TemplateResponse(request, "403.html", status=403)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return TemplateResponse(request, "400.html", status=400)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", {"request_id": getattr(request, "request_id", "")}, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)


def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    """An empty spreadsheet with the import's headers, to fill in."""
    from . import exporting

    try:
        importer = importing.get_importer(kind)
    except KeyError as exc:
        raise Http404 from exc
    if not request.user.is_authenticated:
        return redirect(reverse("accounts:login") + f"?next={request.path}")
    require(request.user, importer.permission)
    columns = [exporting.Column(spec.name, importer.label_for(spec), lambda row: "") for spec in importer.fields]
    return exporting.export_response([], columns, request.GET.get("format", "xlsx"), f"plantilla-{kind}")
