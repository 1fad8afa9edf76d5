#!/usr/bin/env bash
# Re-vendor Swagger UI (the /docs viewer) from the npm registry at an exact version, checking the
# tarball's sha256 against the one recorded in src/netflix_clone/web/swagger-ui/VENDORED.json.
# Usage: scripts/vendor-swagger-ui.sh [VERSION SHA256]   (no arguments: re-check the pinned one)
# To upgrade: pass the new version and the sha256 of `npm pack swagger-ui-dist@VERSION`, review
# the diff, run tests/e2e/test_docs_browser.py.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$REPO/src/netflix_clone/web/swagger-ui"
MANIFEST="$DEST/VENDORED.json"
FILES=(swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE swagger-ui-bundle.js.LICENSE.txt)

manifest() { python3 -c "import json,sys; print(json.load(open('$MANIFEST'))[sys.argv[1]])" "$1"; }
version="${1:-$(manifest version)}"
expected="${2:-$(manifest tarball_sha256)}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "swagger-ui-dist@$version" >/dev/null)
tarball="$work/swagger-ui-dist-$version.tgz"
actual="$(sha256sum "$tarball" | cut -d' ' -f1)"
if [[ "$actual" != "$expected" ]]; then
  echo "vendor-swagger-ui: sha256 of swagger-ui-dist-$version.tgz is $actual, expected $expected" >&2
  exit 1
fi
tar -xzf "$tarball" -C "$work"
mkdir -p "$DEST"
for f in "${FILES[@]}"; do
  cp "$work/package/$f" "$DEST/$f"
done
# The bundle's last line points at a source map we do not ship; browsers would ask for it.
sed -i '/^\/\/# sourceMappingURL=/d' "$DEST/swagger-ui-bundle.js" "$DEST/swagger-ui.css"

python3 - "$MANIFEST" "$version" "$actual" "$DEST" "${FILES[@]}" <<'PY'
import hashlib, json, sys
from pathlib import Path
manifest, version, tarball_sha, dest, *files = sys.argv[1:]
data = {
    "package": "swagger-ui-dist",
    "version": version,
    "source": f"https://registry.npmjs.org/swagger-ui-dist/-/swagger-ui-dist-{version}.tgz",
    "tarball_sha256": tarball_sha,
    "license": "Apache-2.0",
    "files": {f: hashlib.sha256((Path(dest) / f).read_bytes()).hexdigest() for f in files},
}
Path(manifest).write_text(json.dumps(data, indent=2) + "\n")
PY
echo "vendor-swagger-ui: swagger-ui-dist $version in ${DEST#"$REPO"/}"
