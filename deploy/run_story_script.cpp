// run-story.sh for both exports: up, down, the faults, and play.
#include <fmt/format.h>

#include "common/text.h"
#include "deploy/deployment_export.h"

namespace sessim {
namespace {

// The part of both scripts that finds sessim and plays the story; `script`
// is the script's own path, quoted for the shell.
std::string play_part(const ExportPlan& plan, const std::string& script, const std::string& story,
                      const std::string& sessim_path) {
  return fmt::format(
      R"sh(find_sessim() {{
  if [ -n "${{SESSIM:-}}" ]; then printf '%s\n' "$SESSIM"; return; fi
  if command -v sessim >/dev/null 2>&1; then command -v sessim; return; fi
  if [ -x {exported_by} ]; then printf '%s\n' {exported_by}; return; fi
  echo "run-story.sh: sessim not found: put it on PATH, or set SESSIM=/path/to/sessim (the README says how to build it)" >&2
  exit 3
}}

play() {{
  local story={story}
  if [ $# -gt 0 ] && [ "${{1#-}}" = "$1" ]; then story=$1; shift; fi
  local sessim
  sessim=$(find_sessim)
  wait_for_front
  local status=0
  "$sessim" run "$story" --target http://127.0.0.1:{port} --store {store} \
    --fault-cmd {crash} --fault-cmd {stop} --fault-cmd {restart} "$@" || status=$?
  exit "$status"
}}
)sh",
      fmt::arg("exported_by", shell_quote(sessim_path)), fmt::arg("story", shell_quote(story)),
      fmt::arg("port", plan.published_port), fmt::arg("store", to_string(plan.store)),
      fmt::arg("crash", shell_quote(fmt::format("crash={} fault crash {{name}}", script))),
      fmt::arg("stop", shell_quote(fmt::format("stop={} fault stop {{name}}", script))),
      fmt::arg("restart", shell_quote(fmt::format("restart={} fault restart {{name}}", script))));
}

std::string script_usage(const char* start_with) {
  return fmt::format(
      R"sh(usage() {{
  cat <<'USAGE'
usage: run-story.sh [play] [STORY] [sessim run flags...]
       run-story.sh up | down
       run-story.sh fault crash|stop|restart node-N
{}
USAGE
}}
)sh",
      start_with);
}

std::string script_dispatch() {
  return R"sh(check_node() {
  case "$1" in
    node-[0-9]|node-[0-9][0-9]|node-[0-9][0-9][0-9]) ;;
    *) echo "run-story.sh: '$1' is not a node of this export (node-1, node-2, ...)" >&2; exit 2 ;;
  esac
}

case "${1:-play}" in
  up) prepare; up ;;
  down) prepare; down ;;
  fault)
    [ $# -eq 3 ] || { usage >&2; exit 2; }
    check_node "$3"
    prepare
    case "$2" in
      crash|stop|restart) "fault_$2" "$3" ;;
      *) usage >&2; exit 2 ;;
    esac ;;
  play) shift || true; play "$@" ;;
  -h|--help) usage ;;
  *) play "$@" ;;
esac
)sh";
}

}  // namespace

std::string compose_script(const ExportPlan& plan, const std::string& folder,
                           const std::string& story, const std::string& sessim_path) {
  const auto script = shell_quote(folder + "/run-story.sh");
  return fmt::format(
      R"sh(#!/bin/bash
# Written by sessim export: starts the Compose project of this folder, plays
# a story against it through its front on 127.0.0.1:{port}, and stops it,
# with whichever Compose tool this machine has.
set -euo pipefail
here={folder}
project={project}
{usage}
# docker compose (Docker's plugin), docker-compose (Debian's), podman
# compose, podman-compose: the first that answers, found once (prepare).
tool=
prepare() {{
  if docker compose version >/dev/null 2>&1; then tool="docker compose"
  elif command -v docker-compose >/dev/null 2>&1; then tool=docker-compose
  elif podman compose version >/dev/null 2>&1; then tool="podman compose"
  elif command -v podman-compose >/dev/null 2>&1; then tool=podman-compose
  else
    echo "run-story.sh: no Compose tool found: install Docker with its compose plugin, Debian's docker.io and docker-compose, or podman with podman-compose" >&2
    exit 3
  fi
}}

compose() {{
  # shellcheck disable=SC2086
  $tool -p "$project" -f "$here/compose.yaml" "$@"
}}

# The container of a service, for what not every tool does by service
# (podman-compose has no kill).
container_of() {{
  compose ps -q "$1" | head -n 1
}}

runtime() {{
  case "$tool" in
    podman*) echo podman ;;
    *) echo docker ;;
  esac
}}

# Until the front answers, at most 60 s.
wait_for_front() {{
  for _ in $(seq 600); do
    if (exec 3<>/dev/tcp/127.0.0.1/{port}) 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "run-story.sh: the front on 127.0.0.1:{port} does not answer (is the project up? $0 up)" >&2
  exit 3
}}

