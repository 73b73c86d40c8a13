#!/bin/sh
# Prepares and runs bench/gpu.ts. Dawn (the `webgpu` package) drives the GPU through Vulkan, so
# the Vulkan loader (libvulkan.so.1) must be present; the GPU driver supplies the rest (NVIDIA's
# and AMD's drivers install their Vulkan ICDs). Installs the loader with apt when it is missing
# and this is a Debian/Ubuntu machine where we are root.
set -eu
cd "$(dirname "$0")/.."
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "Installing the Vulkan loader (libvulkan1) ..."
    apt-get update -qq && apt-get install -y -qq libvulkan1 >/dev/null
  else
    echo "The Vulkan loader libvulkan.so.1 is missing: install your distribution's libvulkan1 (or vulkan-loader) package." >&2
    exit 1
  fi
fi
ls /usr/share/vulkan/icd.d/ /etc/vulkan/icd.d/ 2>/dev/null | sed 's/^/vulkan icd: /' || true
exec node --conditions=@llmkit/source --import tsx bench/gpu.ts "$@"
