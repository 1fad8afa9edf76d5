#!/usr/bin/env bash
# Removes the preview of one pull request: listener rule, service, target group, task
# definitions and secret (its image expires by the repository's lifecycle rule). Idempotent.
#
#   preview-teardown.sh <pull request number>
#
# Env: as preview-lib.sh.
set -euo pipefail
# shellcheck source=.github/scripts/preview-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/preview-lib.sh"

[[ $# -eq 1 ]] || die "usage: $0 <pull request number>"
preview_number "$1"
preview_config
preview_teardown "$1"
note "pr-$1: removed"
