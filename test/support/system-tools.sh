#!/usr/bin/env bash
# The system tools the tests run for real, checked before jest (the `test` task) and by .ci/run. On Debian
# or Ubuntu, as root or with passwordless sudo, whatever is missing is installed with apt; anywhere else
# this stops with the command to run. It never lets the tests start without them.
#
# For test/system-tools.test.ts only: SYSTEM_TOOLS_OS_RELEASE names the os-release file to read instead of
# /etc/os-release, and SYSTEM_TOOLS_UID the user id to act as instead of `id -u`.
set -euo pipefail

# each tool and the Debian package that provides it (kubectl's own apt repository is not Debian's;
# Debian's kubernetes-client ships kubectl)
TOOLS=(kubectl:kubernetes-client docker-registry:docker-registry skopeo:skopeo htpasswd:apache2-utils openssl:openssl go:golang-go)
# Go packages a test builds an oracle with (test/support/eso-template.ts), each with the Debian package that installs
# its sources under Debian's GOPATH; SYSTEM_TOOLS_GOCODE names another GOPATH, for test/system-tools.test.ts only
gocode="${SYSTEM_TOOLS_GOCODE:-/usr/share/gocode}"
GO_SOURCES=(github.com/Masterminds/sprig:golang-github-masterminds-sprig-dev)

missing_tools() {
  local entry
  for entry in "${TOOLS[@]}"; do
    command -v "${entry%%:*}" >/dev/null || echo "$entry"
  done
  for entry in "${GO_SOURCES[@]}"; do
    [ -e "$gocode/src/${entry%%:*}" ] || echo "$entry"
  done
}

missing=($(missing_tools))
[ ${#missing[@]} -eq 0 ] && exit 0
names=("${missing[@]%%:*}")
tools="${names[*]}"
tools="${tools// /, }"
packages=("${missing[@]#*:}")

os_release="${SYSTEM_TOOLS_OS_RELEASE:-/etc/os-release}"
distro="$( (. "$os_release" && echo " ${ID:-} ${ID_LIKE:-} ") 2>/dev/null || true)"
uid="${SYSTEM_TOOLS_UID:-$(id -u)}"
sudo=""
[ "$uid" -ne 0 ] && sudo="sudo "
command="${sudo}apt-get update && ${sudo}apt-get install -y ${packages[*]}"

# why the tests cannot start, then the command that fixes it
stop() {
  printf 'the tests need %s, which %s:\n  %s\n' "$tools" "$1" "$command" >&2
  exit 1
}

case "$distro" in
  *" debian "* | *" ubuntu "*) ;;
  *) stop "are not installed, and this is not Debian or Ubuntu; install them with your package manager (these are the Debian packages), then run npm test again" ;;
esac
command -v apt-get >/dev/null || stop "are not installed, and apt-get is missing; install these Debian packages, then run npm test again"
if [ -n "$sudo" ] && ! { command -v sudo >/dev/null && sudo -n true 2>/dev/null; }; then
  stop "are not installed; run this, then npm test again"
fi

echo "installing ${packages[*]} with apt-get: the tests need $tools"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! { ${sudo}env DEBIAN_FRONTEND=noninteractive apt-get update && ${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y "${packages[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  stop "apt-get could not install (its output is above); fix that, then run this and npm test again"
fi
still=($(missing_tools))
[ ${#still[@]} -eq 0 ] || stop "apt-get installed, but ${still[*]%%:*} is still not on PATH; fix PATH, or run this and npm test again"
