// Generates the TypeScript for our CRI subset (client/src/cri/runtime.proto) into
// client/src/cri/generated/runtime.ts, which is not committed. `npm run build` and
// `npm run typecheck` run this first, so a fresh checkout compiles.
//
// protoc (Debian `protobuf-compiler`, installed by scripts/install-system-deps.sh) parses the
// .proto; ts-proto (an npm devDependency) writes plain interfaces with binary encode/decode
// functions and @grpc/grpc-js method definitions. Nothing reads a .proto at run time, and the
// bundle carries only @bufbuild/protobuf's small wire-format codec.
//
// The file is rewritten only when its content changes, so `tsc -b` does not rebuild for nothing,
// and it is written under a temporary name and renamed, so a concurrent build never reads half a file.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const protoDirectory = join(root, 'client', 'src', 'cri');
const outputDirectory = join(protoDirectory, 'generated');
const plugin = join(root, 'node_modules', '.bin', 'protoc-gen-ts_proto');
const protoc = process.env.PROTOC ?? 'protoc';

const tsProtoOptions = [
  // Method definitions (path, serializers) that @grpc/grpc-js's generic client calls take.
  'outputServices=grpc-js',
  'env=node',
  // CRI timestamps are int64 nanoseconds, beyond Number.MAX_SAFE_INTEGER.
  'forceLong=bigint',
  // Only the binary wire format is used; JSON and fromPartial helpers would only grow the bundle.
  'outputJsonMethods=false',
  'outputPartialMethods=false',
  'esModuleInterop=true',
];

function fail(message) {
  console.error(`generate-cri: ${message}`);
  process.exit(1);
}

if (!existsSync(plugin)) fail(`${plugin} is missing: run \`npm ci\` first`);

const staging = mkdtempSync(join(tmpdir(), 'kube-images-cri-'));
try {
  const result = spawnSync(
    protoc,
    [
      `--plugin=protoc-gen-ts_proto=${plugin}`,
      `--ts_proto_out=${staging}`,
      `--ts_proto_opt=${tsProtoOptions.join(',')}`,
      `--proto_path=${protoDirectory}`,
      join(protoDirectory, 'runtime.proto'),
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (result.error?.code === 'ENOENT') {
    fail(`${protoc} not found: install Debian's protobuf-compiler (sudo bash scripts/install-system-deps.sh) or set PROTOC`);
  }
  if (result.error) fail(`${protoc}: ${result.error.message}`);
  if (result.status !== 0) fail(`${protoc} failed (${result.signal ?? `exit ${result.status}`})`);

  const generated = readFileSync(join(staging, 'runtime.ts'), 'utf8');
  const target = join(outputDirectory, 'runtime.ts');
  if (!existsSync(target) || readFileSync(target, 'utf8') !== generated) {
    mkdirSync(outputDirectory, { recursive: true });
    const partial = `${target}.${process.pid}.tmp`;
    writeFileSync(partial, generated);
    renameSync(partial, target);
  }
} finally {
  rmSync(staging, { recursive: true, force: true });
}
