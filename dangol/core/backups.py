"""Backups that restore and verify: the database and the uploaded media in one dated .tar, with a manifest.

The manifest counts every table's rows in the very snapshot the dump holds (SQLite: in the copy itself;
PostgreSQL: in the transaction whose exported snapshot pg_dump reads), so a restore can prove it got
everything back, and the ledger's hash chain proves nothing was changed on the way.

Never `dumpdata`: its JSON cuts timestamps to milliseconds and the ledger hashes microseconds.
"""

import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import django
from django.conf import settings
from django.db import connections

from dangol.ledger.models import Entry, Head
from dangol.ledger.services import ledger_verify

ARCHIVE_FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_DIR = "media"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# Rows `migrate` writes by itself; a database holding only these still counts as empty for a restore.
SCHEMA_TABLES = {"django_migrations", "django_content_type", "auth_permission", "auth_group", "auth_group_permissions"}
# libpq reads these from the environment, so no password ever shows in `ps`.
PG_OPTION_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "application_name": "PGAPPNAME",
}


class BackupError(Exception):
    """A backup or restore that could not start or finish; the message says why, in Korean and English."""


@dataclass(frozen=True)
class Check:
    name: str  # "rows", "ledger" or "media"
    ok: bool
    message: str


@dataclass
class RestoreReport:
    archive: str
    manifest: dict
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self):
        return bool(self.checks) and all(check.ok for check in self.checks)


# Backing up


