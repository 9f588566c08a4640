"""Backup and restore of one instance: the database and, kept apart from it, the key folder.

A database backup is a folder ``jisheng-<UTC time>/`` holding one database file (an SQLite
copy taken with the online backup API, or a ``pg_dump -Fc`` archive) and ``manifest.json``:
when and by which version it was made, the database vendor, the applied migrations, the rows
of every table and the SHA-256 of every file. A key backup is a folder
``jisheng-keys-<UTC time>/`` with the key files and ``keys-manifest.json``; it is written to a
different place, because keys stored next to the data would undo the encryption.

Restore checks every checksum, the manifest's seal and that the keys match the database before
it touches the instance, then compares the restored rows with the manifest.
"""

from __future__ import annotations

import base64
import datetime as dt
import glob
import hashlib
import hmac
import importlib.metadata
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from jisheng.core import crypto
from jisheng.core.errors import JishengError
from jisheng.core.fields import EncryptedTextField
from jisheng.core.instance import instance_home

FORMAT = 1
MANIFEST = "manifest.json"
KEYS_MANIFEST = "keys-manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
DATA_KEY_FILE = "data.json"
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret
# Tables that exist in every migrated instance; any user account or org unit means the
# instance already holds data of its own (everything else hangs off those two).
OWNED_DATA_TABLES = ("accounts_user", "core_orgunit")


class BackupError(JishengError):
    """A backup could not be written, or a restore was refused before changing anything."""

    code = "backup"


@dataclass(frozen=True)
class RestoreReport:
    """What a restore did and what it found when it compared the result with the manifest."""

    backup: Path
    vendor: str
    tables: int
    rows: int
    count_mismatches: dict[str, tuple[int, int]] = field(default_factory=dict)
    extra_tables: list[str] = field(default_factory=list)
    decrypted_columns: list[str] = field(default_factory=list)
    pending_migrations: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.count_mismatches and not self.extra_tables


# --- backup --------------------------------------------------------------------------


def database_backup(*, to: Path, now: dt.datetime | None = None) -> Path:
    """Write a consistent copy of the database and its manifest into a new folder under ``to``."""
    created = now or dt.datetime.now(tz=dt.UTC)
    final = to / f"jisheng-{created:%Y%m%dT%H%M%SZ}"
    with _new_folder(final) as folder:
        vendor = connections[DEFAULT_DB_ALIAS].vendor
        if vendor == "sqlite":
            name = SQLITE_FILE
            counts, migrations = _sqlite_backup(folder / name)
        elif vendor == "postgresql":
            name = PG_FILE
            counts, migrations = _pg_backup(folder / name)
        else:
            raise BackupError(f"Backups of a {vendor} database are not supported.")
        (folder / name).chmod(0o600)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "kind": "jisheng-database",
            "created_at": created.isoformat(),
            "app_version": _app_version(),
            "database": {"vendor": vendor, "file": name},
            "migrations": migrations,
            "row_counts": counts,
            "keys": _fingerprints(_current_key_files()),
            "files": {name: _file_entry(folder / name)},
        }
        _write_json(folder / MANIFEST, _sealed(manifest, _current_key_files()))
    return final


def keys_backup(*, to: Path, now: dt.datetime | None = None) -> Path:
    """Copy the instance's key files and their manifest into a new folder under ``to``."""
    created = now or dt.datetime.now(tz=dt.UTC)
    final = to / f"jisheng-keys-{created:%Y%m%dT%H%M%SZ}"
    sources = _current_key_files()
    if DATA_KEY_FILE not in sources:
        raise BackupError(f"The instance has no data key file ({_data_key_path()}).")
    with _new_folder(final) as folder:
        for name, path in sources.items():
            shutil.copyfile(path, folder / name)
            (folder / name).chmod(0o600)
        manifest = {
            "format": FORMAT,
            "kind": "jisheng-keys",
            "created_at": created.isoformat(),
            "app_version": _app_version(),
            "keys": _fingerprints(sources),
            "files": {name: _file_entry(folder / name) for name in sources},
        }
        _write_json(folder / KEYS_MANIFEST, manifest)
    return final


