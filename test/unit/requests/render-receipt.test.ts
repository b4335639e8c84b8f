import { describe, expect, it } from 'vitest';
import { buildReceipt } from '../../../src/requests/build-receipt.js';
import { renderReceipt } from '../../../src/requests/render-receipt.js';
import { receiptSchema } from '../../../src/requests/receipt-schema.js';
import { buildPhase, buildRule } from '../../support/rule-builders.js';

const logs = buildRule({ id: 'device-logs', phases: [buildPhase({ after: { text: 'request', amount: 0, unit: 'd' } })], where: "device_logs.source <> 'internal'" });
const invoices = buildRule({ id: 'invoices', category: 'billing', table: { schema: undefined, name: 'invoices' }, subject: 'invoices.user_id' });

function receipt(mode: 'dry-run' | 'erase') {
  return buildReceipt({
    mode,
    requestId: 'REQ-1',
    kind: 'subjects',
    now: new Date('2026-11-25T00:00:00Z'),
    applied: [logs],
    skipped: [{ rule: invoices, reason: 'tax law: kept 10 years' }],
    tables: new Map([['device-logs', 'public.device_logs'], ['invoices', 'public.invoices']]),
    measure: {
      rules: new Map([['device-logs', { candidates: 12, held: 2, heldBy: [{ reason: 'subject', rows: 2 }], keptByWhere: 3, cascades: [] }]]),
      skipped: new Map([['invoices', 4]]),
      found: new Set(['5']),
      held: new Set(['7']),
      rows: new Map([['device-logs', 17], ['invoices', 4]]),
    },
    subjects: [{ digest: 'hmac:aa', status: mode === 'erase' ? 'done' : 'pending' }, { digest: 'hmac:bb', status: 'held' }, { digest: 'hmac:cc', status: 'not-found' }],
    ...(mode === 'erase'
      ? { status: 'done' as const, executed: { rules: [{ id: 'device-logs', category: 'device-logs', table: 'public.device_logs', status: 'done' as const, phases: [] }], counts: new Map([['device-logs', { 'public.device_logs': 12 }]]) } }
      : {}),
  });
}

describe('the erasure receipt', () => {
  it('says what was removed and what was kept and why, per rule and table, with people as counts and digests only', () => {
    const done = receipt('erase');
    expect(done.subjects).toMatchObject({ requested: 3, done: 1, held: 1, notFound: 1 });
    expect(done.rules[0]).toMatchObject({ id: 'device-logs', rows: 12, kept: [{ reason: 'where', rows: 3 }, { reason: 'hold', hold: 'holds.subjects', rows: 2 }] });
    expect(done.rules[1]).toMatchObject({ id: 'invoices', action: 'skip', status: 'kept', kept: [{ reason: 'request-skip', rows: 4, detail: 'tax law: kept 10 years' }] });
    expect(done.tables).toEqual([
      { table: 'public.device_logs', removed: 12, anonymized: 0, kept: 5 },
      { table: 'public.invoices', removed: 0, anonymized: 0, kept: 4 },
    ]);
    expect(receiptSchema.safeParse(JSON.parse(renderReceipt(done, 'json'))).success).toBe(true);
  });

  it('renders text and markdown with the hold and the legal reason named', () => {
    const text = renderReceipt(receipt('erase'), 'text');
    expect(text).toContain('Erasure request REQ-1: done');
    expect(text).toContain('2 rows kept: held by holds.subjects');
    expect(text).toContain('4 rows kept: request: skip (tax law: kept 10 years)');
    expect(text).toContain('hmac:bb held');
    const markdown = renderReceipt(receipt('erase'), 'markdown');
    expect(markdown).toContain('| device-logs | device-logs | public.device_logs | delete | 12 |');
  });

  it('a dry run says what would be done', () => {
    const text = renderReceipt(receipt('dry-run'), 'text');
    expect(text).toContain('dry run, nothing was written');
    expect(text).toContain('would remove 12 rows');
    expect(receipt('dry-run').tables[0]).toEqual({ table: 'public.device_logs', removed: 12, anonymized: 0, kept: 5 });
  });
});
