#!/usr/bin/env bash
# The cost of a cold build, ccache off: wall and CPU seconds, and the CPU of
# each part (core library, CLI, unit tests, end-to-end tests, fuzz targets)
# from ninja's log. Builds each REV given in a fresh clone of this repository,
# one after the other, so that the figures are side by side on one machine.
#
#   bash bench/build_cost.sh HEAD                 # every target (the test build)
#   TARGET=sessim bash bench/build_cost.sh HEAD   # only the binary (scripts/dev demo)
#   CMAKE_ARGS=-DSESSIM_PCH=OFF bash bench/build_cost.sh HEAD
set -euo pipefail
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '%-12s %-8s %8s %8s %8s %8s %8s %8s %8s\n' rev target wall_s cpu_s core_s cli_s unit_s e2e_s other_s
for rev in "$@"; do
  git clone -q "$repo" "$work/$rev" && git -C "$work/$rev" checkout -q "$rev"
  (
    cd "$work/$rev"
    export CCACHE_DISABLE=1
    # shellcheck disable=SC2086
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo ${CMAKE_ARGS:-} >/dev/null
    /usr/bin/time -f '%e %U %S' -o time.txt cmake --build build -j 2 ${TARGET:+--target $TARGET} >/dev/null
    read -r wall user sys <time.txt
    awk -v rev="$rev" -v target="${TARGET:-all}" -v wall="$wall" -v cpu="$(echo "$user + $sys" | bc)" '
      NR > 1 { d = ($2 - $1) / 1000; t = $4
               if (t ~ /sessim_(core|common|vocab|sys|net|node|balancer|app|front|cluster|scenario|load|history|play|report|deploy)\.dir/) core += d
               else if (t ~ /sessim\.dir\/cli/) cli += d
               else if (t ~ /unit_tests/) unit += d; else if (t ~ /e2e_tests|soak/) e2e += d
               else other += d }
      END { printf "%-12s %-8s %8.0f %8.0f %8.0f %8.0f %8.0f %8.0f %8.0f\n",
                   rev, target, wall, cpu, core, cli, unit, e2e, other }' build/.ninja_log
  )
  rm -rf "${work:?}/$rev"
done
