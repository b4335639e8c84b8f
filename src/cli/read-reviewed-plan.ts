import { readFile } from 'node:fs/promises';
import { LetheError } from '../errors.js';
import type { Report } from '../report/types.js';

/** The JSON `lethe plan --format json` wrote, checked enough to compare against. */
export async function readReviewedPlan(file: string): Promise<Report> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new LetheError('USAGE', `--plan ${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
  }
  let report: Partial<Report>;
  try {
    report = JSON.parse(text) as Partial<Report>;
  } catch (error) {
    throw new LetheError('USAGE', `--plan ${file}: not JSON (${(error as Error).message})`, { hint: 'write the plan with lethe plan --format json --out FILE', cause: error });
  }
  const valid =
    report && report.lethe === 1 && (report.mode === 'plan' || report.mode === 'dry-run') && typeof report.now === 'string' && !Number.isNaN(Date.parse(report.now)) && Array.isArray(report.rules);
  if (!valid) throw new LetheError('USAGE', `--plan ${file}: not a plan written by lethe plan --format json`, { hint: 'write the plan with lethe plan --format json --out FILE' });
  if (!report.fingerprint) throw new LetheError('USAGE', `--plan ${file}: the plan has no fingerprint`, { hint: 'make it again with this version: lethe plan --format json --out FILE' });
  if (report.rules!.some((rule) => rule.status === 'failed')) throw new LetheError('USAGE', `--plan ${file}: a rule failed in that plan; it cannot be applied`);
  return report as Report;
}
