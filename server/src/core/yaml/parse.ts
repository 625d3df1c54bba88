/**
 * Front door for reading one YAML document: the fast block-style scanner when it can read the
 * document exactly, else the `yaml` library. Both give the same tree (proven by test/unit/differential).
 */
import { scanBlockDocument } from './fastScan';
import { parseWithYamlLibrary } from './fromYaml';
import type { ParsedYamlDocument } from './node';

export function parseYamlDocument(text: string): ParsedYamlDocument {
  return scanBlockDocument(text) ?? parseWithYamlLibrary(text);
}
