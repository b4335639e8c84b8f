import { LetheError } from '../errors.js';
import { hashRule } from '../rules/hash-rule.js';
import type { Checkpoint } from '../state/checkpoints.js';
import { replanAt } from './build-plan.js';
import type { Plan, PlannedRule } from './types.js';

/**
 * What to do with an unfinished run of a rule: `default` continues it unless
 * `--now` names another time (then the run refuses), `resume` continues it
 * whatever `--now` says, `restart` discards it and uses the new now.
 */
export type ResumeChoice = 'default' | 'resume' | 'restart';

export interface ResumeOptions {
  choice: ResumeChoice;
  /** `--now` was given: a checkpoint with another now is a conflict unless the choice is explicit. */
  explicitNow: boolean;
}

/**
 * Pure: the plan as the run will really execute it. A rule with a checkpoint of
 * the same rule (by hash) continues that run, so its cutoffs are recomputed at
 * the checkpoint's now and the phases it finished are marked done. A changed
 * rule, or `restart`, starts afresh at the plan's now.
 */
export function applyCheckpoints(plan: Plan, checkpoints: Map<string, Checkpoint>, options: ResumeOptions): Plan {
  const conflicts: string[] = [];
  const rules = plan.rules.map((planned): PlannedRule => {
    const checkpoint = resumableCheckpoint(planned, checkpoints);
    if (!checkpoint || options.choice === 'restart') return planned;
    const sameNow = checkpoint.logicalNow.getTime() === plan.now.getTime();
    if (options.explicitNow && !sameNow && options.choice === 'default') {
      conflicts.push(`rule '${planned.rule.id}' has an unfinished run (${checkpoint.runId.slice(0, 8)}) with now ${checkpoint.logicalNow.toISOString()}, but --now is ${plan.now.toISOString()}`);
      return planned;
    }
    return { ...replanAt(planned, checkpoint.logicalNow), resume: { runId: checkpoint.runId, now: checkpoint.logicalNow, phasePosition: checkpoint.phasePosition } };
  });
  if (conflicts.length > 0) {
    throw new LetheError('USAGE', conflicts.length === 1 ? conflicts[0]! : `${conflicts.length} rules have unfinished runs with another now than --now`, {
      ...(conflicts.length > 1 ? { details: conflicts } : {}),
      hint: 'pass --resume to continue the unfinished run with its own cutoffs, or --restart to discard its checkpoint and use --now; nothing was written',
    });
  }
  return { ...plan, rules };
}

/** The rule's checkpoint when a run would continue it (same rule); a changed rule starts afresh. */
export function resumableCheckpoint(planned: PlannedRule, checkpoints: Map<string, Checkpoint>): Checkpoint | undefined {
  const checkpoint = checkpoints.get(planned.rule.id);
  return checkpoint && checkpoint.ruleHash === hashRule(planned.rule, planned.holdsSubjects) ? checkpoint : undefined;
}
