#!/usr/bin/env bash
# Builds a KASAN + lockdep kernel from Debian's linux-source-<ver> (the recipe of
# ../shared/kernel/README.md). usage: debug-kernel.sh CACHE_DIR VERSION
set -euo pipefail
dir=$1; ver=$2
mkdir -p "$dir"; cd "$dir"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends "linux-source-$ver" flex bison bc libelf-dev libssl-dev dwarves make gcc >/dev/null
[ -d "linux-source-$ver" ] || tar xf "/usr/src/linux-source-$ver.tar.xz"
cd "linux-source-$ver"
# (SOFTLOCKUP_DETECTOR: x86_64_defconfig leaves it off, and without it a spinning poll or
# spinlock is never reported; a tree configured before it was added lacks it, and
# classify.ts then lists hang as not observable there.)
# Configure once: rewriting .config on a rerun would make kbuild rebuild much of the tree,
# and a killed build should resume where it stopped (make is incremental).
if [ ! -f .lt-configured ]; then
  make x86_64_defconfig >/dev/null
  make kvm_guest.config >/dev/null
  ./scripts/config -e KASAN -e KASAN_GENERIC -e KASAN_INLINE -e PROVE_LOCKING -e DEBUG_ATOMIC_SLEEP \
    -e DETECT_HUNG_TASK -e LOCKUP_DETECTOR -e SOFTLOCKUP_DETECTOR -e DRM -e MODULES -e MODULE_UNLOAD -e MODULE_FORCE_UNLOAD -e SLUB_DEBUG -e KALLSYMS_ALL \
    -d DEBUG_INFO -e DEBUG_INFO_NONE -d DEBUG_INFO_BTF -d DRM_I915 -d SOUND -d WLAN -d WIRELESS \
    -d CFG80211 -d MAC80211 -d NETFILTER -d USB_SUPPORT -d AGP -d MODULE_SIG --set-str LOCALVERSION -ltdebug
  make olddefconfig >/dev/null
  touch .lt-configured
fi
make -j"$(nproc)" bzImage modules
