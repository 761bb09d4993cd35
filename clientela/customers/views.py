"""Customer pages: lists, the 360° view, forms for customers, contacts and interactions."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientela.core.errors import ConflictError
from clientela.core.forms import show_service_error
from clientela.core.listing import RecordListView
from clientela.core.permissions import has_perm, permission_required, require
from clientela.core.registry import registry

from . import selectors, services
from .filters import ContactFilter, CustomerFilter, InteractionFilter
from .forms import ContactForm, CustomerForm, InteractionForm
from .importers import contact_columns, customer_columns, interaction_columns
from .models import Contact, Customer, Interaction

TIMELINE_PAGE = 20


# --- customers --------------------------------------------------------------------------------


class CustomerListView(RecordListView):
    permission = "customers.view"
    template_name = "customers/customer_list.html"
    filterset_class = CustomerFilter
    sort_fields = {
        "code": "code",
        "name": "name",
        "status": "status",
        "country": "country",
        "segment": "segment",
        "manager": ("account_manager__first_name", "account_manager__last_name"),
        "created": "created_at",
    }
    default_sort = "name"
    export_columns = staticmethod(customer_columns)
    export_permission = "customers.export"
    export_basename = "clientes"

    def base_queryset(self):
        return selectors.customer_list(user=self.request.user, include_archived=self.include_archived())

    def include_archived(self) -> bool:
        return self.request.GET.get("archived") == "1"

    def unfiltered_count(self) -> int | None:
        return selectors.customer_count(user=self.request.user, include_archived=self.include_archived())


@permission_required("customers.add")
def customer_create(request: HttpRequest) -> HttpResponse:
    form = CustomerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if form.fields["account_manager"].disabled:
            data["account_manager"] = request.user
        try:
            customer = services.customer_create(actor=request.user, data=data)
        except ValidationError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Customer %(name)s created.") % {"name": customer})
            return redirect("customers:detail", pk=customer.pk)
    return render(request, "customers/customer_form.html", {"form": form, "segments": selectors.segment_choices()})


@permission_required("customers.change")
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get(user=request.user, pk=pk)
    require(request.user, "customers.change", customer)
    form = CustomerForm(request.POST or None, instance=customer, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "lock_version" and not form.fields[k].disabled}
        try:
            customer = services.customer_update(
                actor=request.user, customer=customer, data=data, expected_version=form.expected_version()
            )
        except (ValidationError, ConflictError) as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("customers:detail", pk=customer.pk)
    return render(
        request,
        "customers/customer_form.html",
        {"form": form, "customer": customer, "segments": selectors.segment_choices()},
    )


@permission_required("customers.archive")
@require_POST
def customer_archive(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get(user=request.user, pk=pk)
    if request.POST.get("restore"):
        services.customer_restore(actor=request.user, customer=customer)
        messages.success(request, _("Customer restored."))
    else:
        services.customer_archive(actor=request.user, customer=customer)
        messages.success(request, _("Customer archived. Its records are kept and it can be restored."))
    return redirect("customers:detail", pk=customer.pk)


def _tabs(request: HttpRequest, customer: Customer) -> list[dict[str, Any]]:
    tabs = [{"key": "timeline", "label": _("Timeline")}, {"key": "contacts", "label": _("Contacts")}]
    for panel in registry.customer_panels:
        if has_perm(request.user, panel.permission, customer):
            tabs.append({"key": panel.key, "label": panel.label, "panel": panel})
    tabs.append({"key": "history", "label": _("History")})
    return tabs


@permission_required("customers.view")
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get(user=request.user, pk=pk)
    tabs = _tabs(request, customer)
    active = request.GET.get("tab", "timeline")
    if active not in {t["key"] for t in tabs}:
        active = "timeline"
    context: dict[str, Any] = {
        "customer": customer,
        "tabs": tabs,
        "active_tab": active,
        "ct_id": ContentType.objects.get_for_model(Customer).pk,
    }
    if active == "timeline":
        entries, has_more = selectors.customer_timeline(customer=customer, user=request.user, limit=TIMELINE_PAGE)
        context.update(entries=entries, has_more=has_more)
        context["quick_form_later"] = has_perm(request.user, "interactions.add", customer)
    elif active == "contacts":
        context["contacts"] = (
            selectors.visible_contacts(request.user)
            .filter(customer=customer, archived_at__isnull=True)
            .order_by("-is_primary", "last_name")
        )
    else:
        panel = next((t.get("panel") for t in tabs if t["key"] == active), None)
        if panel is not None:
            context["panel"] = panel
            context["panel_context"] = panel.context(customer=customer, user=request.user)
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "tab-content":
        return render(request, "customers/customer_detail.html#tab", context)
    # The headline figures (an aggregate per module) come with their own request once the page is
    # shown: the page itself stays within its query budget however many modules add a figure.
    context["figures"] = None
    return render(request, "customers/customer_detail.html", context)


@permission_required("customers.view")
def customer_figures(request: HttpRequest, pk: int) -> HttpResponse:
    """The 360° page's headline figures, each module's that the user may see."""
    customer = selectors.customer_get(user=request.user, pk=pk)
    figures = []
    for perm, fn in registry.headline_figures:
        if has_perm(request.user, perm, customer):
            figures.extend(fn(customer=customer, user=request.user))
    return render(request, "customers/customer_detail.html#figures", {"customer": customer, "figures": figures})


@permission_required("customers.view")
def customer_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get(user=request.user, pk=pk)
    try:
        before = dt.datetime.fromisoformat(request.GET["before"]) if request.GET.get("before") else None
    except ValueError as exc:
        raise Http404 from exc
    kinds = set(request.GET.getlist("kind")) or None
    entries, has_more = selectors.customer_timeline(
        customer=customer, user=request.user, before=before, limit=TIMELINE_PAGE, kinds=kinds
    )
    return render(
        request, "customers/_timeline_items.html", {"customer": customer, "entries": entries, "has_more": has_more}
    )


# --- contacts ---------------------------------------------------------------------------------


class ContactListView(RecordListView):
    permission = "contacts.view"
    template_name = "customers/contact_list.html"
    filterset_class = ContactFilter
    sort_fields = {
        "name": ("last_name", "first_name"),
        "customer": "customer__name",
        "email": "email",
        "created": "created_at",
    }
    default_sort = "name"
    export_columns = staticmethod(contact_columns)
    export_permission = "customers.export"
    export_basename = "contactos"

    def base_queryset(self):
        return selectors.contact_list(user=self.request.user)

    def unfiltered_count(self) -> int | None:
        return selectors.contact_count(user=self.request.user)


@permission_required("contacts.change")
def contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get(user=request.user, pk=pk)
    require(request.user, "contacts.change", customer)
    form = ContactForm(request.POST or None, instance=Contact(customer=customer))
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.contact_create(actor=request.user, customer=customer, data=form.cleaned_data)
        except ValidationError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Contact %(name)s added.") % {"name": contact})
            return redirect(f"{customer.get_absolute_url()}?tab=contacts")
    return render(request, "customers/contact_form.html", {"form": form, "customer": customer})


@permission_required("contacts.change")
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get(user=request.user, pk=pk)
    require(request.user, "contacts.change", contact)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "lock_version"}
        try:
            services.contact_update(
                actor=request.user, contact=contact, data=data, expected_version=form.expected_version()
            )
        except (ValidationError, ConflictError) as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(f"{contact.customer.get_absolute_url()}?tab=contacts")
    return render(
        request,
        "customers/contact_form.html",
        {
            "form": form,
            "customer": contact.customer,
            "contact": contact,
            "ct_id": ContentType.objects.get_for_model(Contact).pk,
        },
    )


@permission_required("contacts.change")
@require_POST
def contact_archive(request: HttpRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get(user=request.user, pk=pk)
    require(request.user, "contacts.change", contact)
    services.contact_archive(actor=request.user, contact=contact)
    messages.success(request, _("Contact archived."))
    return redirect(f"{contact.customer.get_absolute_url()}?tab=contacts")


# --- interactions -----------------------------------------------------------------------------


class InteractionListView(RecordListView):
    permission = "interactions.view"
    template_name = "customers/interaction_list.html"
    filterset_class = InteractionFilter
    sort_fields = {"when": "occurred_at", "customer": "customer__name", "channel": "channel", "subject": "subject"}
    default_sort = "-when"
    export_columns = staticmethod(interaction_columns)
    export_permission = "customers.export"
    export_basename = "interacciones"

    def base_queryset(self):
        return selectors.interaction_list(user=self.request.user)

    def unfiltered_count(self) -> int | None:
        return selectors.interaction_count(user=self.request.user)


@permission_required("interactions.add")
def interaction_create(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get(user=request.user, pk=pk)
    require(request.user, "interactions.add", customer)
    form = InteractionForm(request.POST or None, instance=Interaction(customer=customer))
    quick = request.headers.get("HX-Request") == "true"
    if request.method == "POST" and form.is_valid():
        try:
            services.interaction_log(actor=request.user, customer=customer, data=form.cleaned_data)
        except ValidationError as exc:
            show_service_error(form, exc)
        else:
            if quick:
                entries, has_more = selectors.customer_timeline(
                    customer=customer, user=request.user, limit=TIMELINE_PAGE
                )
                return render(
                    request,
                    "customers/customer_detail.html#timeline",
                    {
                        "customer": customer,
                        "entries": entries,
                        "has_more": has_more,
                        "interaction_form": InteractionForm(instance=Interaction(customer=customer)),
                        "logged": True,
                    },
                )
            messages.success(request, _("Interaction recorded."))
            return redirect("customers:detail", pk=customer.pk)
    if quick and request.method == "GET" and request.headers.get("HX-Target") == "quick-form-body":
        return render(
            request, "customers/customer_detail.html#quick_form", {"customer": customer, "interaction_form": form}
        )
    if quick:
        entries, has_more = selectors.customer_timeline(customer=customer, user=request.user, limit=TIMELINE_PAGE)
        return render(
            request,
            "customers/customer_detail.html#timeline",
            {"customer": customer, "entries": entries, "has_more": has_more, "interaction_form": form},
        )
    return render(request, "customers/interaction_form.html", {"form": form, "customer": customer})


@permission_required("interactions.view")
def interaction_edit(request: HttpRequest, pk: int) -> HttpResponse:
    interaction = selectors.interaction_get(user=request.user, pk=pk)
    can_edit = has_perm(request.user, "interactions.change", interaction)
    form = InteractionForm(request.POST or None, instance=interaction)
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST":
        require(request.user, "interactions.change", interaction)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "lock_version"}
            try:
                services.interaction_update(
                    actor=request.user, interaction=interaction, data=data, expected_version=form.expected_version()
                )
            except (ValidationError, ConflictError) as exc:
                show_service_error(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("customers:detail", pk=interaction.customer_id)
    return render(
        request,
        "customers/interaction_form.html",
        {
            "form": form,
            "customer": interaction.customer,
            "interaction": interaction,
            "can_edit": can_edit,
            "ct_id": ContentType.objects.get_for_model(Interaction).pk,
        },
    )
