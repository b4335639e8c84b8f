import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/context.js';
import { HELP_EXAMPLES, renderHelpExamples } from '../../../src/cli/help-examples.js';
import { parseDurationFlag, parseNow } from '../../../src/cli/parse-flags.js';
import { buildProgram } from '../../../src/cli/program.js';
import { runCli } from '../../support/run-cli.js';

const silentIO: CliIO = {
  writeStdout: () => undefined,
  writeStderr: () => undefined,
  env: {},
  stdinIsTTY: false,
  stderrIsTTY: false,
  stderrColumns: undefined,
  ask: async () => false,
};

/** The real program with every handler replaced by one that records what commander parsed. */
function buildRecordingProgram(): { program: Command; calls: { command: string; options: Record<string, unknown> }[] } {
  const calls: { command: string; options: Record<string, unknown> }[] = [];
  const program = buildProgram(silentIO, new AbortController().signal, { exitCode: 0, verbose: false });
  for (const command of program.commands) {
    command.action((...args: unknown[]) => {
      const self = args[args.length - 1] as Command;
      calls.push({ command: self.name(), options: self.optsWithGlobals() });
    });
  }
  return { program, calls };
}

const commandNames = buildRecordingProgram().program.commands.map((command) => command.name());
const examples = Object.entries(HELP_EXAMPLES).flatMap(([command, list]) => list.map((example) => ({ command, ...example })));

describe('help examples', () => {
  it('every command has two or three examples, and every example set names a command', () => {
    for (const name of commandNames) {
      expect(HELP_EXAMPLES[name]?.length, `examples of ${name}`).toBeGreaterThanOrEqual(2);
      expect(HELP_EXAMPLES[name]!.length, `examples of ${name}`).toBeLessThanOrEqual(3);
    }
    expect(Object.keys(HELP_EXAMPLES).sort()).toEqual([...commandNames].sort());
  });

  it.each(examples)('$command: `$args` parses with the real program', async ({ command, args }) => {
    expect(args[0]).toBe(command);
    const { program, calls } = buildRecordingProgram();
    await program.parseAsync(args, { from: 'user' });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.command).toBe(command);
    const options = calls[0]!.options;
    // Values the handlers parse themselves must parse too.
    for (const [key, flag] of [['maxRuntime', '--max-runtime'], ['maxReplicaLag', '--max-replica-lag']] as const) {
      if (typeof options[key] === 'string') expect(() => parseDurationFlag(flag, options[key] as string)).not.toThrow();
    }
    if (typeof options.failOnOverdue === 'string') expect(() => parseDurationFlag('--fail-on-overdue', options.failOnOverdue as string)).not.toThrow();
    if (typeof options.now === 'string') expect(() => parseNow(options.now as string, () => new Date())).not.toThrow();
  });

  it('the parse check is not a no-op: an unknown flag is refused', async () => {
    const { program } = buildRecordingProgram();
    await expect(program.parseAsync(['run', '--max-runtme', '8m'], { from: 'user' })).rejects.toThrow(/unknown option/);
  });

  it.each(commandNames)('`lethe %s --help` ends with its examples, and lethe help <command> prints the same', async (name) => {
    const viaFlag = await runCli([name, '--help']);
    const viaHelp = await runCli(['help', name]);
    expect(viaFlag.code).toBe(0);
    expect(viaHelp.code).toBe(0);
    expect(viaFlag.stdout.endsWith(renderHelpExamples(HELP_EXAMPLES[name]!) + '\n')).toBe(true);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
  });
});
