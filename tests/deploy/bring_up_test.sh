#!/usr/bin/env bash
# Brings up the projects `sessim export compose` writes, as a user would, and
# plays stories through them with their run-story.sh: for each store (local,
# redis, redis-sentinel) behind each front (nginx, HAProxy), sticky-session,
# a restart of the node that served a write and a crash of it, each with the
# verdicts it declares. Every part runs from sessim's own image
# (deploy/image/build-image.sh: a Debian root filesystem, nothing pulled);
# the project's network has no route off the machine and its front is
# published on 127.0.0.1 only.
#
#   tests/deploy/bring_up_test.sh SESSIM_BINARY SOURCE_DIR
#
# Exit 77 (skipped) where no container runtime can run, saying why; under
# CI=true that is a failure, since `scripts/dev deploy` provides one.
set -euo pipefail
sessim=$1
source_dir=$2
image=${SESSIM_TEST_IMAGE:-sessim-node:local}

skip() {
  echo "SKIPPED: $*"
  if [ "${CI:-}" = "true" ]; then
    echo "under CI=true a skip is a failure: scripts/dev deploy installs and starts Docker" >&2
    exit 1
  fi
  exit 77
}

docker info >/dev/null 2>&1 || skip "no container runtime answers here (docker info failed; scripts/dev deploy starts one)"
if ! docker image inspect "$image" >/dev/null 2>&1; then
  "$source_dir/deploy/image/build-image.sh" "$sessim" "$image" ||
    skip "the image $image could not be built (deploy/image/build-image.sh: mmdebstrap and Debian's mirror)"
fi

work=$(mktemp -d)
projects=()
cleanup() {
  local folder
  for folder in "${projects[@]}"; do "$folder/run-story.sh" down >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Plays one story and checks its verdicts are the declared ones and that
# every request was answered by a node named node-N (the front's header,
# from its configuration).
play() {
  local folder=$1 story=$2 report
  report="$work/report-$RANDOM.json"
  SESSIM="$sessim" "$folder/run-story.sh" play "$story" --verdict declared --json="$report" \
    >"$work/play.log" 2>&1 || {
    echo "FAILED: $story in $folder" >&2
    cat "$work/play.log" >&2
    return 1
  }
  python3 - "$report" <<'PY'
import json, re, sys
report = json.load(open(sys.argv[1]))
nodes = {request.get("node") for run in report["runs"] for step in run["steps"]
         for request in step.get("requests", [])}
nodes.discard(None)
assert nodes and all(re.fullmatch(r"node-[0-9]+", node) for node in nodes), nodes
PY
}

status=0
started=$SECONDS
for front in nginx haproxy; do
  for store in local redis redis-sentinel; do
    folder="$work/$front-$store"
    name="sessimtest-$$-$front-$store"
    "$sessim" export compose --nodes 2 --store "$store" --front "$front" \
      --image "$image" --front-image "$image" --redis-image "$image" \
      --name "$name" --port "$(free_port)" -o "$folder" >/dev/null
    projects+=("$folder")
    begun=$SECONDS
    if ! "$folder/run-story.sh" up >"$work/up.log" 2>&1; then
      echo "FAILED: $front/$store did not come up" >&2
      cat "$work/up.log" >&2
      status=1
      continue
    fi
    up_s=$((SECONDS - begun))
    stories=("$source_dir/tests/deploy/restart-last.yaml" "$source_dir/tests/deploy/crash-last.yaml")
    # The built-in story declares local and redis only.
    [ "$store" != redis-sentinel ] && stories=(sticky-session "${stories[@]}")
    for story in "${stories[@]}"; do
      play "$folder" "$story" || status=1
    done
    echo "$front/$store: up in ${up_s} s, ${#stories[@]} stories as declared in $((SECONDS - begun)) s"
    "$folder/run-story.sh" down >/dev/null 2>&1 || true
  done
done
echo "bring-up: $((SECONDS - started)) s in all"
exit $status
