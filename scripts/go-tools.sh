#!/usr/bin/env bash
# Builds the Go tools the packaging tests drive, from their modules at pinned versions:
#   actionlint              (lints .github/workflows/*.yml and the documented CI example)
#   validate-krew-manifest  (krew's own check of the `disco` plugin manifest; it installs each platform with krew)
#   kubectl-krew            (krew itself, which validate-krew-manifest runs as `kubectl krew install --manifest`)
# into ${KDISCO_TOOLS_DIR:-<repo>/.cache/tools}/bin/. A tool is rebuilt only when its stamp
# (module, pin, Go version) differs from the last successful build.
# Usage: go-tools.sh [tool...]   (default: all; names: actionlint validate-krew-manifest kubectl-krew)
set -euo pipefail

ACTIONLINT_VERSION=v1.7.12
KREW_VERSION=v0.4.3

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${KDISCO_TOOLS_DIR:-$repo/.cache/tools}
mkdir -p "$out/bin" "$out/stamps"
out=$(cd "$out" && pwd)

die() { echo "go-tools.sh: $*" >&2; exit 1; }
command -v go >/dev/null || die "go not found in PATH"
if command -v flock >/dev/null; then
  exec 9>"$out/.lock"
  flock -n 9 || { echo "go-tools.sh: waiting for another build in $out"; flock 9; }
fi

export CGO_ENABLED=0
goversion=$(go env GOVERSION)

package_of() {
  case $1 in
    actionlint) echo "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" ;;
    validate-krew-manifest) echo "sigs.k8s.io/krew/cmd/validate-krew-manifest@$KREW_VERSION" ;;
    kubectl-krew) echo "sigs.k8s.io/krew/cmd/krew@$KREW_VERSION" ;;
    *) die "unknown tool '$1' (known: actionlint validate-krew-manifest kubectl-krew)" ;;
  esac
}

tools=("$@")
((${#tools[@]})) || tools=(actionlint validate-krew-manifest kubectl-krew)
for t in "${tools[@]}"; do
  pkg=$(package_of "$t")
  stamp="$pkg $goversion"
  if [ -x "$out/bin/$t" ] && [ "$(cat "$out/stamps/$t" 2>/dev/null)" = "$stamp" ]; then
    echo "go-tools.sh: $t up to date ($pkg)"
    continue
  fi
  started=$(date +%s)
  echo "go-tools.sh: building $pkg"
  # go install with a version builds in module mode from the proxy, ignoring kdisco's files.
  GOBIN="$out/bin" go install -trimpath -ldflags "-s -w" "$pkg"
  # krew's command is named krew; kubectl finds it on PATH as kubectl-krew.
  [ "$t" = kubectl-krew ] && mv -f "$out/bin/krew" "$out/bin/kubectl-krew"
  echo "$stamp" >"$out/stamps/$t"
  echo "go-tools.sh: $t built in $(( $(date +%s) - started )) s"
done
