import { LetheError } from '../errors.js';

/** Longer ids are a wrong file (a CSV row, a document), not a person's id. */
export const MAX_SUBJECT_LENGTH = 200;

/**
 * A subjects file: one id per line; blank lines and lines starting with `#`
 * are skipped; surrounding spaces are trimmed. Errors name the file and line,
 * never the value on it (it is a person's id).
 */
export function parseSubjectsFile(text: string, file: string): string[] {
  const ids: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `--subjects-file ${file} line ${index + 1}`;
    if (/[\s,;]/.test(line)) throw new LetheError('USAGE', `${where}: expected one id per line (this line holds spaces, a comma or a semicolon)`, { hint: 'write one id per line; # starts a comment line; nothing was written' });
    if (line.length > MAX_SUBJECT_LENGTH) throw new LetheError('USAGE', `${where}: an id longer than ${MAX_SUBJECT_LENGTH} characters`, { hint: 'is this the right file? nothing was written' });
    ids.push(line);
  });
  return ids;
}

/** --subject values and the file's ids as one set, in first-seen order; at least one id. */
export function collectSubjects(flagValues: readonly string[], fileValues: readonly string[] | undefined, file?: string): string[] {
  for (const value of flagValues) {
    if (value.trim() === '') throw new LetheError('USAGE', '--subject: an empty id', { hint: 'pass --subject ID (repeatable) or --subjects-file FILE; nothing was written' });
    if (value.length > MAX_SUBJECT_LENGTH) throw new LetheError('USAGE', `--subject: an id longer than ${MAX_SUBJECT_LENGTH} characters`);
  }
  const all = [...flagValues.map((value) => value.trim()), ...(fileValues ?? [])];
  if (all.length === 0) {
    const message = file !== undefined ? `--subjects-file ${file}: no ids in the file (only blank or # comment lines)` : 'erase needs --subject ID or --subjects-file FILE';
    throw new LetheError('USAGE', message, { hint: 'name the people: --subject ID (repeatable) or --subjects-file FILE with one id per line; nothing was written' });
  }
  return [...new Set(all)];
}

/** Request ids are names for a ticket (REQ-2026-0042), safe in logs, file names and the state schema. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

export function parseRequestId(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!REQUEST_ID_PATTERN.test(value)) {
    throw new LetheError('USAGE', '--request-id: expected letters, digits and . _ : - (at most 100, starting with a letter or digit), e.g. REQ-2026-0042', {
      hint: 'use the ticket number of the request, never a person\'s name or email; nothing was written',
    });
  }
  return value;
}
