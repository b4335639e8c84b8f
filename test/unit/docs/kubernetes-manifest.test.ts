import { readFile } from 'node:fs/promises';
import type { Command, Option } from 'commander';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/context.js';
import { parseDurationFlag } from '../../../src/cli/parse-flags.js';
import { buildProgram } from '../../../src/cli/program.js';
import { EXIT_CODES } from '../../../src/errors.js';

/**
 * The Kubernetes manifests in docs/kubernetes are documentation that must keep working: every
 * flag they pass must exist, every exit code they map must be one Lethe uses and one the docs
 * explain, and the deadlines must leave a stopping run time to commit its batch.
 */

const ROOT = new URL('../../../', import.meta.url);
const readText = (path: string) => readFile(new URL(path, ROOT), 'utf8');

type Manifest = Record<string, any>;

async function readManifest(path: string): Promise<Manifest> {
  const documents = parseAllDocuments(await readText(path));
  const list = Array.isArray(documents) ? documents : [documents];
  for (const document of list) expect(document.errors, `${path}: YAML errors`).toEqual([]);
  const objects = list.map((document) => document.toJS() as Manifest | null).filter((object): object is Manifest => object !== null);
  expect(objects, `${path}: one Kubernetes object`).toHaveLength(1);
  return objects[0]!;
}

/** The Job spec of a CronJob or of a Job. */
function jobSpecOf(manifest: Manifest): Manifest {
  return manifest.kind === 'CronJob' ? manifest.spec.jobTemplate.spec : manifest.spec;
}

function podSpecOf(manifest: Manifest): Manifest {
  return jobSpecOf(manifest).template.spec;
}

function letheContainerOf(manifest: Manifest): Manifest {
  const container = podSpecOf(manifest).containers.find((candidate: Manifest) => candidate.name === 'lethe');
  expect(container, 'a container named lethe').toBeDefined();
  return container;
}

const silentIO: CliIO = {
  writeStdout: () => undefined,
  writeStderr: () => undefined,
  env: {},
  stdinIsTTY: false,
  stderrIsTTY: false,
  stderrColumns: undefined,
  ask: async () => false,
};

/** The real commander program, as main.ts builds it, with every action replaced by a no-op. */
function buildInertProgram(): Command {
  const program = buildProgram(silentIO, new AbortController().signal, { exitCode: 0, verbose: false });
  for (const command of program.commands) command.action(() => undefined);
  return program;
}

interface ParsedArg {
  option: Option;
  value: string | undefined;
}

/** Walks the container args the way commander does and names every problem it finds. */
function readArgs(args: string[]): { command: Command | undefined; parsed: ParsedArg[]; problems: string[] } {
  const program = buildInertProgram();
  const [name, ...rest] = args;
  const command = program.commands.find((candidate) => candidate.name() === name);
  if (!command) return { command, parsed: [], problems: [`no such command: ${name}`] };
  const options = [...command.options, ...program.options];
  const parsed: ParsedArg[] = [];
  const problems: string[] = [];
  for (let index = 0; index < rest.length; index++) {
    const arg = rest[index]!;
    if (!arg.startsWith('-')) {
      problems.push(`'${arg}' is not a flag and follows no flag that takes a value`);
      continue;
    }
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const option = options.find((candidate) => candidate.long === flag || candidate.short === flag);
    if (!option) {
      problems.push(`lethe ${name} has no option ${flag}`);
      continue;
    }
    let value = inline;
    if (option.required && value === undefined) {
      value = rest[index + 1];
      if (value === undefined || value.startsWith('--')) problems.push(`${flag} needs a value`);
      else index++;
    } else if (option.optional && value === undefined && rest[index + 1] !== undefined && !rest[index + 1]!.startsWith('-')) {
      value = rest[++index];
    } else if (!option.required && !option.optional && inline !== undefined) {
      problems.push(`${flag} takes no value`);
    }
    if (value !== undefined && option.argChoices && !option.argChoices.includes(value)) {
      problems.push(`${flag} ${value}: expected one of ${option.argChoices.join(', ')}`);
    }
    parsed.push({ option, value });
  }
  return { command, parsed, problems };
}

