#!/bin/sh
# KWOK's exec mapping runs the command of `kubectl exec` (and of kdisco's exec probes) on this machine, with the
# environment the mapping gives. The harness puts links to this script, named after the commands a pod may be asked
# to run (sh, dig, getent, …), first on KWOK's PATH; the pod runner's mapping for a pod sets KDISCO_POD_DIR. So the
# command runs inside that pod's container (container.sh), not on the bare machine.
set -eu
name=$(basename "$0")
here=$(cd "$(dirname "$0")" && pwd)
# The real command: the first on PATH that is not one of these links.
real=
IFS=:
for dir in $PATH; do
  [ "$dir" = "$here" ] && continue
  if [ -x "$dir/$name" ]; then
    real="$dir/$name"
    break
  fi
done
unset IFS
[ -n "$real" ] || { echo "$name: not found" >&2; exit 127; }
[ -n "${KDISCO_POD_DIR:-}" ] || exec "$real" "$@"
pod_dir=$KDISCO_POD_DIR
unset KDISCO_POD_DIR
exec ${KDISCO_AS_ROOT:-} /bin/sh "$KDISCO_CONTAINER_SH" "$pod_dir" "$real" "$@"