def backup_create(*, to):
    """Write dangol-<vendor>-<UTC time>.tar into the directory `to`; returns its path.

    Safe while the app writes: SQLite's online backup API copies one consistent snapshot (WAL),
    pg_dump reads one exported snapshot.
    """
    to = Path(to)
    to.mkdir(parents=True, exist_ok=True)
    connection = connections["default"]
    vendor = connection.vendor
    if vendor not in DATABASE_FILES:
        raise BackupError(f"{vendor} 데이터베이스는 백업할 수 없습니다. / Backups support SQLite and PostgreSQL only.")
    created_at = dt.datetime.now(dt.UTC)
    name = f"dangol-{vendor}-{created_at:%Y%m%d-%H%M%S}Z"
    archive = to / f"{name}.tar"
    if archive.exists():
        raise BackupError(f"{archive} 파일이 이미 있습니다. / {archive} exists already.")
    with tempfile.TemporaryDirectory(prefix=".dangol-backup-", dir=to) as staging:
        folder = Path(staging) / name
        folder.mkdir()
        database_file = folder / DATABASE_FILES[vendor]
        if vendor == "sqlite":
            database = _sqlite_backup(connection.settings_dict, database_file)
        else:
            database = _postgres_backup(database_file)
        database.update(file=database_file.name, sha256=_sha256(database_file), bytes=database_file.stat().st_size)
        manifest = {
            "format": ARCHIVE_FORMAT,
            "created_at": created_at.isoformat(timespec="microseconds"),
            "dangol": {"version": _dangol_version(), "migrations": database.pop("migrations")},
            "django": django.get_version(),
            "python": platform.python_version(),
            "tables": database.pop("tables"),
            "ledger": database.pop("ledger"),
            "database": database,
            "media": _media_copy(Path(settings.MEDIA_ROOT), folder / MEDIA_DIR),
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        partial = to / f".{name}.tar.partial"
        with tarfile.open(partial, "w") as tar:
            tar.add(folder, arcname=name)
        # A half-written archive never carries the final name.
        partial.replace(archive)
    return archive


def _sqlite_backup(settings_dict, target):
    source = sqlite3.connect(settings_dict["NAME"], timeout=20)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # all pages in one step: one read transaction, one snapshot
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file in the archive
        facts = _snapshot_facts(copy.cursor(), _sqlite_tables(copy), quote=_quote)
        facts.update(vendor="sqlite", server_version=sqlite3.sqlite_version, tool="sqlite3 online backup API")
        return facts
    finally:
        copy.close()
        source.close()


def _sqlite_tables(conn):
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return sorted(name for (name,) in rows)


def _postgres_backup(target):
    # A connection of our own: its REPEATABLE READ transaction pins the snapshot that pg_dump reads too.
    snapshot_connection = connections.create_connection("default")
    try:
        with snapshot_connection.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = sorted(snapshot_connection.introspection.table_names(cursor))
            facts = _snapshot_facts(cursor, tables, quote=snapshot_connection.ops.quote_name)
            major = snapshot_connection.pg_version // 10000
            pg_dump = _pg_binary("pg_dump", major)
            _run(
                [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}", "--no-password"],
                env=_pg_env(snapshot_connection.settings_dict),
            )
            cursor.execute("COMMIT")
        tool = _run([pg_dump, "--version"], env=_pg_env(snapshot_connection.settings_dict)).strip()
        version = snapshot_connection.pg_version
        facts.update(vendor="postgresql", server_version=f"{major}.{version % 10000}", server_major=major, tool=tool)
        return facts
    finally:
        snapshot_connection.close()


def _snapshot_facts(cursor, tables, *, quote):
    """Row counts, latest migrations and the ledger's head, all read in the caller's snapshot."""
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (names come from the catalog)
        counts[table] = cursor.fetchone()[0]
    migrations = {}
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            migrations[app] = name
    head = {"seq": 0, "hash": ""}
    if Head._meta.db_table in counts:
        cursor.execute(f"SELECT seq, hash FROM {quote(Head._meta.db_table)} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
        if row:
            head = {"seq": int(row[0]), "hash": row[1]}
    return {"tables": counts, "migrations": migrations, "ledger": head}


def _media_copy(source, target):
    """Copy the uploads and list every file with its size and SHA-256, so a restore can check each one."""
    files = []
    if source.is_dir():
        shutil.copytree(source, target, symlinks=False)
    else:
        target.mkdir()
    for path in sorted(p for p in target.rglob("*") if p.is_file()):
        files.append(
            {"path": path.relative_to(target).as_posix(), "bytes": path.stat().st_size, "sha256": _sha256(path)}
        )
    return {"files": files, "count": len(files), "bytes": sum(f["bytes"] for f in files)}


# Restoring


def backup_restore(*, archive, replace=False):
    """Restore `archive` (a .tar or its unpacked folder) into the configured database and MEDIA_ROOT, then verify.

    Refuses a database holding rows unless `replace`. Nothing is written when the archive fails its own checksum.
    """
    archive = Path(archive)
    with tempfile.TemporaryDirectory(prefix="dangol-restore-") as scratch:
        folder = _unpack(archive, Path(scratch))
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("format") != ARCHIVE_FORMAT:
            raise BackupError(
                f"알 수 없는 백업 형식입니다({manifest.get('format')}). / Unknown archive format {manifest.get('format')!r}."
            )
        database = manifest["database"]
        database_file = folder / database["file"]
        if _sha256(database_file) != database["sha256"]:
            raise BackupError(
                "백업 파일이 만들어진 뒤 바뀌었거나 손상되었습니다. 복원하지 않았습니다. / "
                "The database file does not match the manifest's checksum; nothing was restored."
            )
        connection = connections["default"]
        if database["vendor"] != connection.vendor:
            raise BackupError(
                f"{database['vendor']} 백업은 {connection.vendor} 데이터베이스에 복원할 수 없습니다. / "
                f"A {database['vendor']} backup cannot be restored into {connection.vendor}."
            )
        holding = _tables_with_rows()
        if holding and not replace:
            shown = ", ".join(holding[:5]) + (" …" if len(holding) > 5 else "")
            raise BackupError(
                f"데이터베이스가 비어 있지 않습니다({shown}). 덮어쓰려면 --yes를 붙이세요. / "
                f"The database is not empty ({shown}); pass --yes to overwrite it."
            )
        connections.close_all()
        if connection.vendor == "sqlite":
            _sqlite_restore(database_file, connection.settings_dict)
        else:
            _postgres_restore(database_file, connection.settings_dict, major=database["server_major"])
        _media_restore(folder / MEDIA_DIR, Path(settings.MEDIA_ROOT))
        connections.close_all()
    return RestoreReport(archive=str(archive), manifest=manifest, checks=backup_verify(manifest=manifest))


def _unpack(archive, scratch):
    if archive.is_dir():
        folder = archive
    elif archive.is_file():
        with tarfile.open(archive) as tar:
            tar.extractall(scratch, filter="data")
        folders = [p for p in scratch.iterdir() if p.is_dir()]
        if len(folders) != 1:
            raise BackupError(f"{archive}는 단골 백업이 아닙니다. / {archive} is not a Dangol backup.")
        folder = folders[0]
    else:
        raise BackupError(f"{archive} 파일이 없습니다. / {archive} does not exist.")
    if not (folder / MANIFEST).is_file():
        raise BackupError(f"{archive}에 manifest.json이 없습니다. / {archive} holds no manifest.json.")
    return folder


def _tables_with_rows():
    connection = connections["default"]
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        holding = []
        for table in sorted(set(tables) - SCHEMA_TABLES):
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone():
                holding.append(table)
    return holding


def _sqlite_restore(source_file, settings_dict):
    target = Path(settings_dict["NAME"])
    target.parent.mkdir(parents=True, exist_ok=True)
    # Page by page through the backup API, so the target's WAL and any open reader stay consistent.
    source = sqlite3.connect(source_file)
    copy = sqlite3.connect(target, timeout=20)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=WAL")
    finally:
        copy.close()
        source.close()


def _postgres_restore(source_file, settings_dict, *, major):
    local_major = connections["default"].pg_version // 10000
    pg_restore = _pg_binary("pg_restore", max(major, local_major))
    # An empty --dbname makes pg_restore connect (rather than print SQL) with libpq taking PGDATABASE.
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--no-password",
            "--dbname=",
            str(source_file),
        ],
        env=_pg_env(settings_dict),
    )


