import { access, constants } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LetheError } from '../errors.js';

/** An output path whose folder cannot be written is a usage error found before anything is written. */
export async function requireWritable(path: string | undefined, flag: string): Promise<void> {
  if (!path) return;
  try {
    await access(dirname(resolve(path)), constants.W_OK);
  } catch (error) {
    throw new LetheError('USAGE', `${flag}: cannot write to the folder of ${path}`, { hint: 'create the folder or choose another path; nothing was written', cause: error });
  }
}
