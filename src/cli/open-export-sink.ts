import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { LetheError } from '../errors.js';
import type { ExportSink } from '../requests/stream-export.js';
import type { CommandContext } from './context.js';

export interface OpenSink {
  sink: ExportSink;
  /** Puts the finished document in place (--out: renamed from its partial file). */
  finish(): Promise<void>;
  /** Removes what a failed export left (--out: the partial file). */
  abandon(): Promise<void>;
}

/**
 * Stdout, or --out: written to `FILE.partial` readable by its owner only (it holds a
 * person's data), renamed into place when complete, so a failed export leaves no file
 * that looks whole. Both wait for the reader, so memory stays bounded.
 */
export async function openExportSink(ctx: CommandContext, out: string | undefined): Promise<OpenSink> {
  if (!out) {
    return {
      sink: {
        write: async (text) => {
          ctx.io.writeStdout(text);
          await ctx.io.drainStdout?.();
        },
      },
      finish: async () => undefined,
      abandon: async () => undefined,
    };
  }
  const partial = `${out}.partial`;
  const stream = createWriteStream(partial, { mode: 0o600 });
  const failed = (error: unknown) => new LetheError('USAGE', `--out: cannot write ${out}: ${(error as Error).message}`, { cause: error });
  try {
    await once(stream, 'open');
  } catch (error) {
    throw failed(error);
  }
  return {
    sink: {
      write: async (text) => {
        if (!stream.write(text)) await once(stream, 'drain');
      },
    },
    finish: async () => {
      try {
        await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
        await rename(partial, out);
      } catch (error) {
        throw failed(error);
      }
    },
    abandon: async () => {
      stream.destroy();
      await unlink(partial).catch(() => undefined);
    },
  };
}