def _media_restore(source, target):
    # Uploads are never deleted by a restore: files the archive holds are put back, others stay.
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)


# Verifying


def backup_verify(*, manifest):
    """Compare the configured database and MEDIA_ROOT with a backup's manifest: rows, ledger chain, media files."""
    return [_check_rows(manifest["tables"]), _check_ledger(manifest["ledger"]), _check_media(manifest["media"])]


def _check_rows(expected):
    connection = connections["default"]
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        actual = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            actual[table] = cursor.fetchone()[0]
    differ = [
        f"{table} {expected.get(table, '-')}→{actual.get(table, '-')}"
        for table in sorted(set(expected) | {t for t, n in actual.items() if n})
        if expected.get(table) != actual.get(table)
    ]
    total = sum(expected.values())
    if differ:
        shown = ", ".join(differ[:8]) + (" …" if len(differ) > 8 else "")
        return Check(
            "rows",
            False,
            f"행 수가 다릅니다 / row counts differ (backup→database): {shown}",
        )
    return Check(
        "rows", True, f"테이블 {len(expected)}개, 행 {total:,}개 일치 / {len(expected)} tables, {total:,} rows match"
    )


def _check_ledger(head):
    anchors = [(head["seq"], head["hash"])] if head["seq"] else []
    result = ledger_verify(anchors=anchors)
    if not result.ok:
        return Check(
            "ledger",
            False,
            f"장부 검증 실패 / ledger broken at #{result.broken_seq} ({result.problem}): {result.message}",
        )
    if result.head_seq != head["seq"]:
        return Check(
            "ledger",
            False,
            f"장부 끝이 다릅니다 / ledger head is #{result.head_seq}, the backup's was #{head['seq']}",
        )
    entries = Entry.objects.count()
    return Check(
        "ledger", True, f"기록 {entries:,}건 해시 연결 확인 / {entries:,} entries verified, head #{result.head_seq}"
    )


def _check_media(media):
    root = Path(settings.MEDIA_ROOT)
    wrong = [
        f["path"]
        for f in media["files"]
        if not (root / f["path"]).is_file() or _sha256(root / f["path"]) != f["sha256"]
    ]
    if wrong:
        shown = ", ".join(wrong[:5]) + (" …" if len(wrong) > 5 else "")
        return Check("media", False, f"미디어 파일이 없거나 다릅니다 / media files missing or changed: {shown}")
    return Check("media", True, f"미디어 파일 {media['count']:,}개 일치 / {media['count']:,} media files match")


# Helpers


def _pg_binary(name, major):
    """The client matching the server's major version (Debian installs them side by side), else the one on PATH."""
    versioned = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    if versioned.is_file():
        return str(versioned)
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name}이(가) 없습니다. postgresql-client-{major}를 설치하세요. / "
            f"{name} not found: apt-get install postgresql-client-{major}"
        )
    return found


def _pg_env(settings_dict):
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    values = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": settings_dict.get("NAME"),
    }
    for option, variable in PG_OPTION_ENV.items():
        values[variable] = (settings_dict.get("OPTIONS") or {}).get(option)
    env.update({key: str(value) for key, value in values.items() if value not in (None, "")})
    return env


def _run(command, *, env):
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 (our own argv)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} 실패 / failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


def _quote(name):
    return '"' + name.replace('"', '""') + '"'


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _dangol_version():
    pyproject = Path(settings.BASE_DIR) / "pyproject.toml"
    try:
        return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"
