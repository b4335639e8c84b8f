import { LetheError } from '../errors.js';
import type { Rule } from '../rules/types.js';

/**
 * The rules a request about one person uses: those naming a subject of the
 * requested kind. Without `--kind`, the default kind (rules whose subject names
 * none), or the only kind the rules use. Pure.
 */
export function selectSubjectRules(rules: readonly Rule[], kind: string | undefined): Rule[] {
  const withSubject = rules.filter((rule) => rule.subject !== undefined);
  const kinds = [...new Set(withSubject.map((rule) => rule.subjectKind).filter((name): name is string => name !== undefined))];
  if (kind !== undefined) {
    const chosen = withSubject.filter((rule) => rule.subjectKind === kind);
    if (chosen.length === 0) {
      throw new LetheError('USAGE', `--kind: no rule names a subject of kind '${kind}'`, {
        hint: kinds.length > 0 ? `kinds in these rules: ${kinds.join(', ')}` : 'these rules name subjects of one kind only: leave --kind out',
      });
    }
    return chosen;
  }
  const unnamed = withSubject.filter((rule) => rule.subjectKind === undefined);
  if (unnamed.length > 0) return unnamed;
  if (kinds.length === 1) return withSubject;
  if (kinds.length === 0) {
    throw new LetheError('USAGE', 'no rule names a subject: a request about one person needs rules with `subject`', {
      hint: 'add `subject: table.column` to the rules whose tables hold personal data (docs/requests.md)',
    });
  }
  throw new LetheError('USAGE', `--kind is needed: the rules name subjects of several kinds (${kinds.join(', ')})`, { hint: `pass --kind ${kinds[0]}` });
}
