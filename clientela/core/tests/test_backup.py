"""Back up, destroy, restore: every table and file comes back identical (SQLite and PostgreSQL)."""

import json

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from clientela.core import attachments, backup
from clientela.core.models import Attachment, AuditEntry
from clientela.customers import services
from clientela.customers.models import Contact, Customer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def data(users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    customer = services.customer_create(
        actor=users["sales_manager"], data={"name": "Ñandú Güemes S.A.", "tax_id": "B58378431"}
    )
    services.contact_create(
        actor=users["sales_manager"], customer=customer, data={"first_name": "Inés", "email": "ines@x.es"}
    )
    attachments.attach(
        actor=users["sales_manager"], target=customer, upload=SimpleUploadedFile("acta.pdf", b"%PDF-1.4\n%%EOF\n")
    )
    return customer


def test_backup_destroy_restore_gives_back_every_table_and_file(data, tmp_path):
    before_db = backup.database_fingerprint()
    before_media = backup.media_fingerprint()
    folder = backup.create(tmp_path / "backups")
    manifest = json.loads((folder / backup.MANIFEST).read_text())
    assert manifest["tables"]["customers_customer"]["rows"] == 1 and manifest["media"]

    Attachment.objects.all().delete()
    Contact.objects.all().delete()
    Customer.objects.all().delete()
    for path in (tmp_path / "media").rglob("*"):
        if path.is_file():
            path.unlink()
    services.customer_create(actor=None, data={"name": "Intruso después del backup"})
    cache.set("kept-on-the-data-after-the-backup", 1)

    backup.restore(folder)
    assert cache.get("kept-on-the-data-after-the-backup") is None
    assert backup.database_fingerprint() == before_db
    assert backup.media_fingerprint() == before_media
    assert list(Customer.objects.values_list("name", flat=True)) == ["Ñandú Güemes S.A."]
    assert AuditEntry.objects.exists()
    call_command("verify_audit")


def test_a_damaged_backup_is_refused_before_touching_anything(data, tmp_path):
    folder = backup.create(tmp_path / "backups")
    database_file = next(p for p in folder.iterdir() if p.name.startswith("database."))
    database_file.write_bytes(database_file.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(folder), "--yes")
    assert Customer.objects.count() == 1


def test_the_commands_write_and_check_backups(data, tmp_path, capsys):
    call_command("backup", "--output", str(tmp_path / "b"), "--keep", "1")
    call_command("backup", "--output", str(tmp_path / "b"), "--keep", "1")
    folders = list((tmp_path / "b").glob("clientela-*"))
    assert len(folders) == 1
    call_command("restore", str(folders[0]), "--check")
    assert "intact" in capsys.readouterr().out