function valueOf(parsed: ParsedArg[], flag: string): string | undefined {
  return parsed.find((arg) => arg.option.long === flag)?.value;
}

/** The rules path of the image: where the Dockerfile copies the rule files. */
async function imageRulesPath(): Promise<string> {
  const dockerfile = await readText('Dockerfile');
  // The operator's rules path is the absolute one (the image's /app/rules is the demo's own copy).
  const copy = /^COPY\s+rules\s+(\/\S+)\s*$/m.exec(dockerfile);
  expect(copy, 'the Dockerfile copies rules/ into the image').not.toBeNull();
  return copy![1]!.replace(/\/$/, '');
}

/** The executor's default statement_timeout, in seconds, read from where it is set. */
async function defaultStatementTimeoutSeconds(): Promise<number> {
  const source = await readText('src/execute/run-retention.ts');
  const match = /statementTimeoutMs:\s*options\.statementTimeoutMs\s*\?\?\s*([0-9_]+)/.exec(source);
  expect(match, 'src/execute/run-retention.ts sets a default statementTimeoutMs').not.toBeNull();
  return Number(match![1]!.replace(/_/g, '')) / 1000;
}

function exitCodeRules(manifest: Manifest): { action: string; codes: number[] }[] {
  const rules: Manifest[] = jobSpecOf(manifest).podFailurePolicy?.rules ?? [];
  return rules.filter((rule) => rule.onExitCodes).map((rule) => ({ action: rule.action, codes: rule.onExitCodes.values }));
}

const MANIFESTS = ['docs/kubernetes/cronjob.yaml', 'docs/kubernetes/dry-run-job.yaml'];

describe.each(MANIFESTS)('%s', (path) => {
  it('runs a lethe command that exists, with flags the CLI really has and values it accepts', async () => {
    const manifest = await readManifest(path);
    const { command, parsed, problems } = readArgs(letheContainerOf(manifest).args);
    expect(command).toBeDefined();
    expect(problems).toEqual([]);
    for (const flag of ['--max-runtime', '--max-replica-lag']) {
      const value = valueOf(parsed, flag);
      if (value !== undefined) expect(() => parseDurationFlag(flag, value)).not.toThrow();
    }
  });

  it('is accepted by the commander program itself', async () => {
    const manifest = await readManifest(path);
    const program = buildInertProgram();
    await expect(program.parseAsync(letheContainerOf(manifest).args, { from: 'user' })).resolves.toBeDefined();
  });

  it('mounts the rules where the image looks for them, read-only', async () => {
    const manifest = await readManifest(path);
    const pod = podSpecOf(manifest);
    const rulesVolume = pod.volumes.find((volume: Manifest) => volume.configMap);
    expect(rulesVolume, 'a ConfigMap volume for the rules').toBeDefined();
    const mount = letheContainerOf(manifest).volumeMounts.find((candidate: Manifest) => candidate.name === rulesVolume.name);
    expect(mount.mountPath).toBe(await imageRulesPath());
    expect(mount.readOnly).toBe(true);
  });

  it('reads the database URL from a Secret and runs non-root on a read-only root filesystem', async () => {
    const manifest = await readManifest(path);
    const container = letheContainerOf(manifest);
    const databaseUrl = container.env.find((variable: Manifest) => variable.name === 'DATABASE_URL');
    expect(databaseUrl?.valueFrom?.secretKeyRef).toBeDefined();
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(podSpecOf(manifest).securityContext.runAsNonRoot).toBe(true);
    expect(podSpecOf(manifest).restartPolicy).toBe('Never');
  });

  it('writes files only to mounted, writable volumes', async () => {
    const manifest = await readManifest(path);
    const container = letheContainerOf(manifest);
    const { parsed } = readArgs(container.args);
    for (const flag of ['--metrics-file', '--out']) {
      const file = valueOf(parsed, flag);
      if (file === undefined) continue;
      const mount = container.volumeMounts.find((candidate: Manifest) => file.startsWith(`${candidate.mountPath}/`));
      expect(mount, `${flag} ${file} is on a mounted volume`).toBeDefined();
      expect(mount.readOnly ?? false).toBe(false);
    }
  });
});

