import type { Report } from './types.js';

/** The report names the lethe.yaml it was made with (null: none was read), right after `now`. */
export function nameSettingsFile(report: Report, settingsFile: string | undefined): Report {
  const { lethe, mode, now, ...rest } = report;
  return { lethe, mode, now, settings: settingsFile ?? null, ...rest };
}
