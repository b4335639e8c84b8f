import { mkdir, open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LetheError } from '../errors.js';
import type { DraftFile } from './draft-rules.js';

/**
 * Writes the draft's files into `dir`, never over an existing file: every name is checked
 * first, so either all files are written or none (exit 2 naming the first that exists).
 */
export async function writeDraft(dir: string, files: DraftFile[]): Promise<string[]> {
  for (const file of files) {
    const path = join(dir, file.name);
    if (await stat(path).then(() => true, () => false)) {
      throw new LetheError('USAGE', `${path} already exists; lethe init never overwrites a file`, { hint: 'pass --out with a new folder, then merge by hand' });
    }
  }
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const file of files) {
    const path = join(dir, file.name);
    // 'wx' fails should the file appear in between: still never an overwrite.
    const handle = await open(path, 'wx');
    try {
      await handle.writeFile(file.text, 'utf8');
    } finally {
      await handle.close();
    }
    written.push(path);
  }
  return written;
}
