#!/usr/bin/env bash
# Builds the real components used by kdisco's real-cluster tests from their Go
# modules (nothing but Go and the Go module proxy is needed):
#   etcd, kube-apiserver + kube-controller-manager + kube-scheduler, kwok, coredns
# into ${KDISCO_COMPONENTS_DIR:-<repo>/.cache/real-cluster}/bin/.
#
# A component is skipped when its stamp (pin, Go version, build flags and the
# hash of its wrapper module's files) matches the last successful build.
# Usage: build.sh [component...]   (default: all; names: etcd kube kwok coredns)
# Env:   KDISCO_COMPONENTS_DIR, GOMODCACHE/GOCACHE/GOFLAGS/GOPROXY as usual,
#        KDISCO_BUILD_FORCE=1 to ignore stamps.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
out=${KDISCO_COMPONENTS_DIR:-$repo/.cache/real-cluster}
mkdir -p "$out/bin" "$out/stamps"
out=$(cd "$out" && pwd) # absolute: the builds run from the wrapper folders
bin=$out/bin
stamps=$out/stamps
# shellcheck source=versions.env
source "$here/versions.env"

die() { echo "build.sh: $*" >&2; exit 1; }
command -v go >/dev/null || die "go not found in PATH"
# One build at a time per output folder (tests may call this concurrently).
if command -v flock >/dev/null; then
  exec 9>"$out/.lock"
  flock -n 9 || { echo "build.sh: waiting for another build in $out"; flock 9; }
fi

export CGO_ENABLED=0
# The wrappers' go.sum files are complete; -mod=mod only lets a go.sum that a
# newer Go wants to extend be fixed up instead of failing (harmless otherwise).
# -buildvcs=false: the wrappers live in kdisco's git work tree; stamping its
# commit would only make the binaries differ per commit (and can fail in CI).
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod -buildvcs=false"
goversion=$(go env GOVERSION)

all=(etcd kube kwok coredns)
if (($#)); then comps=("$@"); else comps=("${all[@]}"); fi
for c in "${comps[@]}"; do
  [[ " ${all[*]} " == *" $c "* ]] || die "unknown component '$c' (known: ${all[*]})"
done

version_of() {
  case $1 in
    etcd) echo "$ETCD_VERSION" ;;
    kube) echo "$KUBERNETES_VERSION" ;;
    kwok) echo "$KWOK_VERSION" ;;
    coredns) echo "$COREDNS_VERSION" ;;
  esac
}
module_of() {
  case $1 in
    etcd) echo go.etcd.io/etcd/server/v3 ;;
    kube) echo k8s.io/kubernetes ;;
    kwok) echo sigs.k8s.io/kwok ;;
    coredns) echo github.com/coredns/coredns ;;
  esac
}
binaries_of() {
  case $1 in
    kube) echo kube-apiserver kube-controller-manager kube-scheduler ;;
    *) echo "$1" ;;
  esac
}

kube_ldflags() {
  local v=$KUBERNETES_VERSION major minor
  major=${v#v}; major=${major%%.*}
  minor=${v#v*.}; minor=${minor%%.*}
  # Same variables as Kubernetes' hack/lib/version.sh; buildDate is fixed to keep
  # the build reproducible.
  local f=()
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    f+=("-X $pkg.gitVersion=$v" "-X $pkg.gitMajor=$major" "-X $pkg.gitMinor=$minor"
        "-X $pkg.gitTreeState=clean" "-X $pkg.buildDate=1970-01-01T00:00:00Z")
  done
  echo "-s -w ${f[*]}"
}
ldflags_of() {
  case $1 in
    kube) kube_ldflags ;;
    *) echo "-s -w" ;;
  esac
}

stamp_of() {
  local c=$1 dir=$here/$1
  {
    echo "version=$(version_of "$c")"
    echo "go=$goversion"
    echo "ldflags=$(ldflags_of "$c")"
    # Every file of the wrapper module (stages/ etc. are data, not build inputs).
    (cd "$dir" && find . -maxdepth 1 -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) | LC_ALL=C sort | xargs sha256sum)
  } | sha256sum | cut -d' ' -f1
}

check_pin() {
  local c=$1 want have
  want=$(version_of "$c")
  have=$(awk -v m="$(module_of "$c")" '$1==m {print $2} $1=="require" && $2==m {print $3}' "$here/$c/go.mod" | head -1)
  [[ $have == "$want" ]] || die "$c: versions.env pins $want but $c/go.mod requires ${have:-nothing}"
}

up_to_date() {
  local c=$1 b
  [[ ${KDISCO_BUILD_FORCE:-} == 1 ]] && return 1
  [[ -f $stamps/$c ]] && [[ $(<"$stamps/$c") == "$(stamp_of "$c")" ]] || return 1
  for b in $(binaries_of "$c"); do [[ -x $bin/$b ]] || return 1; done
}

build_one() {
  local c=$1 dir=$here/$1 m
  m=$(module_of "$c")
  local ld; ld=$(ldflags_of "$c")
  case $c in
    etcd) (cd "$dir" && go build -trimpath -ldflags "$ld" -o "$bin/etcd" "$m") ;;
    kwok) (cd "$dir" && go build -trimpath -ldflags "$ld" -o "$bin/kwok" "$m/cmd/kwok") ;;
    coredns) (cd "$dir" && go build -trimpath -ldflags "$ld" -o "$bin/coredns" .) ;;
    # One invocation for the three commands: they share most packages, and the
    # go command schedules their compilation (and links) together.
    kube) (cd "$dir" && go build -trimpath -ldflags "$ld" -o "$bin/" \
            "$m/cmd/kube-apiserver" "$m/cmd/kube-controller-manager" "$m/cmd/kube-scheduler") ;;
  esac
}

start_all=$SECONDS
todo=()
for c in "${comps[@]}"; do
  check_pin "$c"
  if up_to_date "$c"; then
    echo "$c $(version_of "$c") up to date"
  else
    todo+=("$c")
  fi
done

if ((${#todo[@]})); then
  # Fetch every module first, so the builds below are pure compile time.
  t=$SECONDS
  for c in "${todo[@]}"; do
    (cd "$here/$c" && go mod download) || die "go mod download failed for $c"
  done
  echo "downloaded modules for ${todo[*]} in $((SECONDS - t))s"
fi

for c in "${todo[@]}"; do
  t=$SECONDS
  rm -f "$stamps/$c"
  build_one "$c" || die "building $c $(version_of "$c") failed"
  stamp_of "$c" > "$stamps/$c"
  echo "built $c $(version_of "$c") in $((SECONDS - t))s"
done

echo "components ready in $bin (${#todo[@]} built, $((${#comps[@]} - ${#todo[@]})) up to date) in $((SECONDS - start_all))s"
