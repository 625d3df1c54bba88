/**
 * Analysis of one YAML document: parse, find image sites, run the rules.
 * Pure: text in, plain data out.
 */
import type { AnalysisContext, DocumentAnalysis } from './types';

export function analyzeDocument(_text: string, _context: AnalysisContext = {}): DocumentAnalysis {
  return { images: [], findings: [] };
}
