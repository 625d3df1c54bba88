#!/usr/bin/env bash
# Installs the Debian packages that the integration tests start as real components:
# a private containerd with runc, the CNCF registry, skopeo, htpasswd, openssl, a static
# busybox for runnable test images, sshd for ssh:// endpoints, and protoc, which the build
# runs to generate the CRI client's TypeScript (scripts/generate-cri.mjs). Idempotent: when every
# package is already installed it touches neither the package lists nor the network.
set -euo pipefail

packages=(containerd runc docker-registry skopeo apache2-utils openssl busybox-static openssh-server protobuf-compiler)

missing=()
for package in "${packages[@]}"; do
  # dpkg-query prints the status only for a package that is fully installed.
  if [[ "$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)" != "installed" ]]; then
    missing+=("$package")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-system-deps: all present (${packages[*]})"
  exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
  echo "install-system-deps: missing ${missing[*]}; run this script as root" >&2
  exit 1
fi

echo "install-system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Installing a package with a service must not start it: the tests run private instances,
# and a system containerd or sshd would only compete for the same machine.
policy_rc=/usr/sbin/policy-rc.d
if [[ ! -e "$policy_rc" ]]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy_rc"
  chmod +x "$policy_rc"
  trap 'rm -f "$policy_rc"' EXIT
fi
apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
echo "install-system-deps: done"
