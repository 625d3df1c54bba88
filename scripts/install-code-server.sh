#!/usr/bin/env bash
# Installs what the extension-host and UI tests need: code-server 4.100.3 (VS Code 1.100, the newest
# that runs on Node 20) from the npm registry, and Debian's Chromium to drive it headless.
# code-server lives outside the repository (default ~/.cache/kube-images/code-server-4.100.3) and is
# reused when present. Prints nothing but progress; the install directory is printed last.
# Recipe: ../shared/ENVIRONMENT.md, "A real VS Code".
set -euo pipefail

version=4.100.3
install_dir="${KUBE_IMAGES_CODE_SERVER_DIR:-$HOME/.cache/kube-images/code-server-$version}"
binary="$install_dir/node_modules/.bin/code-server"

packages=(chromium libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep)
missing=()
for package in "${packages[@]}"; do
  if [[ "$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)" != "installed" ]]; then
    missing+=("$package")
  fi
done
if [[ ${#missing[@]} -gt 0 ]]; then
  if [[ "$(id -u)" -ne 0 ]]; then
    echo "install-code-server: missing ${missing[*]}; run this script as root" >&2
    exit 1
  fi
  echo "install-code-server: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

if [[ -x "$binary" ]] && "$binary" --version 2>/dev/null | grep -q "^$version"; then
  echo "$install_dir"
  exit 0
fi

# @vscode/ripgrep 1.15.11 downloads ripgrep at install time, which cannot work offline; it accepts
# a tarball from its cache instead, so we hand it Debian's rg.
ripgrep_cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
mkdir -p "$ripgrep_cache"
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
cp /usr/bin/rg "$staging/rg"
tar -czf "$ripgrep_cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$staging" rg

echo "install-code-server: installing code-server@$version into $install_dir (about 2 minutes)" >&2
mkdir -p "$install_dir"
(
  cd "$install_dir"
  [[ -f package.json ]] || echo '{"name":"kube-images-code-server","private":true}' > package.json
  npm_config_unsafe_perm=true npm_config_yes=true npm install --no-audit --no-fund --loglevel=error "code-server@$version" >&2
)
"$binary" --version >&2
echo "$install_dir"