describe('the CronJob', () => {
  const path = 'docs/kubernetes/cronjob.yaml';

  it('forbids concurrent Jobs', async () => {
    const manifest = await readManifest(path);
    expect(manifest.kind).toBe('CronJob');
    expect(manifest.spec.concurrencyPolicy).toBe('Forbid');
    expect(manifest.spec.startingDeadlineSeconds).toBeGreaterThanOrEqual(10);
  });

  it('runs `run --due` with a --max-runtime', async () => {
    const args: string[] = letheContainerOf(await readManifest(path)).args;
    const { parsed } = readArgs(args);
    expect(args[0]).toBe('run');
    expect(parsed.some((arg) => arg.option.long === '--due')).toBe(true);
    expect(valueOf(parsed, '--max-runtime')).toBeDefined();
  });

  it('gives the Job longer than --max-runtime plus the termination grace period', async () => {
    const manifest = await readManifest(path);
    const { parsed } = readArgs(letheContainerOf(manifest).args);
    const maxRuntimeSeconds = parseDurationFlag('--max-runtime', valueOf(parsed, '--max-runtime'))! / 1000;
    const grace = podSpecOf(manifest).terminationGracePeriodSeconds;
    expect(jobSpecOf(manifest).activeDeadlineSeconds).toBeGreaterThan(maxRuntimeSeconds + grace);
  });

  it("gives a stopping pod longer than one batch's statement_timeout to commit it", async () => {
    const manifest = await readManifest(path);
    expect(podSpecOf(manifest).terminationGracePeriodSeconds).toBeGreaterThan(await defaultStatementTimeoutSeconds());
  });

  it("maps only exit codes Lethe uses, each listed in the README's exit-code table", async () => {
    const rules = exitCodeRules(await readManifest(path));
    const known = new Set(Object.values(EXIT_CODES));
    const readme = await readText('README.md');
    const codes = rules.flatMap((rule) => rule.codes);
    expect(codes.length).toBeGreaterThan(0);
    for (const code of codes) {
      expect(known.has(code), `exit code ${code} is one of EXIT_CODES`).toBe(true);
      expect(readme, `README documents exit code ${code}`).toMatch(new RegExp(`^\\| ${code} \\| \\S`, 'm'));
    }
  });

  it('explains each mapped exit code and its action in docs/kubernetes.md', async () => {
    const rules = exitCodeRules(await readManifest(path));
    const page = await readText('docs/kubernetes.md');
    for (const { action, codes } of rules) {
      for (const code of codes) {
        const row = new RegExp(`^\\| ${code} \\|.*\\| \`${action}\` \\|`, 'm');
        expect(page, `docs/kubernetes.md has a row for exit code ${code} with ${action}`).toMatch(row);
      }
    }
  });

  it('fails the Job at once on invalid rules (2) and on a tripped gate (4)', async () => {
    const rules = exitCodeRules(await readManifest(path));
    for (const code of [2, 4]) {
      expect(rules.find((rule) => rule.codes.includes(code))?.action, `exit code ${code}`).toBe('FailJob');
    }
  });
});

describe('the README', () => {
  it('lists every exit code Lethe uses', async () => {
    const readme = await readText('README.md');
    for (const code of new Set(Object.values(EXIT_CODES))) {
      expect(readme).toMatch(new RegExp(`^\\| ${code} \\| \\S`, 'm'));
    }
  });
});
