/**
 * Codes about a whole document or file rather than an image. Their findings are made where the
 * problem is detected (analyzeDocument, the file layer); this is their metadata.
 */
import type { RuleMetadata } from './rule';

const OBJECTS_DOCS = 'https://kubernetes.io/docs/concepts/overview/working-with-objects/';

export const yamlSyntaxRule: RuleMetadata = {
  code: 'yaml-syntax',
  title: 'YAML syntax error',
  defaultSeverity: 'error',
  docsUrl: OBJECTS_DOCS,
  description: 'The document is not valid YAML: kubectl and the API server cannot read it. Not reported in Helm templates, which are YAML only once rendered.',
};

export const documentTooComplexRule: RuleMetadata = {
  code: 'document-too-complex',
  title: 'Document too complex to analyse',
  defaultSeverity: 'warning',
  docsUrl: OBJECTS_DOCS,
  description: 'The document has more nodes than the analysis walks (200,000), so images beyond that point are not checked. Kubernetes may still accept it.',
};

export const excessiveAliasingRule: RuleMetadata = {
  code: 'excessive-aliasing',
  title: 'Excessive aliasing (billion laughs)',
  defaultSeverity: 'error',
  docsUrl: OBJECTS_DOCS,
  description:
    "The document's aliases expand to more nodes than Kubernetes' YAML decoder allows: kubectl and the API server refuse it with \"document contains excessive aliasing\". Its images are not analysed.",
};

export const fileTooLargeRule: RuleMetadata = {
  code: 'file-too-large',
  title: 'File too large to analyse',
  defaultSeverity: 'warning',
  docsUrl: OBJECTS_DOCS,
  description: 'The file is larger than the kubeImages.maxFileSize setting, so it is not analysed.',
};

export const binaryContentRule: RuleMetadata = {
  code: 'binary-content',
  title: 'Binary or non-UTF-8 content',
  defaultSeverity: 'warning',
  docsUrl: OBJECTS_DOCS,
  description: 'The file is not UTF-8 text, so it cannot be a Kubernetes manifest and is not analysed.',
};
