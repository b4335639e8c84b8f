import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import { runRetention } from '../execute/run-retention.js';
import { silentLogger } from '../log/logger.js';
import { planRetention } from '../plan/plan-retention.js';
import { renderText } from '../report/render-text.js';
import { loadRulesOrThrow } from '../rules/load-rules.js';
import { DEFAULT_STATE_SCHEMA } from '../state/ensure-state-schema.js';
import { readStatus } from '../status/read-status.js';
import type { DemoContext, DemoStep } from './demo-steps.js';

/** The Bench3D rules shipped with the package, from src/ (tests) or the bundle in dist/. */
export function findBench3dRules(): string {
  for (const relative of ['../rules/', '../../rules/']) {
    const path = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(`${path}lethe.yaml`)) return path;
  }
  throw new Error('the Bench3D rules are missing from this installation');
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `   ${line}`)
    .join('\n');
}

async function loadDemoRules() {
  return (await loadRulesOrThrow(findBench3dRules())).ruleSet;
}

/** Plan, run and proof: the second half of the story, on the same frozen now. */
export const RETENTION_STEPS: readonly DemoStep[] = [
  {
    title: 'Plan: what the Bench3D rules would do (a dry run, nothing is written)',
    run: async (ctx: DemoContext, db: Knex) => {
      const ruleSet = await loadDemoRules();
      const { report } = await planRetention(db, ruleSet, { now: ctx.demo.now, mode: 'plan', previewRows: 1, readSecret: () => undefined });
      ctx.say(indent(renderText(report)));
    },
  },
  {
    title: 'Run: delete and anonymize in batches, with checkpoints and a ledger',
    run: async (ctx: DemoContext, db: Knex) => {
      const ruleSet = await loadDemoRules();
      const report = await runRetention(db, ruleSet, {
        url: ctx.demo.url,
        now: ctx.demo.now,
        only: undefined,
        signal: ctx.signal,
        logger: silentLogger,
        readSecret: () => undefined,
      });
      ctx.say(indent(renderText(report)));
    },
  },
  {
    title: 'Proof: nothing is due any more, and the ledger chain verifies',
    run: async (ctx: DemoContext, db: Knex) => {
      const ruleSet = await loadDemoRules();
      const { report } = await planRetention(db, ruleSet, { now: ctx.demo.now, mode: 'plan', previewRows: 0, readSecret: () => undefined });
      const due = report.rules.reduce((sum, rule) => sum + rule.phases.reduce((inner, phase) => inner + phase.candidates, 0), 0);
      const held = report.rules.reduce((sum, rule) => sum + rule.phases.reduce((inner, phase) => inner + phase.held, 0), 0);
      ctx.say(`   ${due} rows are still due; ${held} rows stay because their person is under a legal hold.`);
      const status = await readStatus(db, ruleSet.rules, ctx.demo.now, DEFAULT_STATE_SCHEMA);
      ctx.say(`   ledger: ${status.ledger.batches} batches recorded, chain ${status.ledger.verified ? 'verified' : `BROKEN at ${status.ledger.brokenAt}`}.`);
    },
  },
];
