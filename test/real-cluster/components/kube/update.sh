#!/usr/bin/env bash
# Regenerates this wrapper's go.mod/go.sum for another Kubernetes version:
#   ./update.sh v1.36.3     (then update KUBERNETES_VERSION in ../versions.env)
# k8s.io/kubernetes requires each staging module (k8s.io/api, ...) at v0.0.0 and
# points them at ./staging via replace directives, which Go ignores in a
# dependency, so this module must map each of them to the matching v0.X.Y tag.
set -euo pipefail
cd "$(dirname "$0")"
ver=${1:?usage: update.sh v1.X.Y}
staging=v0.${ver#v1.}
gomod=$(go mod download -json "k8s.io/kubernetes@$ver" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
[[ -f $gomod ]] || { echo "update.sh: could not download k8s.io/kubernetes@$ver" >&2; exit 1; }
goline=$(grep -m1 '^go ' "$gomod")
{
  echo "module kdisco.local/realcluster/kube"
  echo
  echo "$goline"
  echo
  echo "require k8s.io/kubernetes $ver"
  echo
  echo "replace ("
  grep -E '^[[:space:]]+k8s\.io/[a-z0-9-]+ v0\.0\.0$' "$gomod" | awk -v s="$staging" '{printf "\t%s => %s %s\n", $1, $1, s}'
  echo ")"
} > go.mod
rm -f go.sum
GOFLAGS=-mod=mod go mod tidy
