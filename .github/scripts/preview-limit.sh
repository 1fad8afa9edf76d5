#!/usr/bin/env bash
# Makes room for the preview of pull request <n>: when it does not run yet and max_previews
# previews already do, stops the least recently deployed ones until one slot is free. Prints the
# pull request number of each preview it stopped, one per line (the workflow tells them).
#
#   preview-limit.sh <pull request number>
#
# Env: as preview-lib.sh.
set -euo pipefail
# shellcheck source=.github/scripts/preview-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/preview-lib.sh"

[[ $# -eq 1 ]] || die "usage: $0 <pull request number>"
n="$1"
preview_number "$n"
preview_config

list="$(preview_list)" || die "cannot list the running previews"
mapfile -t running < <(cut -f1 <<<"$list" | sed '/^$/d')
for r in "${running[@]}"; do
  if [[ "$r" == "$n" ]]; then
    note "pr-$n already has a preview: no room needed"
    exit 0
  fi
done
count=${#running[@]}
# preview_list is oldest deploy first.
for r in "${running[@]}"; do
  ((count >= cfg_max)) || break
  note "pr-$r: stopping it, $count previews run and at most $cfg_max may"
  preview_teardown "$r"
  echo "$r"
  count=$((count - 1))
done
