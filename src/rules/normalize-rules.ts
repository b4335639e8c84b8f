import { parseBatchTarget, parseDuration } from './parse-duration.js';
import type { WrittenCascadeNode, WrittenRule, WrittenSettings, WrittenStrategy } from './rule-schema.js';
import type { BatchSettings, CascadeNode, ColumnChange, GuardSettings, RequestSetting, Rule, Strategy } from './types.js';
import { DEFAULT_BATCH, DEFAULT_GUARD } from './types.js';
import { formatPath, locate, type PositionedDocument } from './yaml-positions.js';
import { parseIdentifier, parseTableName } from './identifiers.js';

export interface Defaults {
  batch: BatchSettings;
  timezone: string;
  guard: GuardSettings;
}

export function normalizeDefaults(settings: WrittenSettings | undefined): Defaults {
  return {
    batch: mergeBatch(DEFAULT_BATCH, settings?.defaults?.batch),
    timezone: settings?.defaults?.timezone ?? 'UTC',
    guard: mergeGuard(DEFAULT_GUARD, settings?.defaults?.guard),
  };
}

/** Written rule -> Rule: names split, defaults applied, strategies tagged by kind. */
export function normalizeRule(
  written: WrittenRule,
  category: string,
  positioned: PositionedDocument,
  index: number,
  defaults: Defaults,
  /** Where each written phase stands in the file, when some could not be read (see parse-rule-file.ts). */
  phaseIndexes?: number[],
): Rule {
  return {
    id: written.id,
    category,
    description: written.description,
    source: {
      file: positioned.file,
      ...locate(positioned, ['rules', index]),
      locate: (path) => ({ ...locate(positioned, ['rules', index, ...path]), path: formatPath(['rules', index, ...path]) }),
    },
    table: parseTableName(written.table),
    key: written.key === undefined ? undefined : (Array.isArray(written.key) ? written.key : [written.key]).map(parseIdentifier),
    ...normalizeSubject(written.subject),
    clock: written.clock,
    join: written.join,
    where: written.where,
    hold: written.hold,
    schedule: written.schedule,
    timezone: written.timezone ?? defaults.timezone,
    cascade: (written.cascade ?? []).map((node, position) => normalizeCascadeNode(node, ['cascade', position])),
    after: written.after ?? [],
    partitions: written.partitions ?? 'auto',
    guard: mergeGuard(defaults.guard, written.guard),
    export: normalizeExport(written.export),
    batch: mergeBatch(defaults.batch, written.batch),
    ...(written.request === undefined ? {} : { request: normalizeRequest(written.request) }),
    keep: Object.entries(written.keep ?? {}).map(([column, reason]) => ({ column: parseIdentifier(column), reason })),
    phases: written.phases.map((phase, phaseIndex) => ({
      index: phaseIndexes?.[phaseIndex] ?? phaseIndex,
      after: parseDuration(phase.after),
      action: phase.action,
      set: Object.entries(phase.set ?? {}).map(([column, strategy]): ColumnChange => ({ column: parseIdentifier(column), strategy: normalizeStrategy(strategy) })),
      mark: phase.mark === undefined ? undefined : parseIdentifier(phase.mark),
    })),
  };
}

function normalizeRequest(written: NonNullable<WrittenRule['request']>): RequestSetting {
  if (typeof written === 'string') return { action: written, set: [], mark: undefined, reason: undefined };
  return {
    action: written.action,
    set: Object.entries(written.set ?? {}).map(([column, strategy]): ColumnChange => ({ column: parseIdentifier(column), strategy: normalizeStrategy(strategy) })),
    mark: written.mark === undefined ? undefined : parseIdentifier(written.mark),
    reason: written.reason,
  };
}

function normalizeExport(written: WrittenRule['export']): Rule['export'] {
  if (written === undefined || written === true) return { include: true, omit: [] };
  if (written === false) return { include: false, omit: [] };
  return { include: true, omit: written.omit.map(parseIdentifier) };
}

function normalizeSubject(written: WrittenRule['subject']): { subject: string | undefined; subjectKind: string | undefined } {
  if (written === undefined || typeof written === 'string') return { subject: written, subjectKind: undefined };
  return { subject: written.column, subjectKind: written.kind };
}

/** `payment`, `{ rental: [payment] }` and `{ table: rental, subject, cascade }` -> one node shape. */
export function normalizeCascadeNode(written: WrittenCascadeNode, path: (string | number)[]): CascadeNode {
  if (typeof written === 'string') return { table: parseTableName(written), subject: undefined, subjectKind: undefined, children: [], path };
  if ('table' in written && typeof written.table === 'string') {
    const full = written as Extract<WrittenCascadeNode, { table: string }>;
    return {
      table: parseTableName(full.table),
      ...normalizeSubject(full.subject),
      children: (full.cascade ?? []).map((child, position) => normalizeCascadeNode(child, [...path, 'cascade', position])),
      path,
    };
  }
  const [name, children] = Object.entries(written as Record<string, WrittenCascadeNode[]>)[0]!;
  return {
    table: parseTableName(name),
    subject: undefined,
    subjectKind: undefined,
    children: children.map((child, position) => normalizeCascadeNode(child, [...path, name, position])),
    path,
  };
}

export { parseTableName } from './identifiers.js';

function mergeGuard(base: GuardSettings, written: Partial<Record<keyof GuardSettings, number | undefined>> | undefined): GuardSettings {
  return {
    maxRows: written?.maxRows ?? base.maxRows,
    maxShare: written?.maxShare ?? base.maxShare,
    maxGrowth: written?.maxGrowth ?? base.maxGrowth,
    minRows: written?.minRows ?? base.minRows,
  };
}

function mergeBatch(base: BatchSettings, written: { target?: string | undefined; maxRows?: number | undefined } | undefined): BatchSettings {
  return {
    targetMs: written?.target ? parseBatchTarget(written.target) : base.targetMs,
    maxRows: written?.maxRows ?? base.maxRows,
  };
}

export function normalizeStrategy(written: WrittenStrategy): Strategy {
  if (written === null) return { kind: 'null' };
  if ('value' in written) return { kind: 'value', value: written.value };
  if ('fake' in written) {
    const [module, method] = written.fake.split('.') as [string, string];
    return { kind: 'fake', module, method };
  }
  if ('mask' in written) return { kind: 'mask', keepStart: written.mask.keepStart, keepEnd: written.mask.keepEnd, char: written.mask.char };
  if ('json' in written) return { kind: 'json-remove', keys: written.json.remove };
  if ('hash' in written) return { kind: 'hash', secretEnv: written.hash };
  if (written.generalize === 'ip') return { kind: 'generalize-ip', bits: written.bits };
  if (written.generalize === 'date') return { kind: 'generalize-date', to: written.to };
  return { kind: 'generalize-number', step: written.step };
}
