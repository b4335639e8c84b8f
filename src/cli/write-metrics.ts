import { rename, writeFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { LetheError } from '../errors.js';
import type { CommandContext } from './context.js';
import { pushMetrics, pushTargetOf, type PushTarget } from './push-metrics.js';

/** Written beside the target then renamed: the textfile collector never reads half a file. */
export async function writeMetricsFile(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeFile(temporary, text);
    await rename(temporary, path);
  } catch (error) {
    throw new LetheError('USAGE', `--metrics-file: cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
}

export interface MetricsOutputs {
  file?: string | undefined;
  push?: PushTarget | undefined;
}

export function metricsOutputsOf(ctx: CommandContext, flags: { metricsFile?: string | undefined }, pushUrl: string | undefined, command: string): MetricsOutputs {
  return { file: flags.metricsFile, push: pushUrl === undefined ? undefined : pushTargetOf(pushUrl, ctx.globals.rules, command) };
}

/**
 * The file, then the push. A push that fails is a warning on stderr: the invocation has
 * finished, and its exit code says how it went, not whether the Pushgateway answered.
 */
export async function emitMetrics(ctx: CommandContext, outputs: MetricsOutputs, text: string, method: 'PUT' | 'POST' = 'PUT'): Promise<void> {
  if (outputs.file) await writeMetricsFile(outputs.file, text);
  if (!outputs.push) return;
  const warning = await pushMetrics(outputs.push, text, method);
  if (warning) ctx.io.writeStderr(`lethe: warning: ${warning}; the metrics were not pushed, the exit code is unchanged\n`);
  else ctx.logger.info('metrics pushed', { group: Object.values(outputs.push.grouping).join('/') });
}
