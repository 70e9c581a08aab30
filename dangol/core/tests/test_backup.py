"""Backups restore and verify: taken while the app writes, put back into a fresh database, proven by row counts
and the ledger's hash chain; a changed archive or a database holding rows is refused.

The SQLite tests run the commands as an operator would, in subprocesses on file databases under tmp_path;
the PostgreSQL tests back up the test database under write load with pg_dump and restore into a second database.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from dangol.ledger.models import Entry

ROOT = Path(settings.BASE_DIR)
PHOTO = bytes(range(256)) * 40  # an uploaded photo's bytes

# Runs inside `manage.py shell -c`: the app's own writes (a ledger entry and a sign-up, in one transaction)
# until the stop file appears.
WRITER = """
import os, pathlib
from dangol.accounts.models import User
from django.db import transaction
from dangol.ledger.models import Entry
stop, n = pathlib.Path(os.environ["STOP_FILE"]), 0
while not stop.exists():
    n += 1
    with transaction.atomic():
        Entry.append(book="fund", kind="donation", amount=1000 + n, memo="부하 시험", reference=f"load:{n}")
        User.objects.create_user(f"+8210{70000000 + n}")
print(n)
"""


def app_env(root, **extra):
    """The whole environment a Dangol subprocess gets: nothing inherited but PATH."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(root),
        "DANGOL_VAR_DIR": str(root),
        "DANGOL_MEDIA_ROOT": str(root / "media"),
        "DATABASE_URL": f"sqlite:///{root / 'dangol.sqlite3'}",
        "DANGOL_SECRET_KEY": "backup-tests-" + "k7Qx2Lm9Vb4Rt8Zw" * 4,
        "DANGOL_DEMO": "1",
        "DANGOL_SMS_BACKEND": "dangol.accounts.sms.LocMemSMS",
        "DANGOL_TASK_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        **extra,
    }


