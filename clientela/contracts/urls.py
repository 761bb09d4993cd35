"""Contracts, deliverables, deliveries, the due-dates calendar, compliance and regulations."""

from django.urls import path

from . import views

app_name = "contracts"

urlpatterns = [
    path("", views.ContractListView.as_view(), name="list"),
    path("new/", views.contract_create, name="create"),
    path("<int:pk>/", views.contract_detail, name="detail"),
    path("<int:pk>/edit/", views.contract_edit, name="edit"),
    path("<int:pk>/transition/", views.contract_transition, name="transition"),
    path("<int:pk>/review/", views.contract_review, name="review"),
    path("<int:pk>/archive/", views.contract_archive, name="archive"),
    path("<int:pk>/traceability.<str:fmt>", views.contract_traceability_export, name="traceability_export"),
    path("<int:pk>/regulations/add/", views.contract_regulation_add, name="regulation_add"),
    path(
        "<int:pk>/regulations/<int:regulation_pk>/remove/",
        views.contract_regulation_remove,
        name="regulation_remove",
    ),
    path(
        "<int:pk>/regulations/<int:regulation_pk>/reviewed/",
        views.contract_regulation_reviewed,
        name="regulation_reviewed",
    ),
    path("<int:pk>/deliverables/new/", views.deliverable_create, name="deliverable_create"),
    path("<int:pk>/obligations/new/", views.obligation_create, name="obligation_create"),
    path("obligations/<int:pk>/stop/", views.obligation_stop, name="obligation_stop"),
    path("deliverables/", views.DeliverableListView.as_view(), name="deliverables"),
    path("deliverables/<int:pk>/", views.deliverable_detail, name="deliverable_detail"),
    path("deliverables/<int:pk>/edit/", views.deliverable_edit, name="deliverable_edit"),
    path("deliverables/<int:pk>/transition/", views.deliverable_transition, name="deliverable_transition"),
    path("deliverables/<int:pk>/requirements/", views.deliverable_trace, name="deliverable_trace"),
    path("deliverables/<int:pk>/deliveries/new/", views.delivery_create, name="delivery_create"),
    path("deliveries/", views.DeliveryListView.as_view(), name="deliveries"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery_detail"),
    path("deliveries/<int:pk>/edit/", views.delivery_edit, name="delivery_edit"),
    path("deliveries/<int:pk>/complaint/", views.delivery_open_complaint, name="delivery_open_complaint"),
    path("deliveries/<int:pk>/plan/", views.delivery_open_plan, name="delivery_open_plan"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("compliance/", views.compliance_view, name="compliance"),
    path("regulations/", views.RegulationListView.as_view(), name="regulations"),
    path("regulations/new/", views.regulation_create, name="regulation_create"),
    path("regulations/<int:pk>/", views.regulation_detail, name="regulation_detail"),
    path("regulations/<int:pk>/edit/", views.regulation_edit, name="regulation_edit"),
    path("regulations/<int:pk>/archive/", views.regulation_archive, name="regulation_archive"),
]
