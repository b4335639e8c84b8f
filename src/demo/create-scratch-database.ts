import { randomBytes } from 'node:crypto';
import { connect } from '../db/connect.js';
import { redactUrl } from '../db/redact-url.js';
import { LetheError } from '../errors.js';
import type { ThrowawayDatabase } from './start-embedded-postgres.js';

/**
 * With --db the demo runs on that server, but in a database of its own that it
 * creates now and drops afterwards: it never touches anything it did not create.
 */
export async function createScratchDatabase(serverUrl: string): Promise<ThrowawayDatabase> {
  const name = `lethe_demo_${randomBytes(5).toString('hex')}`;
  const where = redactUrl(serverUrl);
  const admin = await connect({ url: serverUrl, applicationName: 'lethe demo', maxConnections: 1 });
  try {
    await admin.raw('CREATE DATABASE ??', [name]);
  } catch (error) {
    throw new LetheError('SQL_FAILED', `cannot create the scratch database ${name} on ${where}: ${(error as Error)?.message ?? String(error)}`, {
      hint: 'the demo works in a database of its own: grant CREATEDB, or unset --db and DATABASE_URL to use an embedded server',
      cause: error,
    });
  } finally {
    await admin.destroy();
  }

  let stopping: Promise<void> | undefined;
  const drop = async () => {
    const dropper = await connect({ url: serverUrl, applicationName: 'lethe demo', maxConnections: 1 });
    try {
      await dropper.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
    } catch (error) {
      throw new LetheError('SQL_FAILED', `cannot drop the scratch database ${name} on ${where}`, {
        hint: `drop it by hand: DROP DATABASE "${name}" WITH (FORCE)`,
        cause: error,
      });
    } finally {
      await dropper.destroy();
    }
  };
  const url = withDatabase(serverUrl, name);
  return {
    url,
    description: `the scratch database ${name} on ${where}`,
    stop: () => (stopping ??= drop()),
    keep: () => [`url: ${redactUrl(url)}`, `drop it with: DROP DATABASE "${name}" WITH (FORCE)`],
  };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
