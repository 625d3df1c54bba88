#!/usr/bin/env bash
# Runs the integration suites (test/integration) against real components: a loopback
# docker-registry and a private containerd. They need the Debian packages that
# scripts/install-system-deps.sh installs, and root for containerd. Where those are missing a
# suite is skipped with the reason; under CI (CI set) a missing one fails the run instead,
# because CI installs them first:
#   bash scripts/install-system-deps.sh && bash scripts/test-integration.sh
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/generate-cri.mjs
npx tsc -b
node --test --test-reporter=spec --test-reporter-destination=stdout out/test/integration/
