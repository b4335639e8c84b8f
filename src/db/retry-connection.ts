import { isLetheError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { describeError } from './describe-error.js';
import { isAuthenticationFailure, isConnectionLost, SQLSTATE, sqlstateOf } from './sqlstate.js';

/**
 * How long a run keeps trying to get its server back (a restart, a failover, a terminated
 * session) before it gives up with exit 1; the checkpoint makes the next run resume.
 */
export const RECONNECT_BUDGET_MS = 30_000;

/** When the current outage began; shared by every retry of a run, so they spend one budget. */
export interface Outage {
  since: number | undefined;
}

export interface RetryConnectionOptions {
  logger: Logger;
  sleep(ms: number): Promise<void>;
  /** What is being tried, for the log. */
  what: string;
  budgetMs?: number;
  outage?: Outage;
  now?: () => number;
}

/**
 * A server that went away: lost or refused connections, admin shutdown (57P01), "the database
 * system is starting up / shutting down" (57P03), and the connect errors Lethe wraps
 * (DB_UNREACHABLE) unless the password was refused. Everything else is not a matter of waiting.
 */
export function isServerAway(error: unknown): boolean {
  if (isLetheError(error)) return error.code === 'DB_UNREACHABLE' && !isAuthenticationFailure(error.cause) && sqlstateOf(error.cause) !== SQLSTATE.invalidCatalogName;
  return isConnectionLost(error);
}

/** Runs `attempt` until it succeeds, retrying with backoff (250 ms doubling to 5 s) while the server is away, within the budget. */
export async function retryWhileServerAway<T>(attempt: () => Promise<T>, options: RetryConnectionOptions): Promise<T> {
  const now = options.now ?? Date.now;
  const outage = options.outage ?? { since: undefined };
  for (let tries = 0; ; tries++) {
    try {
      const result = await attempt();
      outage.since = undefined;
      return result;
    } catch (error) {
      if (!isServerAway(error)) throw error;
      outage.since ??= now();
      const delay = Math.min(5_000, 250 * 2 ** tries);
      if (now() + delay > outage.since + (options.budgetMs ?? RECONNECT_BUDGET_MS)) throw error;
      options.logger.warn('database unreachable, retrying', { what: options.what, attempt: tries + 1, delayMs: delay, error: describeError(error) });
      await options.sleep(delay);
    }
  }
}
