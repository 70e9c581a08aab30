#!/usr/bin/env bash
# The Debian packages Dangol needs beyond Python: one list for `make run`, `make test` and CI.
#   scripts/system_packages.sh          what the product needs (a Korean font for PDFs)
#   scripts/system_packages.sh --ci     that, plus what CI's tests need (Chromium, PostgreSQL, pdftotext, gettext)
# As root it installs what is missing with apt; otherwise it says in one line what to install.
set -euo pipefail

need=()
fc-list :lang=ko 2>/dev/null | grep -q . || need+=(fonts-noto-cjk fontconfig)
if [ "${1:-}" = "--ci" ]; then
  command -v chromium >/dev/null || need+=(chromium chromium-driver)
  command -v pdftotext >/dev/null || need+=(poppler-utils)
  command -v msgfmt >/dev/null || need+=(gettext)
  ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || need+=(postgresql)
fi
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Dangol needs these Debian packages: sudo apt-get install ${need[*]}" >&2
  # The product runs without them (PDFs fall back to an error message); only CI insists.
  [ "${1:-}" = "--ci" ] && exit 1 || exit 0
fi
echo "== installing ${need[*]}"
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
