"""`manage.py restore ARCHIVE [--yes]`: put a backup back, then prove it: row counts, ledger chain, media."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dangol.core.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup into the configured database and MEDIA_ROOT, then verify it; exit 1 on any mismatch."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="a .tar written by `manage.py backup` (or its unpacked folder)")
        parser.add_argument("--yes", action="store_true", help="overwrite a database that already holds rows")

    def handle(self, *args, archive, yes, **options):
        try:
            report = backup_restore(archive=archive, replace=yes)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = report.manifest
        self.stdout.write(f"복원 / Restored: {report.archive}")
        self.stdout.write(
            f"  백업 시각 / Backed up at {manifest['created_at']} · 단골 {manifest['dangol']['version']} · "
            f"{manifest['database']['vendor']} {manifest['database']['server_version']}"
        )
        for check in report.checks:
            mark = self.style.SUCCESS("  확인 / OK    ") if check.ok else self.style.ERROR("  불일치 / FAIL")
            self.stdout.write(f"{mark} {check.message}")
        if not report.ok:
            raise CommandError("복원은 되었지만 검증에 실패했습니다. / Restored, but verification FAILED.")
        self.stdout.write(self.style.SUCCESS("복원과 검증 완료 / Restore verified."))
