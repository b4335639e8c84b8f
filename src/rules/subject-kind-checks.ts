import { suggestClosest } from './did-you-mean.js';
import { checkFragment } from './parse-fragment.js';
import type { CascadeNode } from './types.js';
import type { KeyPath, PositionedDocument } from './yaml-positions.js';
import type { LocatedRule } from './rule-checks.js';

type Reporter = (check: string, positioned: PositionedDocument) => (severity: 'error' | 'warning', path: KeyPath, message: string) => void;

interface Settings {
  positioned: PositionedDocument;
  /** `holds` as written: kind -> query. */
  holdKinds: Record<string, string>;
}

/**
 * Every subject's kind must have a holds query: a kind lethe.yaml does not name is a
 * typo that would leave its people unprotected, and with several kinds a subject
 * without one is ambiguous. Tables of a cascade tree follow the same rules.
 */
export function checkSubjectKinds(rules: LocatedRule[], settings: Settings | undefined, report: Reporter): void {
  const kinds = Object.keys(settings?.holdKinds ?? {});
  if (settings) {
    for (const [kind, query] of Object.entries(settings.holdKinds)) {
      if (kind === 'subjects') continue; // checked with the other fragments
      const problem = checkFragment('query', query);
      if (problem) report(problem.check, settings.positioned)('error', ['holds', kind], problem.message);
    }
  }
  for (const { rule, positioned, index } of rules) {
    const at = (path: KeyPath) => ['rules', index, ...path];
    const subjects: { path: KeyPath; subject: string | undefined; kind: string | undefined; written: boolean }[] = [
      { path: ['subject'], subject: rule.subject, kind: rule.subjectKind, written: true },
      ...treeSubjects(rule.cascade),
    ];
    for (const { path, subject, kind } of subjects) {
      if (!subject) continue;
      if (path.length > 1) {
        const problem = checkFragment('value', subject);
        if (problem) report(problem.check, positioned)('error', at(kind ? [...path, 'column'] : path), problem.message);
      }
      if (kinds.length === 0) continue;
      if (kind !== undefined && !kinds.includes(kind)) {
        const suggestion = suggestClosest(kind, kinds);
        report('unknown-subject-kind', positioned)('error', at([...path, 'kind']), `no holds query for subjects of kind '${kind}' in lethe.yaml${suggestion ? ` (did you mean '${suggestion}'?)` : ''}; kinds: ${kinds.join(', ')}`);
      }
      if (kind === undefined && kinds.length > 1 && !kinds.includes('subjects')) {
        report('subject-kind-needed', positioned)('error', at(path), `lethe.yaml holds several kinds of subject (${kinds.join(', ')}): name this one's, e.g. subject: { column: ${subject}, kind: ${kinds[0]} }`);
      }
    }
  }
}

function treeSubjects(nodes: CascadeNode[]): { path: KeyPath; subject: string | undefined; kind: string | undefined; written: boolean }[] {
  return nodes.flatMap((node) => [
    { path: [...node.path, 'subject'], subject: node.subject, kind: node.subjectKind, written: true },
    ...treeSubjects(node.children),
  ]);
}


