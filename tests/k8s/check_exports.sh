#!/usr/bin/env bash
# Writes the Kubernetes manifests of several exports (each front, each store
# Kubernetes takes, a name and a namespace of one's own, a command with
# placeholders and a '$') and checks every document against the schema of
# Kubernetes 1.27.1 with unknown fields refused (check-manifests.js).
#
#   tests/k8s/check_exports.sh SESSIM_BINARY
set -euo pipefail
sessim=$1
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$here/node_modules/kubernetes-models" ] || ! command -v node >/dev/null; then
  echo "SKIPPED: kubernetes-models is not installed in tests/k8s (scripts/dev test runs npm ci there)"
  [ "${CI:-}" = "true" ] && { echo "under CI=true a skip is a failure" >&2; exit 1; }
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
files=()
for front in nginx haproxy; do
  for store in local redis; do
    "$sessim" export k8s --nodes 3 --front "$front" --store "$store" -o "$work/$front-$store" >/dev/null
    files+=("$work/$front-$store/sessim.yaml")
  done
done
"$sessim" export k8s --nodes 2 --front haproxy --balancer ip-hash --store redis --image shop:1.4 \
  --node-cmd 'shop --name {name} --port {port} --redis {redis_url} --price $5' \
  --name shop --namespace lessons --health-path /actuator/health -o "$work/own" >/dev/null
files+=("$work/own/sessim.yaml")
node "$here/check-manifests.js" "${files[@]}"
