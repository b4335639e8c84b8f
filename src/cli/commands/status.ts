import { Option, type Command } from 'commander';
import { loadRulesOrThrow } from '../../rules/load-rules.js';
import { DEFAULT_STATE_SCHEMA } from '../../state/ensure-state-schema.js';
import type { StatusReport } from '../../status/read-status.js';
import { formatHead, parseHead } from '../../state/ledger.js';
import { LetheError } from '../../errors.js';
import { withDatabase } from '../open-database.js';
import { parseNow } from '../parse-flags.js';
import type { ActionFactory } from '../program.js';

interface StatusFlags {
  now?: string;
  verifyHead?: string;
  format: 'text' | 'json';
}

export function registerStatus(program: Command, action: ActionFactory): void {
  program
    .command('status')
    .description('last runs, resumable runs, lock holders, next due times and the ledger check')
    .option('--now <time>', 'compute next due times from this time (ISO 8601)')
    .option('--verify-head <seq:hash>', 'prove the ledger still holds this chain head (from a run report); exit 4 when it does not')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(
      action<StatusFlags>(async (ctx, flags) => {
        const now = parseNow(flags.now, () => new Date());
        const verifyHead = flags.verifyHead === undefined ? undefined : parseHead(flags.verifyHead);
        if (flags.verifyHead !== undefined && !verifyHead) {
          throw new LetheError('USAGE', `--verify-head: expected SEQ:HASH (a number, a colon and 64 hex characters), got '${flags.verifyHead}'`, { hint: 'copy the ledger head from a run report' });
        }
        const { ruleSet } = await loadRulesOrThrow(ctx.globals.rules);
        const { readStatus } = await import('../../status/read-status.js');
        const status = await withDatabase(ctx, (db) => readStatus(db, ruleSet.rules, now, DEFAULT_STATE_SCHEMA, { verifyHead }));
        ctx.io.writeStdout(flags.format === 'json' ? JSON.stringify(status, null, 2) + '\n' : renderStatusText(status));
        return status.ledger.verified ? 0 : 4;
      }),
    );
}

export function renderStatusText(status: StatusReport): string {
  const lines = [`Lethe status — now ${status.now}`, ''];
  for (const rule of status.rules) {
    const last = rule.lastRun;
    lines.push(`${rule.id}`);
    lines.push(
      last
        ? `  last run   ${last.status} at ${last.startedAt}${last.durationMs !== null ? ` (${(last.durationMs / 1000).toFixed(1)}s)` : ''}, ${last.rowsAffected} rows${last.stopReason ? `, stopped: ${last.stopReason}` : ''}`
        : '  last run   never',
    );
    if (rule.resumable) lines.push('  resumable  yes: the next run continues from its checkpoint');
    if (rule.lock) lines.push(`  locked by  pid ${rule.lock.pid} (${rule.lock.applicationName}) since ${rule.lock.since ?? '?'}`);
    if (rule.dueNow) lines.push(`  next due   due now (${rule.missed ? `missed ${rule.missed}` : 'an unfinished run can resume'}); then ${rule.nextDue}`);
    else lines.push(`  next due   ${rule.nextDue ?? 'no schedule (every run --due)'}`);
  }
  const ledger = status.ledger;
  lines.push('', ledger.brokenAt === null ? `ledger: ${ledger.batches} batches, chain verified` : `ledger: BROKEN at seq ${ledger.brokenAt} (after ${ledger.batches} verified batches)`);
  if (ledger.head) lines.push(`ledger head: ${formatHead(ledger.head)}`);
  if (ledger.verifiedHead) {
    lines.push(ledger.verifiedHead.found ? `head ${ledger.verifiedHead.seq}:${ledger.verifiedHead.hash}: still in the ledger` : `head ${ledger.verifiedHead.seq}:${ledger.verifiedHead.hash}: NOT FOUND: ${ledger.verifiedHead.problem}`);
  }
  return lines.join('\n') + '\n';
}
