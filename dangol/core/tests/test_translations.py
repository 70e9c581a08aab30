"""The English catalogs are whole and current: every marked string has its English, nothing is fuzzy,
each compiled .mo is what its .po compiles to, and no marked string is missing from a catalog.

`make messages` brings the catalogs up to date and compiles them. GNU gettext (msgfmt, xgettext) is
needed for these checks only; the compiled .mo files are committed, so running Dangol needs no gettext.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CATALOGS = sorted(ROOT.glob("dangol/**/locale/en/LC_MESSAGES/django.po"))


@pytest.fixture
def gettext(require):
    require(shutil.which("msgfmt") and shutil.which("xgettext"), "GNU gettext (Debian package gettext)")


def _msgids(po):
    """The msgids of a catalog, without the header, as msgfmt would read them."""
    ids, current, reading = set(), [], False
    for line in po.read_text().splitlines():
        if line.startswith("msgid "):
            current, reading = [line[6:]], True
        elif line.startswith('"') and reading:
            current.append(line)
        else:
            if reading and line.startswith(("msgstr", "msgid_plural")):
                ids.add("".join(part.strip().strip('"') for part in current))
            reading = False
    ids.discard("")
    return ids


def test_there_is_an_english_catalog_for_the_site_and_each_app_with_strings():
    assert ROOT / "dangol/locale/en/LC_MESSAGES/django.po" in CATALOGS
    assert len(CATALOGS) >= 10


@pytest.mark.parametrize("po", CATALOGS, ids=lambda po: str(po.relative_to(ROOT / "dangol")).split("/")[0])
def test_every_string_has_its_english_and_the_mo_is_compiled_from_the_po(po, gettext, tmp_path):
    checked = subprocess.run(  # noqa: S603
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "django.mo"), str(po)],  # noqa: S607
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    assert "untranslated" not in checked.stderr and "fuzzy" not in checked.stderr, checked.stderr
    committed = po.with_suffix(".mo")
    assert committed.exists(), f"{committed} is missing: run `make messages`"
    assert committed.read_bytes() == (tmp_path / "django.mo").read_bytes(), f"{committed} is stale: `make messages`"


@pytest.mark.slow
def test_no_marked_string_is_missing_from_the_catalogs(gettext, tmp_path):
    """makemessages on a copy of the code finds no msgid that the committed catalogs lack."""
    copy = tmp_path / "copy"
    shutil.copytree(ROOT / "dangol", copy / "dangol", ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static"))
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    made = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete", "--add-location=file"],
        cwd=copy,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "DANGOL_DEBUG": "1"},
    )
    assert made.returncode == 0, made.stderr
    missing = {}
    for po in sorted(copy.glob("dangol/**/locale/en/LC_MESSAGES/django.po")):
        committed = ROOT / po.relative_to(copy)
        new = _msgids(po) - (_msgids(committed) if committed.exists() else set())
        if new:
            missing[str(po.relative_to(copy))] = sorted(new)[:10]
    assert not missing, f"strings not in the catalogs (run `make messages`, then translate): {missing}"