def _sqlite_backup(target: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    connection = connections[DEFAULT_DB_ALIAS]
    connection.ensure_connection()
    source = connection.connection
    assert isinstance(source, sqlite3.Connection)  # noqa: S101 - vendor checked by the caller
    copy = sqlite3.connect(target)
    try:
        # One step holds a read snapshot for the whole copy: consistent while the app
        # writes (WAL lets writers go on), and no half-old, half-new pages.
        source.backup(copy)
        # A standalone file: no -wal/-shm companions appear when it is opened to restore.
        copy.execute("PRAGMA journal_mode=DELETE")
        virtual = {row[0] for row in copy.execute(SQLITE_VIRTUAL_TABLES)}
        tables = [
            row[0]
            for row in copy.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
            if row[0] not in virtual
        ]
        counts = {t: int(copy.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]) for t in tables}  # noqa: S608 - names from sqlite_master
        rows = copy.execute("SELECT app, name FROM django_migrations").fetchall()
    finally:
        copy.close()
    return dict(sorted(counts.items())), _migration_map(rows)


# SQLite's virtual tables (the registry's FTS5 search indexes) are not counted in a backup's
# manifest nor compared on restore: a contentless one cannot be read row by row. The ordinary
# tables that hold their index (``…_data``, ``…_idx``) are counted.
SQLITE_VIRTUAL_TABLES = (
    "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'"
)


def _pg_backup(target: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    connection = connections[DEFAULT_DB_ALIAS]
    connection.ensure_connection()
    with transaction.atomic(), connection.cursor() as cursor:
        # Counts, migrations and pg_dump all read the one exported snapshot, so the manifest
        # describes exactly the rows in the archive even while the app keeps writing.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = str(cursor.fetchone()[0])
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - introspected names
            counts[table] = int(cursor.fetchone()[0])
        cursor.execute("SELECT app, name FROM django_migrations")
        migrations = _migration_map(cursor.fetchall())
        _run_pg_tool("pg_dump", ["-Fc", "--snapshot", snapshot, "-f", str(target)])
    return dict(sorted(counts.items())), migrations


# --- restore -------------------------------------------------------------------------


def backup_verify(*, source: Path, keys: Path) -> dict[str, Any]:
    """Check every checksum, the keys and the manifest's seal; return the database manifest."""
    manifest = _read_manifest(source / MANIFEST, kind="jisheng-database")
    keys_manifest = _read_manifest(keys / KEYS_MANIFEST, kind="jisheng-keys")
    _verify_files(source, manifest)
    _verify_files(keys, keys_manifest)
    key_files = {name: keys / name for name in keys_manifest["files"]}
    wanted = manifest.get("keys", {})
    given = _fingerprints(key_files)
    problems = [
        f"data key {key_id}"
        for key_id, print_ in wanted.get("data_keys", {}).items()
        if given.get("data_keys", {}).get(key_id) != print_
    ]
    if wanted.get("index_key") not in (None, given.get("index_key")):
        problems.append("index key")
    if problems:
        raise BackupError(
            f"The keys in {keys} do not belong to this database backup "
            f"(missing or different: {', '.join(problems)})."
        )
    sealing_keys = key_files if wanted else {}
    if not hmac.compare_digest(_seal(manifest, sealing_keys), str(manifest.get("seal", ""))):
        raise BackupError(f"{source / MANIFEST} was altered after the backup was written.")
    return manifest


def instance_restore(*, source: Path, keys: Path, force: bool = False) -> RestoreReport:
    """Restore a database backup and its keys into this instance, then compare the rows.

    Refuses, before changing anything, a backup whose files, seal or keys do not check out,
    one from another database vendor or from newer code, and (unless ``force``) an instance
    that already holds data. The app must be stopped while this runs.
    """
    manifest = backup_verify(source=source, keys=keys)
    connection = connections[DEFAULT_DB_ALIAS]
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(
            f"This is a {vendor} backup; the instance uses {connection.vendor} (DATABASE_URL)."
        )
    unknown = _unknown_migrations(manifest["migrations"])
    if unknown:
        raise BackupError(
            "The backup was made by a newer version of jisheng (migrations this code does not "
            f"know: {', '.join(unknown[:5])}). Install that version first."
        )
    if not force and _holds_data():
        raise BackupError(
            "This instance already holds data. Restore into a fresh instance, "
            "or pass --force to replace its database and keys."
        )
    database_file = source / manifest["database"]["file"]
    connection.close()
    if vendor == "sqlite":
        _sqlite_restore(database_file)
    else:
        _pg_restore(database_file)
    _install_keys(keys)
    connection.close()
    return _compare(source, manifest)


def _sqlite_restore(database_file: Path) -> None:
    backup = sqlite3.connect(f"{database_file.as_uri()}?mode=ro", uri=True)
    try:
        check = backup.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"{database_file} fails SQLite's integrity check: {check}")
        target = sqlite3.connect(settings.DATABASES[DEFAULT_DB_ALIAS]["NAME"], timeout=20)
        try:
            # Through SQLite rather than a file copy: the target's -wal file is reset with
            # it, and the copy replaces the old database atomically.
            backup.backup(target)
        finally:
            target.close()
    finally:
        backup.close()


