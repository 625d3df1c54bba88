/**
 * Throughput of the YAML layer alone on a generated file, next to the `yaml` library's
 * `parseAllDocuments` of the same text. Not the product benchmark (that drives the language
 * server over LSP); this isolates the parser.
 *
 *   npx tsc -b && node out/bench/scanThroughput.js [documents] [unusualFraction]
 */
import { parseAllDocuments } from 'yaml';
import { scanBlockDocument } from '../server/src/core/yaml/fastScan';
import { parseYamlDocument } from '../server/src/core/yaml/parse';
import { splitDocuments } from '../server/src/core/yaml/split';
import { generateManifests } from './generate';

function timed<T>(run: () => T): { result: T; milliseconds: number } {
  const start = performance.now();
  const result = run();
  return { result, milliseconds: performance.now() - start };
}

const documents = Number(process.argv[2] ?? 5000);
const unusualFraction = Number(process.argv[3] ?? 0.02);
const text = generateManifests({ documents, seed: 1, unusualFraction });

const split = timed(() => splitDocuments(text));
const texts = split.result.map((slice) => text.slice(slice.offset, slice.offset + slice.length));
const fast = timed(() => texts.filter((document) => scanBlockDocument(document) !== undefined).length);
const frontDoor = timed(() => texts.map((document) => parseYamlDocument(document)).length);
const library = timed(() => parseAllDocuments(text));

const megabytes = (text.length / 1e6).toFixed(2);
console.log(`${documents} documents, ${megabytes} M characters, ${(unusualFraction * 100).toFixed(0)} % unusual`);
console.log(`split:                                 ${split.milliseconds.toFixed(0)} ms`);
console.log(`fast scanner only (${fast.result} accepted):     ${fast.milliseconds.toFixed(0)} ms`);
console.log(`parseYamlDocument (fast + fallback):   ${frontDoor.milliseconds.toFixed(0)} ms`);
console.log(`yaml parseAllDocuments:                ${library.milliseconds.toFixed(0)} ms`);
console.log(`split + parseYamlDocument vs parseAllDocuments: ${((split.milliseconds + frontDoor.milliseconds) / library.milliseconds).toFixed(3)}x`);
