import type { Knex } from 'knex';
import { exportSubject } from '../requests/export-subject.js';
import { loadRulesOrThrow } from '../rules/load-rules.js';
import type { DemoContext, DemoStep } from './demo-steps.js';
import { findBench3dRules } from './retention-steps.js';

/** Requests about one person, after the retention run: the same rules, the same snapshot rules. */
export const REQUEST_STEPS: readonly DemoStep[] = [
  {
    title: "Export: one person's data as JSON (policy V.4), read in one snapshot, nothing written",
    run: async (ctx: DemoContext, db: Knex) => {
      const { ruleSet } = await loadRulesOrThrow(findBench3dRules());
      const subject = await pickActiveUser(db);
      if (subject === undefined) {
        ctx.say('   no active user is left to export');
        return;
      }
      let bytes = 0;
      const header = await exportSubject(db, ruleSet, {
        subject,
        kind: undefined,
        format: 'json',
        now: ctx.demo.now,
        signal: ctx.signal,
        // The document itself is the person's: the demo counts it, and shows no value.
        sink: { write: async (text) => void (bytes += Buffer.byteLength(text)) },
      });
      ctx.say(`   lethe export --subject <an active user's id>: status ${header.status}, ${header.rows} rows, ${formatKiB(bytes)} of JSON`);
      const width = Math.max(...header.tables.map((table) => table.table.length));
      for (const table of header.tables.filter((candidate) => candidate.rows > 0)) {
        const left = table.omittedColumns.length > 0 ? `  (left out: ${table.omittedColumns.join(', ')})` : '';
        ctx.say(`     ${table.category.padEnd(22)} ${table.table.padEnd(width)}  ${String(table.rows).padStart(5)}${left}`);
      }
    },
  },
];

/** An active user, not on hold, with rows in the most tables, then the most device logs: an export with something in it. */
async function pickActiveUser(db: Knex): Promise<string | undefined> {
  const result = await db.raw<{ rows: { id: string }[] }>(`
    SELECT u.id::text AS id FROM users u
    WHERE u.status = 'active' AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.user_id = u.id AND h.released_at IS NULL)
    ORDER BY (EXISTS (SELECT 1 FROM models m WHERE m.owner_id = u.id))::int
           + (EXISTS (SELECT 1 FROM third_party_logins t WHERE t.user_id = u.id))::int
           + (EXISTS (SELECT 1 FROM verification_codes v WHERE v.user_id = u.id))::int DESC,
             (SELECT count(*) FROM device_logs d WHERE d.user_id = u.id) DESC, u.id
    LIMIT 1`);
  return result.rows[0]?.id;
}

function formatKiB(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
