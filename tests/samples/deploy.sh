#!/usr/bin/env bash
# Deploy the web app: build, upload a release, switch the symlink, restart.
set -euo pipefail

APP_NAME="webapp"
RELEASES_DIR="/srv/${APP_NAME}/releases"
KEEP_RELEASES=5

log() {
  printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2
}

build() {
  log "building"
  npm ci
  npm run build
  tar -czf "/tmp/${APP_NAME}.tar.gz" dist
}

upload() {
  local host="$1" release="$2"
  log "uploading to ${host}"
  scp "/tmp/${APP_NAME}.tar.gz" "${host}:/tmp/"
  ssh "$host" "mkdir -p ${RELEASES_DIR}/${release} && tar -xzf /tmp/${APP_NAME}.tar.gz -C ${RELEASES_DIR}/${release}"
}

activate() {
  local host="$1" release="$2"
  ssh "$host" "ln -sfn ${RELEASES_DIR}/${release} /srv/${APP_NAME}/current && systemctl restart ${APP_NAME}"
}

prune() {
  local host="$1"
  ssh "$host" "ls -1dt ${RELEASES_DIR}/* | tail -n +$((KEEP_RELEASES + 1)) | xargs -r rm -rf"
}

main() {
  local host="${1:?usage: deploy.sh HOST}"
  local release
  release="$(date -u +%Y%m%d%H%M%S)"
  build
  upload "$host" "$release"
  activate "$host" "$release"
  prune "$host"
  log "deployed ${release} to ${host}"
}

main "$@"
