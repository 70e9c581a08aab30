"""Recompute the public ledger's hash chain; exit status 1 at the first broken entry."""

import re
import time

from django.core.management.base import BaseCommand, CommandError

from dangol.ledger.services import ledger_verify

ANCHOR = re.compile(r"^(\d+):([0-9a-f]{64})$")


def _anchor(value):
    match = ANCHOR.match(value.strip().lower())
    if not match:
        raise CommandError(f"--anchor wants SEQ:HASH (a number, a colon, 64 hex digits), not {value!r}.")
    return int(match[1]), match[2]


class Command(BaseCommand):
    help = "Verify the public ledger: seq without gaps, each prev_hash the hash before, each hash its content's."

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="SEQ:HASH",
            help="a seq and hash published earlier (from the ledger page or a CSV); repeatable",
        )

    def handle(self, *args, anchor, **options):
        anchors = [_anchor(value) for value in anchor]
        started = time.monotonic()
        result = ledger_verify(anchors=anchors)
        seconds = time.monotonic() - started
        if not result.ok:
            raise CommandError(
                f"Ledger BROKEN at entry #{result.broken_seq} ({result.problem}): {result.message} "
                f"[{result.checked:,} entries held before it; head #{result.head_seq}]"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Ledger OK: {result.checked:,} entries verified in {seconds:.1f}s; "
                f"head #{result.head_seq} {result.head_hash}"
            )
        )
