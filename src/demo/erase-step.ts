import type { Knex } from 'knex';
import { userInfo } from 'node:os';
import { silentLogger } from '../log/logger.js';
import { runErase } from '../requests/run-erase.js';
import { loadRulesOrThrow } from '../rules/load-rules.js';
import type { DemoContext, DemoStep } from './demo-steps.js';
import { findBench3dRules } from './retention-steps.js';

/** After the retention run: one person asks to be forgotten (policy V.1), and gets a receipt. */
export const ERASE_STEP: DemoStep = {
  title: 'Erase: one person asks to be forgotten (V.1), and gets a receipt',
  run: async (ctx: DemoContext, db: Knex) => {
    const { ruleSet } = await loadRulesOrThrow(findBench3dRules());
    const chosen = await db.raw<{ rows: { id: string }[] }>(
      `SELECT user_id::text AS id FROM device_logs WHERE user_id IS NOT NULL AND user_id NOT IN (SELECT user_id FROM legal_holds WHERE released_at IS NULL)
       GROUP BY user_id ORDER BY count(*) DESC, user_id LIMIT 1`,
    );
    const id = chosen.rows[0]?.id;
    if (!id) {
      ctx.say('   no user with data is left to erase.');
      return;
    }
    const { receipt } = await runErase(db, ruleSet, {
      url: ctx.demo.url,
      now: ctx.demo.now,
      ids: [id],
      kind: undefined,
      only: undefined,
      requestId: 'DEMO-REQUEST-1',
      dryRun: false,
      osUser: safeUser(),
      signal: ctx.signal,
      logger: silentLogger,
      readSecret: () => undefined,
    });
    ctx.say(`   lethe erase --subject ${id} --request-id ${receipt.requestId}: ${receipt.status}, every rule of ${receipt.categories.length} categories applied its final action now.`);
    for (const table of receipt.tables.filter((entry) => entry.removed + entry.anonymized + entry.kept > 0)) {
      ctx.say(`     ${table.table.padEnd(28)} ${String(table.removed).padStart(4)} removed ${String(table.anonymized).padStart(3)} anonymized ${String(table.kept).padStart(3)} kept`);
    }
    const keptBy = new Set(receipt.rules.filter((rule) => rule.kept.some((entry) => entry.reason === 'where')).map((rule) => rule.id));
    if (keptBy.size > 0) ctx.say(`   kept: rows ${keptBy.size} rules leave out on purpose (their where: an active account stays until it is cancelled); the receipt names each.`);
    ctx.say(`   Lethe recorded the request with the person as a keyed digest only (${receipt.subjects.digests?.[0]?.digest ?? 'no digest'}), never the id.`);
  },
};

function safeUser(): string | null {
  try {
    return userInfo().username;
  } catch {
    return null;
  }
}
