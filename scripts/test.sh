#!/usr/bin/env bash
# Runs every test suite. Used by `npm test` and by CI (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build
npx tsc -b
node --test --test-reporter=spec --test-reporter-destination=stdout out/test/unit/ out/test/lsp/ 
