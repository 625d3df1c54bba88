// Builds kube-images.injection.tmLanguage.json from the named pieces below, because the four rules
// share most of their regular expressions and nobody should have to edit them four times.
// Run `node syntaxes/build-injection-grammar.mjs` after a change; test/unit/grammar.test.ts fails
// while the JSON and this file disagree.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const KEYS = String.raw`(?:image|reference)`;
const QUOTED_KEYS = String.raw`(?:"${KEYS}"|'${KEYS}')`;

// Anchors and tags may stand between the colon and the value: `image: &web nginx`.
const PROPERTIES = String.raw`(?:[&!][^\t ,\[\]{}]{1,32}[\t ]{1,4}){0,2}`;

// Look-behinds find the key, because the value is all we match: the YAML grammar keeps the key, the
// colon and any comment. Every quantifier in them is bounded, since Oniguruma tries each possible
// length of a look-behind, and an unbounded one would cost time in proportion to the line at every
// position the scanner tries. Cheap one-character checks come first so that most positions fail fast.

// Block context: the key is the first thing on its line after indentation and `-`/`?` indicators,
// which keeps `note: "image": x` (invalid YAML, marked so by the YAML grammar) uncoloured.
const BLOCK_KEY = String.raw`(?:${KEYS}|${QUOTED_KEYS})[\t ]{0,8}:[\t ]{1,16}`;
const BLOCK_LOOKBEHIND =
  String.raw`(?<=[\t ])(?:(?<=${KEYS}["']?[\t ]{0,8}:[\t ]{1,16})|(?<=[&!][^\t ,\[\]{}]{1,32}[\t ]{1,4}))` +
  String.raw`(?<=^[\t ]{0,128}(?:[-?:][\t ]{1,8}){0,8}${BLOCK_KEY}${PROPERTIES})`;

// Flow context: the key follows `{` or `,`; after a quoted (JSON-like) key the value may touch the colon.
const FLOW_KEY = String.raw`(?:${KEYS}[\t ]{0,8}:[\t ]{1,16}|${QUOTED_KEYS}[\t ]{0,8}:[\t ]{0,16})`;
const FLOW_LOOKBEHIND = String.raw`(?<=[\t :])(?<=[{,][\t ]{0,16}${FLOW_KEY}${PROPERTIES})`;

// Characters of a reference. A value holding anything else (Helm `{{ }}`, `${VAR}`, spaces, escapes)
// is left to the YAML grammar. A flow scalar cannot hold `[` or `]`, nor can a plain one start with them.
const REFERENCE_CHARACTER = String.raw`[A-Za-z0-9._+\-/:@\[\]]`;
const FLOW_REFERENCE_CHARACTER = String.raw`[A-Za-z0-9._+\-/:@]`;
const PLAIN_START = String.raw`(?=[A-Za-z0-9._/])`;

// Plain values that YAML's core schema reads as null, a boolean or a number are not strings at all.
const NOT_CORE_SCHEMA_SCALAR =
  String.raw`(?!(?:null|Null|NULL|true|True|TRUE|false|False|FALSE|0o[0-7]+|0x[0-9a-fA-F]+` +
  String.raw`|[+-]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][+-]?[0-9]+)?` +
  String.raw`|[+-]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))(?!${REFERENCE_CHARACTER}))`;

// What may follow a value: a comment, the end of the line, and in a flow collection `,`, `}` or `]`.
// Blanks before the end of the line stop a plain value from being coloured, because YAML grammars
// disagree on whether they belong to the string (VS Code's says yes, textmate's no): an injection that
// matched them would have to give them one grammar's scopes, and leaving them would split another's
// string. After a closing quote every grammar leaves them outside the string.
const BLOCK_PLAIN_END = String.raw`(?=[\t ]+#|$)`;
const FLOW_PLAIN_END = String.raw`(?=[\t ]+#|$|[\t ]*[,}\]])`;
const QUOTED_END = String.raw`(?=[\t ]+#|[\t ]*$|[\t ]*[,}\]])`;

// [registry[:port]/]path[:tag][@algorithm:hex]. The first segment is the registry when a `/` follows it
// and it is `localhost` or holds `.`, `:`, `[` or an upper-case letter: the rule by which Kubernetes
// normalises names (distribution/reference ParseNormalizedNamed). Each class is the reference alphabet
// less the characters that end that part, so the parts together consume exactly the run of reference
// characters that a look-ahead checked before. Structure only: the language server judges validity.
const REFERENCE_PARTS =
  String.raw`(?:(?=[^/\s]*[.:A-Z\[][^/\s]*/|localhost/)` +
  String.raw`(((\[)[A-Za-z0-9._+\-:@\[]*(\])|[A-Za-z0-9._+\-@\[\]]+)(?:(:)([A-Za-z0-9._+\-:@\[\]]*))?)(/))?` +
  String.raw`([A-Za-z0-9._+\-/\[\]]*)` +
  String.raw`(?:(:)([A-Za-z0-9._+\-/:\[\]]*))?` +
  String.raw`(?:(@)([A-Za-z0-9._+\-/@\[\]]*)(?:(:)([A-Za-z0-9._+\-/:@\[\]]*))?)?`;