def _pg_restore(database_file: Path) -> None:
    name = str(settings.DATABASES[DEFAULT_DB_ALIAS]["NAME"])
    _run_pg_tool(
        "pg_restore",
        [
            "--no-owner",
            "--no-privileges",
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            name,
            str(database_file),
        ],
    )


def _install_keys(keys: Path) -> None:
    """Put the backed-up key files in place; a different key already there is kept aside."""
    targets = {DATA_KEY_FILE: _data_key_path(), SECRET_KEY_FILE: _secret_key_path()}
    stamp = f"{dt.datetime.now(tz=dt.UTC):%Y%m%dT%H%M%SZ}"
    for name, target in targets.items():
        source = keys / name
        if not source.exists():
            continue
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if target.exists():
            if target.read_bytes() == source.read_bytes():
                continue
            if name == DATA_KEY_FILE:  # may be the only key to data somewhere: never lose it
                target.rename(target.with_name(f"{target.name}.before-restore-{stamp}"))
        partial = target.with_name(f".{target.name}.restoring")
        shutil.copyfile(source, partial)
        partial.chmod(0o600)
        partial.replace(target)
    crypto.keyring.cache_clear()


def _compare(source: Path, manifest: dict[str, Any]) -> RestoreReport:
    connection = connections[DEFAULT_DB_ALIAS]
    expected: dict[str, int] = manifest["row_counts"]
    with connection.cursor() as cursor:
        # SQLite's own tables (sqlite_stat1 after ANALYZE) are not data: the manifest skips them.
        tables = [
            t for t in connection.introspection.table_names(cursor) if not t.startswith("sqlite_")
        ]
        # A backup made before its virtual tables were left out counted them: not compared.
        virtual: set[str] = set()
        if connection.vendor == "sqlite":
            cursor.execute(SQLITE_VIRTUAL_TABLES)
            virtual = {row[0] for row in cursor.fetchall()}
        tables = [t for t in tables if t not in virtual]
        mismatches = {}
        for table in expected.keys() - virtual:
            found = -1
            if table in tables:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - introspected names
                found = int(cursor.fetchone()[0])
            if found != expected[table]:
                mismatches[table] = (expected[table], found)
    pending = _pending_migrations()
    return RestoreReport(
        backup=source,
        vendor=manifest["database"]["vendor"],
        tables=len(expected),
        rows=sum(expected.values()),
        count_mismatches=mismatches,
        extra_tables=sorted(set(tables) - set(expected)),
        # Models match the tables only when no migration is pending.
        decrypted_columns=[] if pending else _decrypt_samples(),
        pending_migrations=pending,
    )


def _decrypt_samples() -> list[str]:
    """Read one stored value of every encrypted column: proves the keys open the data."""
    checked = []
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if not isinstance(model_field, EncryptedTextField):
                continue
            label = f"{model._meta.label}.{model_field.name}"
            try:
                model._base_manager.filter(**{f"{model_field.name}__isnull": False}).values_list(
                    model_field.name, flat=True
                ).first()
            except crypto.DecryptionError as exc:
                raise BackupError(f"The restored keys do not decrypt {label}: {exc}") from exc
            checked.append(label)
    return checked


def _holds_data() -> bool:
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        for table in OWNED_DATA_TABLES:
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608 - fixed names
                if cursor.fetchone() is not None:
                    return True
    return False


def _unknown_migrations(recorded: dict[str, list[str]]) -> list[str]:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [
        f"{app}.{name}"
        for app, names in sorted(recorded.items())
        for name in names
        if (app, name) not in known
    ]


def _pending_migrations() -> list[str]:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


# --- files, checksums, keys ----------------------------------------------------------


@contextmanager
def _new_folder(final: Path) -> Iterator[Path]:
    """A private folder that gets its final name only once everything in it is written."""
    if final.exists():
        raise BackupError(f"{final} already exists.")
    final.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = final.with_name(f".{final.name}.partial")
    partial.mkdir(mode=0o700)
    try:
        yield partial
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def _read_manifest(path: Path, *, kind: str) -> dict[str, Any]:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupError(f"{path} is missing: not a complete jisheng backup.") from exc
    except (OSError, ValueError) as exc:
        raise BackupError(f"{path} cannot be read: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("kind") != kind:
        raise BackupError(f"{path} is not a manifest of the kind {kind}.")
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} has format {manifest.get('format')!r}; expected {FORMAT}.")
    return manifest


