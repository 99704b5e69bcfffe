#!/usr/bin/env bash
# A Debian bookworm base image built from the Debian mirror this machine's apt already uses, for hosts that reach
# no container registry: `debootstrap --variant=minbase`, then `podman import`. It stands in for debian:bookworm-slim.
# The host's apt sources and CA certificates are copied in (so apt and PyPI work inside, through whatever TLS
# inspection this host trusts); they are read from the machine when this runs and never written to the repository.
#   usage: deploy/base-image.sh IMAGE_TAG
set -euo pipefail
tag=${1:?usage: base-image.sh IMAGE_TAG}
if podman image exists "$tag"; then
  echo "base image $tag: already there"
  exit 0
fi
mirror=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
[[ -n $mirror ]] || mirror=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
[[ -n $mirror ]] || { echo "no Debian mirror found in this host's apt sources" >&2; exit 1; }
root=$(mktemp -d /var/tmp/dvctt-rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "base image $tag: debootstrap bookworm (minbase) from the host's mirror"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 || { tail -20 "$root.log" >&2; exit 1; }
rm -f "$root.log"
rm -f "$root"/etc/apt/sources.list
mkdir -p "$root"/etc/apt/sources.list.d "$root"/usr/local/share/ca-certificates "$root"/etc/ssl/certs
[[ -f /etc/apt/sources.list ]] && cp /etc/apt/sources.list "$root"/etc/apt/sources.list
cp /etc/apt/sources.list.d/*.sources "$root"/etc/apt/sources.list.d/ 2>/dev/null || true
cp -r /usr/local/share/ca-certificates/. "$root"/usr/local/share/ca-certificates/ 2>/dev/null || true
cp /etc/ssl/certs/ca-certificates.crt "$root"/etc/ssl/certs/ca-certificates.crt
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | podman import --quiet --change 'CMD ["/bin/bash"]' - "$tag" >/dev/null
echo "base image $tag: imported"
