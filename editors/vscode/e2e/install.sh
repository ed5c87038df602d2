#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100 in a browser; its last release on Node 20) for
# the extension's end-to-end test, from the npm registry only. code-server's own postinstall
# cannot run here: @vscode/ripgrep and argon2 would download prebuilt binaries from outside
# the registry. So this does what it does, without those downloads: packages with their
# scripts off, then the native modules the server loads built against this machine's Node
# headers (npm_config_nodedir), and Debian's ripgrep in place of the downloaded one.
# Needs gcc, g++, make and python3. Under CI=true a failure fails; elsewhere it is reported
# and the end-to-end test skips with the reason.
set -euo pipefail
cd "$(dirname "$0")"
stamp=node_modules/.iris-installed
[ -f "$stamp" ] && [ "$stamp" -nt package-lock.json ] && [ "$stamp" -nt install.sh ] && exit 0

export npm_config_nodedir="${npm_config_nodedir:-/usr}"  # node's headers: node-gyp downloads none
export npm_config_build_from_source=true                 # argon2: build, never fetch a binary
export npm_config_yes=true                               # node-pty's post-install runs npx node-gyp
quiet=(--no-audit --no-fund --loglevel=error)

install() {
  test -f "$npm_config_nodedir/include/node/node.h" \
    || { echo "no Node headers in $npm_config_nodedir/include/node"; return 1; }
  npm ci --ignore-scripts "${quiet[@]}"
  npm rebuild argon2 "${quiet[@]}"
  local vscode=node_modules/code-server/lib/vscode
  (cd "$vscode" && npm install --omit=dev --ignore-scripts "${quiet[@]}" \
     && npm rebuild node-pty @vscode/spdlog native-watchdog @parcel/watcher "${quiet[@]}")
  (cd "$vscode/extensions" && npm install --omit=dev "${quiet[@]}" >/dev/null)
  # What code-server's postinstall.sh links once its dependencies are in.
  ln -sfn node_modules "$vscode/node_modules.asar"
  ln -sfn code-linux.sh "$vscode/bin/remote-cli/code-server"
  ln -sfn browser-linux.sh "$vscode/bin/helpers/browser.sh"
  if command -v rg >/dev/null; then
    mkdir -p "$vscode/node_modules/@vscode/ripgrep/bin"
    ln -sfn "$(command -v rg)" "$vscode/node_modules/@vscode/ripgrep/bin/rg"
  fi
  node_modules/.bin/code-server --version >/dev/null
}

if install; then
  touch "$stamp"
  echo "code-server $(node_modules/.bin/code-server --version | head -1) installed in $PWD"
elif [ "${CI:-}" = "true" ]; then
  echo "code-server could not be installed (see above)" >&2
  exit 1
else
  echo "code-server could not be installed (see above); the VS Code end-to-end test will skip." >&2
fi