def _verify_files(folder: Path, manifest: dict[str, Any]) -> None:
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise BackupError(f"The manifest in {folder} lists no files.")
    for name, entry in files.items():
        if Path(name).name != name or name.startswith("."):
            raise BackupError(f"The manifest in {folder} names a file outside it: {name!r}")
        path = folder / name
        if not path.is_file():
            raise BackupError(f"{path} is missing.")
        if _sha256(path) != entry.get("sha256"):
            raise BackupError(f"{path} does not match its SHA-256 checksum: altered or damaged.")


def _file_entry(path: Path) -> dict[str, Any]:
    return {"sha256": _sha256(path), "bytes": path.stat().st_size}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_json(path: Path, content: dict[str, Any]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(content, handle, indent=2, ensure_ascii=False, sort_keys=True)
        handle.write("\n")


def _data_key_path() -> Path:
    return crypto._key_file()  # JISHENG_KEY_FILE or the instance's keys/data.json


def _secret_key_path() -> Path:
    return instance_home() / "keys" / SECRET_KEY_FILE


def _current_key_files() -> dict[str, Path]:
    candidates = {DATA_KEY_FILE: _data_key_path(), SECRET_KEY_FILE: _secret_key_path()}
    return {name: path for name, path in candidates.items() if path.exists()}


def _fingerprints(key_files: dict[str, Path]) -> dict[str, Any]:
    """One-way prints of each key: enough to match keys with data, nothing to decrypt with."""
    path = key_files.get(DATA_KEY_FILE)
    if path is None:
        return {}
    raw = json.loads(path.read_text(encoding="ascii"))
    return {
        "active": int(raw["active"]),
        "data_keys": {str(k): _fingerprint(v) for k, v in sorted(raw["data_keys"].items())},
        "index_key": _fingerprint(raw["index_key"]),
    }


def _fingerprint(encoded: str) -> str:
    return hashlib.sha256(b"jisheng key print\x00" + base64.b64decode(encoded)).hexdigest()[:32]


def _sealed(manifest: dict[str, Any], key_files: dict[str, Path]) -> dict[str, Any]:
    return {**manifest, "seal": _seal(manifest, key_files)}


def _seal(manifest: dict[str, Any], key_files: dict[str, Path]) -> str:
    """HMAC of the manifest under the index key: a file and its checksum edited together (or
    the row counts) are caught, since forging the seal needs the keys kept elsewhere."""
    path = key_files.get(DATA_KEY_FILE)
    secret = b"no data key" if path is None else _index_key(path)
    body = {k: v for k, v in manifest.items() if k != "seal"}
    message = json.dumps(body, sort_keys=True, ensure_ascii=False).encode()
    key = hashlib.sha256(b"jisheng backup seal\x00" + secret).digest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _index_key(path: Path) -> bytes:
    return base64.b64decode(json.loads(path.read_text(encoding="ascii"))["index_key"])


def _migration_map(rows: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in rows:
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def _app_version() -> str:
    try:
        return importlib.metadata.version("jisheng")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


# --- PostgreSQL client tools ---------------------------------------------------------


def _pg_tool(name: str) -> str:
    """``pg_dump``/``pg_restore`` on PATH, else the newest in Debian's versioned folders."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdecimal() else 0,
    )
    if not candidates:
        raise BackupError(
            f"{name} is not installed (Debian: apt-get install postgresql-client, "
            "or tools/bootstrap.sh --test)."
        )
    return candidates[-1]


def _pg_environment() -> dict[str, str]:
    """libpq variables from DATABASE_URL: the password goes by PGPASSWORD, never argv."""
    db = settings.DATABASES[DEFAULT_DB_ALIAS]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    pairs = {
        "PGHOST": db.get("HOST"),
        "PGPORT": db.get("PORT"),
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGDATABASE": db.get("NAME"),
        "PGSSLMODE": db.get("OPTIONS", {}).get("sslmode"),
    }
    env.update({k: str(v) for k, v in pairs.items() if v})
    return env


def _run_pg_tool(name: str, arguments: list[str]) -> None:
    result = subprocess.run(  # noqa: S603 - fixed tool, arguments without a shell
        [_pg_tool(name), *arguments],
        env=_pg_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"{name} failed (exit {result.returncode}): {result.stderr.strip()}")