def manage(env, *args):
    return subprocess.run(  # noqa: S603 -- our own interpreter and manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def counts(path):
    with sqlite3.connect(path) as db:
        names = [
            n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
        ]
        return {name: db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names}  # noqa: S608


def ledger_hashes(path):
    with sqlite3.connect(path) as db:
        return [h for (h,) in db.execute("SELECT hash FROM ledger_entry ORDER BY seq")]


def manifest_of(archive):
    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/manifest.json"))
        return json.load(tar.extractfile(member))


def unpacked(archive, into):
    """The archive's folder, to change as a bad disk or an attacker would; restore takes a folder too."""
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return next(p for p in into.iterdir() if p.is_dir())


def reseal(folder):
    """Make the manifest's checksum fit a changed database file, as someone hiding a change would."""
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["database"]["sha256"] = hashlib.sha256((folder / "database.sqlite3").read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest))


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A migrated SQLite file, made once: every site below starts as a copy of it."""
    root = tmp_path_factory.mktemp("migrated")
    done = manage(app_env(root), "migrate", "--noinput", "-v", "0")
    assert done.returncode == 0, done.stderr
    return root / "dangol.sqlite3"


def new_site(root, migrated):
    root.mkdir(parents=True)
    shutil.copy(migrated, root / "dangol.sqlite3")
    (root / "media" / "proposals").mkdir(parents=True)
    (root / "media" / "proposals" / "간판.jpg").write_bytes(PHOTO)
    return app_env(root)


@pytest.fixture(scope="module")
def archive(tmp_path_factory, migrated):
    """A backup of a site with twelve ledger entries, twelve users and one photo."""
    root = tmp_path_factory.mktemp("site")
    env = new_site(root / "site", migrated)
    (root / "stop").touch()
    script = WRITER.replace("while not stop.exists():", "for _ in range(12):")
    assert manage({**env, "STOP_FILE": str(root / "stop")}, "shell", "-c", script).returncode == 0
    done = manage(env, "backup", "--to", str(root / "backups"))
    assert done.returncode == 0, done.stderr
    return next((root / "backups").glob("dangol-sqlite-*.tar"))


def test_it_backs_up_sqlite_while_the_app_writes_and_restores_exactly_what_it_counted(tmp_path, migrated):
    env = new_site(tmp_path / "site", migrated)
    source = tmp_path / "site" / "dangol.sqlite3"
    stop = tmp_path / "stop"
    writer = subprocess.Popen(  # noqa: S603 -- our own interpreter and manage.py
        [sys.executable, "manage.py", "shell", "-c", WRITER],
        cwd=ROOT,
        env={**env, "STOP_FILE": str(stop)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while counts(source)["ledger_entry"] < 20:
            assert writer.poll() is None and time.monotonic() < deadline, writer.stderr and writer.stderr.read()
            time.sleep(0.2)
        before = counts(source)["ledger_entry"]
        backup = manage(env, "backup", "--to", str(tmp_path / "backups"))
        during = counts(source)["ledger_entry"]
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=60)
    assert backup.returncode == 0, backup.stderr
    assert writer.returncode == 0, err  # the writer never hit "database is locked"
    assert during > before, "the writer should still have been writing while the backup ran"
    archive = next((tmp_path / "backups").glob("dangol-sqlite-*.tar"))
    assert backup.stdout.strip().endswith(str(archive))
    manifest = manifest_of(archive)
    backed_up = manifest["tables"]["ledger_entry"]
    assert before <= backed_up <= int(out.split()[-1])
    assert manifest["tables"]["accounts_user"] == backed_up  # entry and user are written together, one by one
    assert manifest["ledger"]["seq"] == backed_up
    assert manifest["database"]["vendor"] == "sqlite"
    assert manifest["dangol"]["version"] and "ledger" in manifest["dangol"]["migrations"]
    assert [f["path"] for f in manifest["media"]["files"]] == ["proposals/간판.jpg"]

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    restore = manage(app_env(fresh), "restore", str(archive))

    assert restore.returncode == 0, restore.stdout + restore.stderr
    assert "Restore verified" in restore.stdout
    assert f"{backed_up:,} entries verified, head #{backed_up}" in restore.stdout
    restored = counts(fresh / "dangol.sqlite3")
    assert restored == manifest["tables"]
    # Microseconds survived: the restored chain is the source's, hash for hash, up to the snapshot.
    assert ledger_hashes(fresh / "dangol.sqlite3") == ledger_hashes(source)[:backed_up]
    assert (fresh / "media" / "proposals" / "간판.jpg").read_bytes() == PHOTO


def test_restore_reports_a_changed_ledger_row_and_exits_non_zero(tmp_path, archive):
    folder = unpacked(archive, tmp_path / "unpacked")
    with sqlite3.connect(folder / "database.sqlite3") as db:
        db.execute("UPDATE ledger_entry SET amount = 999999 WHERE seq = 5")
    reseal(folder)
    fresh = tmp_path / "fresh"
    fresh.mkdir()

    restore = manage(app_env(fresh), "restore", str(folder))

    assert restore.returncode != 0
    assert "ledger broken at #5 (hash)" in restore.stdout
    assert "기록 #5의 내용이 해시와 맞지 않습니다" in restore.stdout
    assert "verification FAILED" in restore.stderr
    assert "Restore verified" not in restore.stdout


def test_restore_reports_rows_missing_from_the_archive(tmp_path, archive):
    folder = unpacked(archive, tmp_path / "unpacked")
    with sqlite3.connect(folder / "database.sqlite3") as db:
        db.execute("DELETE FROM accounts_user WHERE id IN (SELECT id FROM accounts_user LIMIT 2)")
    reseal(folder)
    fresh = tmp_path / "fresh"
    fresh.mkdir()

    restore = manage(app_env(fresh), "restore", str(folder))

    assert restore.returncode != 0
    assert "row counts differ (backup→database): accounts_user 12→10" in restore.stdout


def test_restore_reports_a_photo_missing_from_the_archive(tmp_path, archive):
    folder = unpacked(archive, tmp_path / "unpacked")
    (folder / "media" / "proposals" / "간판.jpg").unlink()
    fresh = tmp_path / "fresh"
    fresh.mkdir()

    restore = manage(app_env(fresh), "restore", str(folder))

    assert restore.returncode != 0
    assert "media files missing or changed: proposals/간판.jpg" in restore.stdout


def test_it_refuses_an_archive_whose_database_file_changed_and_writes_nothing(tmp_path, archive):
    folder = unpacked(archive, tmp_path / "unpacked")
    with sqlite3.connect(folder / "database.sqlite3") as db:
        db.execute("UPDATE ledger_entry SET memo = '바뀐 내용' WHERE seq = 1")
    fresh = tmp_path / "fresh"
    fresh.mkdir()

    restore = manage(app_env(fresh), "restore", str(folder))

    assert restore.returncode != 0
    assert "nothing was restored" in restore.stderr
    assert not [n for n in counts(fresh / "dangol.sqlite3").values() if n]
    assert not (fresh / "media").exists()


def test_it_refuses_a_database_holding_rows_unless_told_yes(tmp_path, migrated, archive):
    env = new_site(tmp_path / "site", migrated)
    target = tmp_path / "site" / "dangol.sqlite3"
    with sqlite3.connect(target) as db:
        db.execute("INSERT INTO ledger_head (id, seq, hash) VALUES (1, 0, ?)", ("0" * 64,))
    before = counts(target)

    refused = manage(env, "restore", str(archive))

    assert refused.returncode != 0
    assert "데이터베이스가 비어 있지 않습니다(ledger_head)" in refused.stderr
    assert "pass --yes" in refused.stderr
    assert counts(target) == before

    replaced = manage(env, "restore", str(archive), "--yes")

    assert replaced.returncode == 0, replaced.stdout + replaced.stderr
    assert counts(target) == manifest_of(archive)["tables"]


# PostgreSQL


def database_url(name):
    s = connection.settings_dict
    password = f":{quote(s['PASSWORD'], safe='')}" if s["PASSWORD"] else ""
    return (
        f"postgres://{quote(s['USER'] or '', safe='')}{password}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{name}"
    )


def connect(name):
    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"], port=s["PORT"] or None, user=s["USER"], password=s["PASSWORD"] or None, dbname=name
    )


@pytest.fixture
def fresh_postgres(postgres, tmp_path):
    """restore(archive) into a second, freshly created PostgreSQL database; → (process, database name)."""
    name = f"{connection.settings_dict['NAME']}_restored"

    def drop():
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def restore(archive):
        drop()
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        env = app_env(tmp_path / "restored", DATABASE_URL=database_url(name))
        return manage(env, "restore", str(archive)), name

    (tmp_path / "restored").mkdir()
    yield restore
    drop()


def keep_appending(stop, errors):
    try:
        while not stop.is_set():
            Entry.append(book="fund", kind="donation", amount=1000, memo="부하 시험")
    except Exception as error:
        errors.append(error)
    finally:
        connection.close()


@pytest.mark.postgres
def test_it_backs_up_postgres_under_write_load_with_pg_dump_and_restores_into_a_fresh_database(
    postgres, fresh_postgres, tmp_path
):
    (Path(settings.MEDIA_ROOT) / "stores").mkdir(parents=True)
    (Path(settings.MEDIA_ROOT) / "stores" / "간판.jpg").write_bytes(PHOTO)
    stop, errors = threading.Event(), []
    writers = [threading.Thread(target=keep_appending, args=(stop, errors)) for _ in range(3)]
    for writer in writers:
        writer.start()
    try:
        deadline = time.monotonic() + 60
        while Entry.objects.count() < 30:
            assert time.monotonic() < deadline and not errors, errors
            time.sleep(0.1)
        before = Entry.objects.count()
        out = io.StringIO()
        call_command("backup", "--to", str(tmp_path / "backups"), stdout=out)
        during = Entry.objects.count()
    finally:
        stop.set()
        for writer in writers:
            writer.join()
    assert not errors
    assert "Backup written" in out.getvalue()
    assert during > before, "the writers should still have been writing while pg_dump ran"
    archive = next((tmp_path / "backups").glob("dangol-postgresql-*.tar"))
    manifest = manifest_of(archive)
    backed_up = manifest["tables"]["ledger_entry"]
    assert before <= backed_up <= Entry.objects.count()
    assert manifest["ledger"]["seq"] == backed_up  # head and entries from one snapshot
    assert manifest["database"]["tool"].startswith("pg_dump (PostgreSQL) ")

    restore, name = fresh_postgres(archive)

    assert restore.returncode == 0, restore.stdout + restore.stderr
    assert f"{backed_up:,} entries verified, head #{backed_up}" in restore.stdout
    with connect(name) as db:
        restored = {
            table: db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608 -- names from the manifest
            for table in manifest["tables"]
        }
        restored_hashes = [h for (h,) in db.execute("SELECT hash FROM ledger_entry ORDER BY seq")]
    assert restored == manifest["tables"]
    assert restored_hashes == list(Entry.objects.order_by("seq").values_list("hash", flat=True)[:backed_up])
    assert (tmp_path / "restored" / "media" / "stores" / "간판.jpg").read_bytes() == PHOTO


@pytest.mark.postgres
def test_postgres_restore_reports_a_ledger_row_changed_behind_the_apps_back(postgres, fresh_postgres, tmp_path):
    for n in range(4):
        Entry.append(book="fund", kind="donation", amount=1000 + n)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_entry SET memo = '바뀐 내용' WHERE seq = 3")
    call_command("backup", "--to", str(tmp_path / "backups"), stdout=io.StringIO())
    archive = next((tmp_path / "backups").glob("dangol-postgresql-*.tar"))

    restore, name = fresh_postgres(archive)

    assert restore.returncode != 0
    assert "ledger broken at #3 (hash)" in restore.stdout
    with connect(name) as db:
        assert db.execute("SELECT COUNT(*) FROM ledger_entry").fetchone()[0] == 4
