import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

export const PUSHGATEWAY_BINARY = '/usr/bin/prometheus-pushgateway';

export interface Pushgateway {
  url: string;
  stop(): Promise<void>;
}

/** Why the Pushgateway tests cannot run here, or undefined when they can. */
export function pushgatewayUnavailable(): string | undefined {
  return existsSync(PUSHGATEWAY_BINARY) ? undefined : `${PUSHGATEWAY_BINARY} is not installed (apt-get install prometheus-pushgateway; .ci/run does it as root)`;
}

async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Debian's Pushgateway on a free loopback port, in memory only (no --persistence.file). */
export async function startPushgateway(): Promise<Pushgateway> {
  const port = await findFreePort();
  const child: ChildProcess = spawn(PUSHGATEWAY_BINARY, [`--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the Pushgateway exited (${child.exitCode}): ${stderr.slice(-500)}`);
    const ready = await fetch(`${url}/-/ready`).then((response) => response.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the Pushgateway did not answer on ${url} within 30 s: ${stderr.slice(-500)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface PushedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Pushgateway's /metrics, read back over HTTP and parsed (text exposition format). */
export async function readPushedSamples(url: string): Promise<PushedSample[]> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const samples: PushedSample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!.replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}