/** The scopes of the capture groups of REFERENCE_PARTS, in order. */
const PART_SCOPES = [
  'meta.registry.kube-images',
  'entity.name.namespace.registry.kube-images',
  'punctuation.definition.ipv6.begin.kube-images',
  'punctuation.definition.ipv6.end.kube-images',
  'punctuation.separator.port.kube-images',
  'constant.numeric.integer.port.kube-images',
  'punctuation.separator.path.kube-images',
  'entity.name.type.repository.kube-images',
  'punctuation.separator.tag.kube-images',
  'constant.other.tag.kube-images',
  'punctuation.separator.digest.kube-images',
  'storage.type.digest-algorithm.kube-images',
  'punctuation.separator.digest-algorithm.kube-images',
  'constant.numeric.digest.kube-images',
];

/**
 * Captures for a reference in group `group` and its parts in the groups after it. The YAML grammar's
 * string scope is repeated on every capture rather than put on an enclosing one, so that the tokens
 * carry exactly the scopes they would have without us, plus ours.
 */
function referenceCaptures(group, stringScope) {
  const captures = { [group]: { name: `${stringScope} meta.image-reference.kube-images` } };
  PART_SCOPES.forEach((scope, index) => {
    captures[group + 1 + index] = { name: scope };
  });
  return captures;
}

function plainValue(lookbehind, alphabet, end) {
  // A plain scalar cannot end in `:`: there the colon would start a mapping, which YAML forbids here.
  return `${PLAIN_START}${lookbehind}${NOT_CORE_SCHEMA_SCALAR}(?=${alphabet}++(?<!:)${end})(${REFERENCE_PARTS})`;
}

function quotedValue(quote, stringScope, comment) {
  const closingGroup = 3 + PART_SCOPES.length;
  return {
    comment,
    match:
      `(?=${quote})(?:${BLOCK_LOOKBEHIND}|${FLOW_LOOKBEHIND})(${quote})` +
      `(?=${REFERENCE_CHARACTER}++${quote}${QUOTED_END})(${REFERENCE_PARTS})(${quote})`,
    captures: {
      1: { name: `${stringScope} punctuation.definition.string.begin.yaml` },
      ...referenceCaptures(2, stringScope),
      [closingGroup]: { name: `${stringScope} punctuation.definition.string.end.yaml` },
    },
  };
}

export function buildInjectionGrammar() {
  return {
    name: 'Kubernetes image references in YAML',
    scopeName: 'kube-images.injection',
    comment:
      'Generated by build-injection-grammar.mjs: edit that file, not this one. Injected into source.yaml, it colours the registry, repository, tag and digest in the value of an `image:` or `reference:` key. README.md beside this file lists the scopes.',
    injectionSelector: 'L:source.yaml -comment -string',
    patterns: [
      { include: '#block-plain-value' },
      { include: '#flow-plain-value' },
      { include: '#double-quoted-value' },
      { include: '#single-quoted-value' },
    ],
    repository: {
      'block-plain-value': {
        comment: '`image: nginx:1.25`, `- image: nginx # pinned later`, `image: &web nginx`.',
        match: plainValue(BLOCK_LOOKBEHIND, REFERENCE_CHARACTER, BLOCK_PLAIN_END),
        captures: referenceCaptures(1, 'string.unquoted.plain.out.yaml'),
      },
      'flow-plain-value': {
        comment: '`{image: nginx, name: web}`: in a flow mapping a plain scalar ends at `,`, `}` or `]`.',
        match: plainValue(FLOW_LOOKBEHIND, FLOW_REFERENCE_CHARACTER, FLOW_PLAIN_END),
        captures: referenceCaptures(1, 'string.unquoted.plain.in.yaml'),
      },
      'double-quoted-value': quotedValue('"', 'string.quoted.double.yaml', '`image: "[2001:db8::1]:5000/app:1"`, `{"image": "nginx"}`.'),
      'single-quoted-value': quotedValue("'", 'string.quoted.single.yaml', "`image: 'nginx:1.25'`."),
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = fileURLToPath(new URL('./kube-images.injection.tmLanguage.json', import.meta.url));
  writeFileSync(target, JSON.stringify(buildInjectionGrammar(), null, 2) + '\n');
}
