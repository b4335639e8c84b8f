import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { LetheError } from '../errors.js';

export interface RuleFileText {
  path: string;
  text: string;
  isSettings: boolean;
}

/** File access as a parameter, so the loader can be tested without a disk. */
export interface FileAccess {
  isDirectory(path: string): Promise<boolean>;
  list(dir: string): Promise<string[]>;
  read(path: string): Promise<string>;
}

export const nodeFileAccess: FileAccess = {
  isDirectory: async (path) => (await stat(path)).isDirectory(),
  list: (dir) => readdir(dir),
  read: (path) => readFile(path, 'utf8'),
};

const SETTINGS_NAMES = new Set(['lethe.yaml', 'lethe.yml']);

/** Every *.yaml / *.yml in the folder (sorted, so output is stable), or the one file given. */
export async function readRuleFiles(target: string, files: FileAccess = nodeFileAccess): Promise<RuleFileText[]> {
  let isDirectory: boolean;
  try {
    isDirectory = await files.isDirectory(target);
  } catch (error) {
    throw new LetheError('RULES_NOT_FOUND', `--rules: no such file or folder: ${target}`, {
      hint: 'pass --rules with the folder that holds your rule files',
      cause: error,
    });
  }
  const paths = isDirectory
    ? (await files.list(target))
        .filter((name) => ['.yaml', '.yml'].includes(extname(name)))
        .sort()
        .map((name) => join(target, name))
    : [target];
  if (paths.length === 0) {
    throw new LetheError('RULES_NOT_FOUND', `--rules: no *.yaml or *.yml files in ${target}`, {
      hint: 'each data category has its own rule file; see docs/rules.md',
    });
  }
  return Promise.all(
    paths.map(async (path) => ({ path, text: await files.read(path), isSettings: SETTINGS_NAMES.has(basename(path)) })),
  );
}
