import { rename, writeFile } from 'node:fs/promises';
import { LetheError } from '../errors.js';
import { renderReport, type ReportFormat } from '../report/render-report.js';
import type { Report } from '../report/types.js';
import type { CommandContext } from './context.js';

/** The report goes to stdout, or to --out (written whole, then renamed into place). */
export async function writeReport(ctx: CommandContext, report: Report, format: ReportFormat, out: string | undefined): Promise<void> {
  await writeText(ctx, renderReport(report, format), out, format);
}

/** Rendered text to stdout, or to --out (written whole, then renamed into place). */
export async function writeText(ctx: CommandContext, text: string, out: string | undefined, format: ReportFormat): Promise<void> {
  if (!out) {
    ctx.io.writeStdout(text);
    return;
  }
  try {
    await writeFile(`${out}.tmp`, text);
    await rename(`${out}.tmp`, out);
  } catch (error) {
    throw new LetheError('USAGE', `--out: cannot write ${out}: ${(error as Error).message}`, { cause: error });
  }
  ctx.logger.info('report written', { file: out, format });
}
