#!/bin/sh
# Install the Debian packages pvhv needs to build, test and benchmark.
# Run as root on Debian 12; as another user it only reports what is missing.
set -eu

PKGS="build-essential linux-libc-dev libyajl-dev libxml2-dev libcunit1-dev
      libxen-dev xenstore-utils clang clang-format libclang-rt-14-dev
      busybox-static qemu-system-x86 python3 procps"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "setup.sh: missing Debian packages:$missing" >&2
	echo "setup.sh: run 'sudo ./setup.sh' (or make as root) to install them" >&2
	exit 1
fi
echo "setup.sh: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || true
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
