import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { findLocalBinaries, freePort, gidOf, uidOf } from './find-postgres.js';

/**
 * PostgreSQL clusters of its own for a test that stops, restarts or replicates a server: never
 * the shared test server. From the local binaries (initdb, pg_ctl, pg_basebackup); as root they
 * run as the postgres user, data and sockets in a temporary folder it owns, loopback only.
 */
export interface ThrowawayServer {
  url(database?: string): string;
  port: number;
  /** `pg_ctl restart -m fast`: every session is cut, the server is back when it returns. */
  restart(): void;
  stop(mode?: 'fast' | 'immediate'): void;
  start(): void;
  /** The server's log, for a failing test's message. */
  log(): string;
}

export interface ThrowawayCluster {
  primary: ThrowawayServer;
  /** A streaming replica (pg_basebackup -R), when asked for. */
  standby: ThrowawayServer | undefined;
  remove(): Promise<void>;
}

/** Why these tests cannot run here, or undefined when they can. */
export function clusterUnavailable(): string | undefined {
  const binaries = findLocalBinaries();
  if (!binaries) return 'no local PostgreSQL binaries (initdb, pg_ctl): install postgresql to run the standby and restart tests';
  if (!existsSync(join(binaries, 'pg_basebackup'))) return `no pg_basebackup next to ${binaries}`;
  if (process.getuid?.() === 0) {
    try {
      uidOf('postgres');
    } catch {
      return 'running as root without a postgres user to run the server as';
    }
  }
  return undefined;
}

export async function startThrowawayCluster(options: { standby?: boolean } = {}): Promise<ThrowawayCluster> {
  const binaries = findLocalBinaries();
  if (!binaries) throw new Error(clusterUnavailable());
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'lethe-cluster-'));
  if (asRoot) chownSync(dir, uidOf('postgres'), gidOf('postgres'));
  const run = (command: string, args: string[]) => {
    const full = asRoot ? ['-u', 'postgres', '--', join(binaries, command), ...args] : args;
    return execFileSync(asRoot ? 'runuser' : join(binaries, command), full, { stdio: 'pipe', timeout: 180_000 });
  };
  const servers: ThrowawayServer[] = [];
  const server = (name: string, port: number, settings: string): ThrowawayServer => {
    const data = join(dir, name);
    const logFile = join(dir, `${name}.log`);
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off ${settings}`;
    const created: ThrowawayServer = {
      port,
      url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
      start: () => void run('pg_ctl', ['-D', data, '-l', logFile, '-w', '-t', '120', '-o', options, 'start']),
      stop: (mode = 'fast') => void run('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '120', 'stop']),
      restart: () => void run('pg_ctl', ['-D', data, '-l', logFile, '-m', 'fast', '-w', '-t', '120', '-o', options, 'restart']),
      log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    };
    servers.push(created);
    return created;
  };
  try {
    run('initdb', ['-D', join(dir, 'primary'), '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    writeFileSync(join(dir, 'README'), 'throwaway PostgreSQL cluster for lethe tests\n');
    if (asRoot) chownSync(join(dir, 'README'), uidOf('postgres'), gidOf('postgres'));
    const primary = server('primary', await freePort(), '-c wal_level=replica -c max_wal_senders=4 -c wal_sender_timeout=10s');
    primary.start();
    let standby: ThrowawayServer | undefined;
    if (options.standby) {
      run('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', join(dir, 'standby'), '-R', '-X', 'stream', '-c', 'fast', '--no-sync']);
      // The standby names itself in pg_stat_replication.
      const auto = join(dir, 'standby', 'postgresql.auto.conf');
      writeFileSync(auto, readFileSync(auto, 'utf8').replace(/primary_conninfo = '/, "primary_conninfo = 'application_name=lethe_test_standby "));
      standby = server('standby', await freePort(), '-c hot_standby=on -c wal_receiver_status_interval=1s');
      standby.start();
      await waitForStreaming(primary);
    }
    return {
      primary,
      standby,
      remove: async () => {
        for (const each of [...servers].reverse()) {
          try {
            each.stop('immediate');
          } catch {
            // already down
          }
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    for (const each of [...servers].reverse()) {
      try {
        each.stop('immediate');
      } catch {
        // already down
      }
    }
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

async function waitForStreaming(primary: ThrowawayServer): Promise<void> {
  const client = new pg.Client({ connectionString: primary.url() });
  await client.connect();
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const result = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming'`);
      if (result.rows[0]!.n > 0) return;
      if (Date.now() > deadline) throw new Error('the standby did not start streaming within a minute');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await client.end();
  }
}
