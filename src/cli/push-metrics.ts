import { basename, resolve } from 'node:path';
import { redactUrl } from '../db/redact-url.js';
import { LetheError } from '../errors.js';

/**
 * Prometheus Pushgateway, as its docs recommend for batch jobs: job `lethe`, grouped by rule
 * set (the --rules folder's name) and command, so check, plan and run do not replace each
 * other's metrics. PUT replaces the group with a finished invocation's metrics; POST (used for
 * an invocation that ended without a report) replaces only the families it sends.
 */
export interface PushTarget {
  url: string;
  grouping: Record<string, string>;
}

/** Checks --metrics-push before anything runs: an http(s) URL, no path below /. */
export function parsePushUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new LetheError('USAGE', `--metrics-push: '${value}' is not a URL`, { hint: 'give the Pushgateway base URL, e.g. http://pushgateway:9091' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new LetheError('USAGE', `--metrics-push: expected an http or https URL, got ${url.protocol}`);
  return value.replace(/\/+$/, '');
}

export function pushTargetOf(url: string, rulesPath: string, command: string): PushTarget {
  const ruleSet = basename(resolve(rulesPath)).replace(/\.ya?ml$/, '') || 'rules';
  return { url, grouping: { rule_set: ruleSet, command } };
}

/** The group's URL; label values go base64url-encoded, so any rule set name is safe in a path. */
export function groupUrl(target: PushTarget): string {
  const parts = Object.entries(target.grouping).map(([label, value]) => `${label}@base64/${Buffer.from(value).toString('base64url') || '='}`);
  return `${target.url}/metrics/job/lethe/${parts.join('/')}`;
}

/**
 * Sends the metrics; a failure is returned as a warning, never thrown: the invocation's own
 * outcome (and exit code) stands, and the caller prints the warning on stderr.
 */
export async function pushMetrics(target: PushTarget, text: string, method: 'PUT' | 'POST', timeoutMs = 10_000): Promise<string | undefined> {
  const url = groupUrl(target);
  try {
    const response = await fetch(url, { method, body: text, headers: { 'content-type': 'text/plain; version=0.0.4' }, signal: AbortSignal.timeout(timeoutMs) });
    if (response.ok) return undefined;
    const body = (await response.text()).slice(0, 300).trim();
    return `--metrics-push: ${redactUrl(url)} answered ${response.status}${body ? `: ${body}` : ''}`;
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    return `--metrics-push: cannot reach ${redactUrl(url)}: ${cause}`;
  }
}
