/**
 * The baseline of the LSP benchmark, run as its own process so that its heap and JIT state are
 * its own: times the `yaml` library's `parseAllDocuments` of one file and prints the times, in
 * milliseconds, as a JSON array on stdout.
 *
 *   node out/bench/bareParse.js FILE [WARM_UP_RUNS] [TIMED_RUNS]
 *
 * Only the call is timed; reading the file and loading the library are not.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

const [file, warmUpArgument = '0', timedArgument = '1'] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: node out/bench/bareParse.js FILE [WARM_UP_RUNS] [TIMED_RUNS]');
  process.exit(2);
}
const text = readFileSync(file, 'utf8');
for (let run = 0; run < Number(warmUpArgument); run++) parseAllDocuments(text);
const milliseconds: number[] = [];
for (let run = 0; run < Number(timedArgument); run++) {
  const start = performance.now();
  parseAllDocuments(text);
  milliseconds.push(performance.now() - start);
}
console.log(JSON.stringify(milliseconds));
