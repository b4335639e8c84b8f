import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/context.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output: fast, for the many small cases. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    writeStdout: (text) => {
      stdout += text;
    },
    writeStderr: (text) => {
      stderr += text;
    },
    env: { ...env },
    stdinIsTTY: false,
    stderrIsTTY: false,
    stderrColumns: undefined,
    ask: async () => false,
  };
  const code = await main(['node', 'lethe', ...args], io);
  return { code, stdout, stderr };
}
