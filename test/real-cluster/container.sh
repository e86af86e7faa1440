#!/bin/sh
# Runs a command as a container of a pod would see the world, on this machine: in the cluster's pod network (where
# the kube-dns ClusterIP answers, see pod-network.ts), with the /etc/resolv.conf and /etc/hosts kubelet writes for
# the pod (bind-mounted in a private mount namespace), as the container's user. The pod runner (pod-runner.ts)
# starts containers and ephemeral containers with it; KWOK's exec mapping reaches it through kubelet-exec.sh.
#
#   container.sh POD_DIR COMMAND [ARG...]
#
# POD_DIR holds resolv.conf, hosts, netns (the pod network's namespace path), user ("uid:gid") and path (the PATH
# the command is looked up in: the container image's programs).
set -eu
# This machine's programs for the plumbing (KWOK's PATH has the exec links first: they would call back here).
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
unset KDISCO_POD_DIR
pod_dir=$1
shift
netns=$(cat "$pod_dir/netns")
user=$(cat "$pod_dir/user")
path=$(cat "$pod_dir/path")
setpriv=$(command -v setpriv)
exec nsenter --net="$netns" -- unshare --mount -- /bin/sh -c '
  set -e
  mount --bind "$1/resolv.conf" /etc/resolv.conf
  mount --bind "$1/hosts" /etc/hosts
  uid=${2%%:*}
  gid=${2##*:}
  setpriv=$3
  PATH=$4
  shift 4
  # setpriv keeps root'"'"'s capabilities until it executes its command, so a command only root may execute would
  # still start: it executes this machine'"'"'s sh, which starts the command as the container'"'"'s user alone.
  exec "$setpriv" --reuid="$uid" --regid="$gid" --clear-groups --pdeathsig=SIGKILL -- /bin/sh -c '"'"'exec "$@"'"'"' container "$@"
' container.sh "$pod_dir" "$user" "$setpriv" "$path" "$@"