# Until a restarted replica is healthy (or running, without a health
# check), at most 60 s.
wait_for_node() {{
  local id state
  for _ in $(seq 600); do
    id=$(container_of "$1")
    if [ -n "$id" ]; then
      state=$("$(runtime)" inspect --format '{{{{if .State.Health}}}}{{{{.State.Health.Status}}}}{{{{else}}}}{{{{.State.Status}}}}{{{{end}}}}' "$id" 2>/dev/null || true)
      case "$state" in healthy|running) return 0 ;; esac
    fi
    sleep 0.1
  done
  echo "run-story.sh: $1 did not come back within 60 s" >&2
  exit 3
}}

up() {{
  compose up -d
  wait_for_front
}}

down() {{
  compose down --volumes --remove-orphans
}}

fault_crash() {{
  if [ "$tool" = podman-compose ]; then podman kill "$(container_of "$1")"
  else compose kill "$1"; fi
}}

fault_stop() {{
  compose stop "$1"
}}

fault_restart() {{
  compose restart "$1"
  wait_for_node "$1"
}}

{play}
{dispatch})sh",
      fmt::arg("port", plan.published_port), fmt::arg("folder", shell_quote(folder)),
      fmt::arg("project", shell_quote(plan.name)),
      fmt::arg("usage", script_usage("up: compose up -d until the front answers; down: compose "
                                     "down; fault: what the story's crash, stop and restart "
                                     "run (kill, stop, restart)")),
      fmt::arg("play", play_part(plan, script, story, sessim_path)),
      fmt::arg("dispatch", script_dispatch()));
}

std::string k8s_script(const ExportPlan& plan, const std::string& folder, const std::string& story,
                       const std::string& sessim_path) {
  const auto script = shell_quote(folder + "/run-story.sh");
  return fmt::format(
      R"sh(#!/bin/bash
# Written by sessim export k8s: applies the manifests of this folder, plays a
# story against them through `kubectl port-forward` on 127.0.0.1:{port}, and
# deletes them. A node's crash and stop scale its StatefulSet to 0 (it stays
# down, as a killed container does); restart brings it back and waits until
# it is ready.
set -euo pipefail
here={folder}
namespace={namespace}
prefix={prefix}
{usage}
k() {{
  kubectl -n "$namespace" "$@"
}}

# Nothing to find: kubectl is the tool.
prepare() {{
  :
}}

up() {{
  kubectl apply -f "$here/sessim.yaml"
  k wait --for=condition=Available deployment --all --timeout=180s
  k wait --for=condition=Ready pod --all --timeout=180s
}}

down() {{
  kubectl delete -f "$here/sessim.yaml" --ignore-not-found
}}

forward_pid=
wait_for_front() {{
  k port-forward --address 127.0.0.1 "svc/${{prefix}}front" {port}:8000 >/dev/null &
  forward_pid=$!
  trap 'kill "$forward_pid" 2>/dev/null || true' EXIT
  for _ in $(seq 100); do
    if (exec 3<>/dev/tcp/127.0.0.1/{port}) 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "run-story.sh: kubectl port-forward to ${{prefix}}front did not start" >&2
  exit 3
}}

scale_down() {{
  k scale "statefulset/$prefix$1" --replicas=0
}}

fault_crash() {{
  scale_down "$1"
  k delete pod "$prefix$1-0" --grace-period=0 --force --ignore-not-found >/dev/null 2>&1
}}

fault_stop() {{
  scale_down "$1"
  k wait --for=delete "pod/$prefix$1-0" --timeout=60s 2>/dev/null || true
}}

# Down, up, and ready: the pod may not exist yet right after the scale, so
# wait for it to appear before waiting for it to be ready.
fault_restart() {{
  fault_stop "$1"
  k scale "statefulset/$prefix$1" --replicas=1
  for _ in $(seq 600); do
    if k get pod "$prefix$1-0" >/dev/null 2>&1; then break; fi
    sleep 0.1
  done
  k wait --for=condition=Ready "pod/$prefix$1-0" --timeout=120s
}}

{play}
{dispatch})sh",
      fmt::arg("port", plan.published_port), fmt::arg("folder", shell_quote(folder)),
      fmt::arg("namespace", shell_quote(plan.k8s_namespace)),
      fmt::arg("prefix", shell_quote(plan.name + "-")),
      fmt::arg("usage", script_usage("up: kubectl apply, until every pod is ready; down: kubectl "
                                     "delete; fault: what the story's crash, stop and restart "
                                     "run")),
      fmt::arg("play", play_part(plan, script, story, sessim_path)),
      fmt::arg("dispatch", script_dispatch()));
}

}  // namespace sessim
