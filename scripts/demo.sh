#!/usr/bin/env bash
# The main job on the bundled examples, no cluster needed.
set -euo pipefail
cd "$(dirname "$0")/.."
run() { printf '\n\033[1m$ kdisco %s\033[0m\n' "$*"; node bin/run.cjs "$@"; }
run svc lookup kubia-headless -f examples/
run svc lookup mysql-svc -n data -f examples/ --from-namespace default
run svc lookup external-service -f examples/
run dns lookup mysql-sts-0.mysql-svc -n data -f examples/
run dns lookup kubia -n data -f examples/
run dns lookup _http._tcp.kubia-named --type SRV -f examples/
run dns lookup -x 10.244.2.12 -f examples/
run dns lookup mysql-svc -f examples/ --pod kubia-5d8b7c9f6-2xkqz --node-search ec2.internal
run dns lookup mysql-svc.data.corp.internal. -f examples/ --corefile examples/coredns/Corefile --corefile-import examples/coredns/custom.override --corefile-import examples/coredns/stub.server
run pod lookup mysql-sts-0 -n data -f examples/
run dns zone -n data -f examples/
run svc explain --all -A -f examples/
run dns doctor -f examples/
run dns doctor -f examples/ --corefile examples/coredns/Corefile --corefile-import examples/coredns/custom.override --corefile-import examples/coredns/stub.server
