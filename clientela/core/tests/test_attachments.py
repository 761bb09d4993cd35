import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clientela.core.models import Attachment, AuditEntry
from clientela.customers.models import Customer
from clientela.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture
def customer(users):
    return CustomerFactory(account_manager=users["account_manager"])


def upload_url(customer):
    return reverse("core:attachment_upload", args=[ContentType.objects.get_for_model(Customer).pk, customer.pk])


def test_a_pdf_is_attached_audited_and_downloadable(client_as, customer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_as("account_manager")
    response = client.post(
        upload_url(customer),
        {"file": SimpleUploadedFile("acta firmada.pdf", PDF), "purpose": "evidence", "description": "Acta"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "acta_firmada.pdf" in response.text
    attachment = Attachment.objects.get()
    assert attachment.mime_type == "application/pdf" and len(attachment.sha256) == 64
    assert "acta" not in attachment.file.name  # stored under a random name
    assert AuditEntry.objects.filter(action="attached").exists()
    download = client.get(reverse("core:attachment", args=[attachment.pk]))
    assert download["Content-Disposition"].startswith("attachment") and download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF
    assert client_as("nobody").get(reverse("core:attachment", args=[attachment.pk])).status_code == 404


def test_a_new_version_replaces_the_old_one(client_as, customer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_as("account_manager")
    client.post(upload_url(customer), {"file": SimpleUploadedFile("v1.pdf", PDF), "purpose": "evidence"})
    first = Attachment.objects.get()
    client.post(
        upload_url(customer), {"file": SimpleUploadedFile("v2.pdf", PDF), "purpose": "evidence", "replaces": first.pk}
    )
    second = Attachment.objects.latest("pk")
    assert second.version == 2 and second.replaces == first


def test_disguised_executables_and_big_files_are_refused(client_as, customer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENT_MAX_BYTES = 1024
    client = client_as("account_manager")
    response = client.post(
        upload_url(customer),
        {"file": SimpleUploadedFile("factura.pdf", EXE), "purpose": "evidence"},
        HTTP_HX_REQUEST="true",
    )
    assert "no se admite" in response.text
    response = client.post(
        upload_url(customer),
        {"file": SimpleUploadedFile("grande.pdf", PDF + b"0" * 2000), "purpose": "evidence"},
        HTTP_HX_REQUEST="true",
    )
    assert "demasiado grande" in response.text
    assert not Attachment.objects.exists()


def test_only_who_may_change_the_record_may_attach(client_as, customer, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    other = CustomerFactory(account_manager=users["bob"])
    assert (
        client_as("account_manager")
        .post(upload_url(other), {"file": SimpleUploadedFile("a.pdf", PDF), "purpose": "evidence"})
        .status_code
        == 403
    )
    assert (
        client_as("account_manager")
        .post(
            upload_url(customer),
            {"file": SimpleUploadedFile("a.pdf", PDF), "purpose": "document"},
            HTTP_HX_REQUEST="true",
        )
        .status_code
        == 200
    )
    assert not Attachment.objects.exists()
