import { createRule } from '../create-rule.js';
import { diagnosticFindings, type Diagnostic } from './shared.js';

function fixFor(d: Diagnostic): string {
  switch (d.code) {
    case 'yaml-alias-limit':
      return 'remove the nested aliases: the document expands without bound (an alias bomb)';
    case 'yaml-merge-key':
      return 'give "<<" an alias of a mapping or a list of them: `<<: *defaults` or `<<: [*a, *b]`';
    case 'yaml-tag':
      return 'remove the tag; compose only understands !reset and !override';
  }
  if (d.message.startsWith('unknown anchor')) return 'define the anchor with `&name` before the alias `*name` uses it, or fix its spelling';
  if (d.message.includes('refers to itself')) return 'an anchor cannot contain an alias of itself; copy the values instead';
  return 'fix the YAML here: indentation, a missing colon, quote or bracket; `docker compose config` fails on it';
}

export default createRule({
  id: 'yaml-syntax',
  severity: 'critical',
  category: 'validation',
  docs: {
    summary: 'A compose file is not valid YAML, or uses YAML that compose cannot load (bad merge keys, unknown anchors, alias bombs).',
    why:
      'Compose stops at the first YAML error: nothing in the file is deployed, and every tool that reads it fails. ' +
      'A broken anchor or merge key can also silently drop the settings it was meant to share.',
    fix: 'Correct the YAML at the reported line and column; check with `docker compose config --quiet`.',
    example: 'services:\n  web:\n    image: nginx:1.27\n   ports: ["80:80"]\n',
  },
  check: (ctx) =>
    diagnosticFindings(ctx, ['yaml-syntax', 'yaml-alias-limit', 'yaml-merge-key', 'yaml-tag'], (d) =>
      // The YAML parser's warnings (an unresolved tag, a flow indentation) are documents compose still loads.
      d.code === 'yaml-syntax' && d.severity === 'warning' ? null : { fix: fixFor(d) },
    ),
});
