#!/usr/bin/env bash
# Makes sessim-node:local, the image `sessim export` names by default: a
# Debian bookworm root filesystem (mmdebstrap, from Debian's mirror alone:
# nothing is pulled from a container registry) with the libraries the given
# sessim binary is linked with, bash, and sessim at /usr/local/bin. It also
# has nginx-light, haproxy and redis-server, so that one local image can
# stand in for every part of an export (--front-image, --redis-image).
#
#   deploy/image/build-image.sh [SESSIM_BINARY] [TAG]    (build/sessim, sessim-node:local)
#
# Loaded into Docker or podman, whichever answers. Needs mmdebstrap and,
# for the root filesystem's device nodes, root (or mmdebstrap's unshare mode).
set -euo pipefail
binary=${1:-build/sessim}
tag=${2:-sessim-node:local}
mirror=${SESSIM_DEBIAN_MIRROR:-http://deb.debian.org/debian}

[ -x "$binary" ] || { echo "build-image.sh: $binary is not an executable (build sessim first: scripts/dev build)" >&2; exit 2; }
command -v mmdebstrap >/dev/null || { echo "build-image.sh: mmdebstrap is not installed (apt-get install mmdebstrap)" >&2; exit 3; }
if docker info >/dev/null 2>&1; then runtime=docker
elif podman info >/dev/null 2>&1; then runtime=podman
else echo "build-image.sh: neither docker nor podman can run here" >&2; exit 3; fi

# The Debian packages of the shared libraries the binary loads.
mapfile -t libraries < <(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }')
packages=$(for library in "${libraries[@]}"; do
  dpkg -S "$(realpath "$library")" 2>/dev/null || dpkg -S "$library" 2>/dev/null || true
done | cut -d: -f1 | sort -u | tr '\n' ,)
[ -n "$packages" ] || { echo "build-image.sh: no Debian package owns the libraries of $binary" >&2; exit 3; }

mmdebstrap --quiet --variant=apt --include="${packages}bash,nginx-light,haproxy,redis-server" \
  --customize-hook="copy-in $binary /usr/local/bin" \
  --customize-hook='chroot "$1" sh -c "rm -rf /var/lib/apt/lists/* /var/cache/apt/*"' \
  bookworm - "$mirror" |
  "$runtime" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV SESSIM_HOST=0.0.0.0' \
    --change 'CMD ["sessim", "node"]' - "$tag" >/dev/null
echo "build-image.sh: $tag ($runtime), sessim $("$binary" --version 2>/dev/null | head -n 1)"
