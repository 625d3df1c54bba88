#!/usr/bin/env bash
# Runs every test suite: unit (pure core, CLI), lsp (the real server over stdio) and integration
# (real containerd and docker-registry). Used by `npm test` and by CI (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build
npx tsc -b
suites=()
for suite in unit lsp integration; do
  [ -d "out/test/$suite" ] && suites+=("out/test/$suite/")
done
node --test --test-reporter=spec --test-reporter-destination=stdout "${suites[@]}"
