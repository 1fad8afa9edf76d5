#!/usr/bin/env bash
# Prints the SHA-256 of what a saved plan would do: every resource change that is not a no-op
# (address, actions, before, after, what stays unknown, what forces replacement) and every
# changed output, as canonical JSON. Two plans with the same digest make the same changes from
# the same state; the plan's other parts (timestamps, provider metadata, the full prior state)
# don't count. Values are hashed, never written out, so sensitive ones stay in the plan file.
#
# Usage: terraform-plan-digest.sh <terraform root dir> <saved plan file, relative to it>
set -euo pipefail

dir="${1:?usage: terraform-plan-digest.sh <dir> <plan file>}"
plan="${2:?usage: terraform-plan-digest.sh <dir> <plan file>}"
terraform -chdir="$dir" show -json "$plan" | jq -S -c '{
  resource_changes: [
    (.resource_changes // [])[]
    | select(.change.actions != ["no-op"])
    | {
        address,
        actions: .change.actions,
        before: .change.before,
        after: .change.after,
        after_unknown: .change.after_unknown,
        replace_paths: (.change.replace_paths // [])
      }
  ] | sort_by(.address),
  output_changes: (
    (.output_changes // {})
    | with_entries(select(.value.actions != ["no-op"]) | .value |= {actions, after, after_unknown})
  )
}' | sha256sum | cut -d' ' -f1
