#!/usr/bin/env bash
# Installs the system packages the tests need on Debian 12 (bookworm):
#  - lavapipe (Mesa's CPU Vulkan driver) from bookworm-backports, so Dawn (npm `webgpu`) has an adapter;
#  - Debian's Chromium, so the end-to-end tests get a SwiftShader WebGPU adapter.
# Idempotent: skips what is already there. Needs root (or sudo).
set -euo pipefail
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
need_mesa=1; need_chromium=1
if ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1; then
  v=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || echo 0)
  case "$v" in 2[3-9].*|[3-9][0-9].*) need_mesa=0 ;; esac
fi
[ -x /usr/bin/chromium ] && need_chromium=0
if [ $need_mesa = 1 ] || [ $need_chromium = 1 ]; then
  if [ $need_mesa = 1 ] && [ ! -f /etc/apt/sources.list.d/backports.list ]; then
    echo 'deb http://deb.debian.org/debian bookworm-backports main' | $SUDO tee /etc/apt/sources.list.d/backports.list >/dev/null
  fi
  $SUDO apt-get update -qq
  export DEBIAN_FRONTEND=noninteractive
  if [ $need_mesa = 1 ]; then
    $SUDO apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
  fi
  if [ $need_chromium = 1 ]; then
    $SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
  fi
fi
echo "test deps: mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers), $(/usr/bin/chromium --version 2>/dev/null || echo 'no chromium')"
