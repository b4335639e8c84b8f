import { createLagTracker } from './replica-lag.js';
import type { Connection, ExecuteOptions } from './types.js';

/** Rows per second and replica lag: sleep before the next batch rather than overrun either. */
export async function waitForPace(connection: Connection, options: ExecuteOptions, rowsSoFar: number, startedAt: number): Promise<void> {
  if (options.maxRowsPerSecond !== undefined && rowsSoFar > 0) {
    const earliest = startedAt + (rowsSoFar / options.maxRowsPerSecond) * 1000;
    const wait = earliest - Date.now();
    if (wait > 0) await options.sleep(Math.min(wait, remaining(options)));
  }
  if (options.maxReplicaLagMs !== undefined) {
    const tracker = (options.replicaLag ??= createLagTracker());
    let waitedMs = 0;
    for (;;) {
      const lag = await tracker.measure(connection);
      if (lag === null || lag.lagMs <= options.maxReplicaLagMs) return;
      const event = { standby: lag.standby, lagMs: Math.round(lag.lagMs), behindBytes: lag.behindBytes, maxMs: options.maxReplicaLagMs, waitedMs };
      if (options.signal.aborted || remaining(options) <= 0) {
        options.logger.warn('replica lag still over the limit: stopping', event);
        return;
      }
      options.logger.info('waiting for replicas to catch up', event);
      options.onReplicaWait?.(event);
      const pause = Math.min(1000, remaining(options));
      await options.sleep(pause);
      waitedMs += pause;
    }
  }
}

function remaining(options: ExecuteOptions): number {
  return options.deadline === undefined ? Number.POSITIVE_INFINITY : Math.max(0, options.deadline - Date.now());
}
