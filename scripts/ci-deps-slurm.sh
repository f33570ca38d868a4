#!/usr/bin/env bash
# Installs what the one-node Slurm test (scripts/slurm/ci-test.sh) needs on Debian 12 (bookworm):
# Debian's slurm-wlm (slurmctld, slurmd and the client commands) and munge (Slurm's authentication).
# Only the packages: the test starts its own daemons with its own configuration and stops them.
# Idempotent: skips what is already there. Needs root (or sudo).
set -euo pipefail
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  $SUDO apt-get update -qq
  # --no-install-recommends: the daemons and clients, without the documentation and mail tools
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi
echo "slurm test deps: $(slurmctld -V), munge $(dpkg-query -W -f='${Version}' munge)"
