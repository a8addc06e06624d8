import { createRule } from '../create-rule.js';
import { diagnosticFindings } from './shared.js';

export default createRule({
  id: 'yaml-duplicate-key',
  severity: 'critical',
  category: 'validation',
  docs: {
    summary: 'A YAML mapping has the same key twice, including a second `<<` merge key.',
    why:
      'Compose refuses the whole file ("mapping key already defined"). Other YAML tools silently keep one of ' +
      'the values, so the file can look fine in an editor while it never deploys; with two `<<` keys, the ' +
      'settings of one anchor are lost.',
    fix: 'Keep one occurrence of the key. To merge several anchors, list them under one key: `<<: [*restart-policy, *resource-limits]`.',
    example: 'services:\n  backend:\n    <<: *restart-policy\n    image: api:1.0\n    <<: *resource-limits\n',
  },
  check: (ctx) =>
    diagnosticFindings(ctx, ['yaml-duplicate-key'], (d, service) => {
      const key = /mapping key "((?:[^"\\]|\\.)*)"/.exec(d.message)?.[1] ?? '';
      const first = d.related[0];
      const where = service ? `service "${service}" has` : 'this mapping has';
      const firstAt = first ? ` (the first is at line ${first.line})` : '';
      if (key === '<<') {
        return {
          message: `${where} a second merge key "<<"${firstAt}; compose refuses the file: mapping key "<<" already defined`,
          fix: 'merge every anchor with one key: `<<: [*first, *second]`',
        };
      }
      return {
        message: `${where} the key "${key}" twice${firstAt}; compose refuses the file: mapping key "${key}" already defined`,
        fix: `keep one "${key}" key and merge the two values into it`,
      };
    }),
});
