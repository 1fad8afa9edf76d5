#!/usr/bin/env bash
# Everything the suite and the checks need beyond `make install`, installed up front (the
# Makefile's deps target and .ci/run call this; `make test` installs only what it finds missing,
# through the same installers: scripts/check-prereqs.sh --install):
#   1. Debian packages (scripts/install-system-deps.sh, as root or through sudo)
#   2. the checkers under .tools/, pinned and sha256-checked (scripts/tools.sh)
#   3. the prerequisite check `make test` starts with, installing what the first step leaves out
#      (the PostgreSQL and Redis servers) the same way, so what cannot be installed here
#      (terraform, kubectl, the provider mirror) is named now, one line each
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

"$root/scripts/install-system-deps.sh"
# shellcheck source=scripts/tools.sh
source "$root/scripts/tools.sh"
install_tools
"$root/scripts/check-prereqs.sh" all --install
