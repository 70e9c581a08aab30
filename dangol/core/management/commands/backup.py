"""`manage.py backup [--to DIR]`: one dated .tar with the database, the uploaded media and a manifest."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dangol.core.backups import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database (pg_dump or SQLite's online backup) and MEDIA_ROOT into one dated .tar."

    def add_arguments(self, parser):
        parser.add_argument(
            "--to", type=Path, default=None, help="directory for the archive (default: DANGOL_VAR_DIR/backups)"
        )

    def handle(self, *args, to, **options):
        try:
            archive = backup_create(to=to or Path(settings.VAR_DIR) / "backups")
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"백업 완료 / Backup written: {archive}"))
