"""Backups that restore: a consistent database snapshot plus the uploaded files, with a manifest of
checksums and per-table fingerprints, and a restore that refuses a damaged backup.

SQLite is copied with its online backup API (consistent while the app runs); PostgreSQL with
pg_dump's custom format (one consistent snapshot) and pg_restore.
"""

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

MANIFEST = "manifest.json"
FORMAT_VERSION = 1


class BackupError(Exception):
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def database_fingerprint(cursor: Any = None) -> dict[str, dict[str, Any]]:
    """For every table Django manages: its row count and a hash of its rows in primary-key order.

    Reads through Django's connection, or through `cursor` (a DB-API cursor on a backup copy).
    """
    if cursor is None:
        with connection.cursor() as own:
            return database_fingerprint(own)
    tables: dict[str, dict[str, Any]] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        table = model._meta.db_table
        if table in tables:
            continue
        columns = [f.column for f in model._meta.local_concrete_fields]
        digest = hashlib.sha256()
        count = 0
        qn = connection.ops.quote_name
        cursor.execute(
            f"SELECT {', '.join(qn(c) for c in columns)} FROM {qn(table)} ORDER BY {qn(model._meta.pk.column)}"  # noqa: S608
        )
        while rows := cursor.fetchmany(2000):
            for row in rows:
                digest.update(repr(tuple(_normal(v) for v in row)).encode())
                count += 1
        tables[table] = {"rows": count, "sha256": digest.hexdigest()}
    return tables


def _normal(value: Any) -> Any:
    """Values as the same text on both databases (PostgreSQL returns datetimes, SQLite strings)."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ")
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def _vendor() -> str:
    return connection.vendor


def _dump_database(target: Path, snapshot: str | None = None) -> Path:
    if _vendor() == "sqlite":
        path = target / "database.sqlite3"
        connection.ensure_connection()
        destination = sqlite3.connect(path)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
        return path
    if _vendor() == "postgresql":
        path = target / "database.pgdump"
        extra = ["--snapshot", snapshot] if snapshot else []
        _run(["pg_dump", "--format=custom", "--no-owner", *extra, "--file", str(path), *_pg_args()])
        return path
    raise BackupError(f"Backups of {_vendor()} databases are not supported.")


def _pg_args() -> list[str]:
    db = connection.settings_dict
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    return args


def _run(command: list[str]) -> None:
    env = {**os.environ}
    if connection.settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = connection.settings_dict["PASSWORD"]
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed; it is needed for PostgreSQL backups.")
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:2000]}")


def _archive_media(target: Path) -> Path:
    path = target / "media.tar.gz"
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(path, "w:gz") as archive:
        if media.exists():
            for item in sorted(media.rglob("*")):
                if item.is_file():
                    archive.add(item, arcname=str(item.relative_to(media)))
    return path


def media_fingerprint() -> dict[str, str]:
    media = Path(settings.MEDIA_ROOT)
    if not media.exists():
        return {}
    return {str(p.relative_to(media)): _sha256(p) for p in sorted(media.rglob("*")) if p.is_file()}


def create(destination: Path | None = None) -> Path:
    """Write a backup folder and return its path."""
    root = Path(destination or settings.VAR_DIR / "backups")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
    target = root / f"clientela-{stamp}"
    target.mkdir(parents=True, exist_ok=False)
    # The fingerprint must describe exactly the data in the dump, even while people keep working:
    # SQLite's fingerprint is read from the copy itself; PostgreSQL shares one exported snapshot
    # between this transaction and pg_dump.
    if _vendor() == "sqlite":
        database_file = _dump_database(target)
        # The same column type conversions as Django's own SQLite connections.
        copy = sqlite3.connect(database_file, detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES)
        try:
            fingerprint = database_fingerprint(copy.cursor())
        finally:
            copy.close()
    else:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            fingerprint = database_fingerprint()
            database_file = _dump_database(target, snapshot)
    files = [database_file, _archive_media(target)]
    latest = dict(MigrationRecorder.Migration.objects.order_by("applied").values_list("app", "name"))
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "database": _vendor(),
        "migrations": latest,
        "tables": fingerprint,
        "media": media_fingerprint(),
        "files": {p.name: {"sha256": _sha256(p), "bytes": p.stat().st_size} for p in files},
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return target


def check(source: Path) -> dict[str, Any]:
    """Read the manifest and prove every file matches its checksum."""
    manifest_path = Path(source) / MANIFEST
    if not manifest_path.exists():
        raise BackupError(f"{source} is not a Clientela backup (no {MANIFEST}).")
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError("Unknown backup format.")
    for name, meta in manifest["files"].items():
        path = Path(source) / name
        if not path.exists() or _sha256(path) != meta["sha256"]:
            raise BackupError(f"{name} is missing or damaged (checksum mismatch).")
    return manifest


def restore(source: Path) -> dict[str, Any]:
    """Replace the database and uploaded files with the backup's, then verify them against it."""
    manifest = check(source)
    if manifest["database"] != _vendor():
        raise BackupError(f"The backup is of a {manifest['database']} database; this one is {_vendor()}.")
    source = Path(source)
    if _vendor() == "sqlite":
        connection.ensure_connection()
        origin = sqlite3.connect(source / "database.sqlite3")
        try:
            origin.backup(connection.connection)
        finally:
            origin.close()
    else:
        connection.close()
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *_pg_args(),
                str(source / "database.pgdump"),
            ]
        )
    media = Path(settings.MEDIA_ROOT)
    if media.exists():
        shutil.rmtree(media)
    media.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / "media.tar.gz", "r:gz") as archive:
        archive.extractall(media, filter="data")
    # Results kept on the data version (core.changes) describe the data before the restore, and the
    # restored counters may take those values again: none of them may be served.
    cache.clear()
    problems = verify_against(manifest)
    if problems:
        raise BackupError("Restored, but it does not match the backup: " + "; ".join(problems[:10]))
    return manifest


def verify_against(manifest: dict[str, Any]) -> list[str]:
    problems = []
    current = database_fingerprint()
    for table, expected in manifest["tables"].items():
        if current.get(table) != expected:
            problems.append(f"table {table} differs")
    if media_fingerprint() != manifest["media"]:
        problems.append("uploaded files differ")
    return problems
