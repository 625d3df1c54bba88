#!/usr/bin/env bash
# Runs every test suite: unit (pure core, CLI, the package), lsp (the real server over stdio),
# integration (real containerd and docker-registry), e2e (the extension in a real VS Code:
# code-server in headless Chromium) and ui (the packaged extension driven through the workbench as
# a person would). Used by `npm test` and by CI (.ci/run). Suites whose system parts are missing
# skip with the reason (outside CI; under CI=true they fail instead).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build
npx tsc -b
suites=()
for suite in unit lsp integration; do
  [ -d "out/test/$suite" ] && suites+=("out/test/$suite/")
done
# The e2e driver is named explicitly: its folder also holds the in-host suite, which only VS Code can load.
suites+=(out/test/e2e/extensionHost.test.js)
# UI tests: the packaged extension in code-server, driven in Chromium as a person would (test/ui).
suites+=(out/test/ui/editor.test.js out/test/ui/explorer.test.js out/test/ui/demo.test.js)
node --test --test-reporter=spec --test-reporter-destination=stdout "${suites[@]}"
