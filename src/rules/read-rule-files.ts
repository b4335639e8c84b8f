import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { LetheError } from '../errors.js';
import { formatBytes, RULE_FILE_LIMITS } from './rule-file-limits.js';

export interface RuleFileText {
  path: string;
  text: string;
  isSettings: boolean;
  /** Set when the file was not read (too large, not text): its text is empty. */
  refused?: { check: string; message: string };
}

/** File access as a parameter, so the loader can be tested without a disk. */
export interface FileAccess {
  isDirectory(path: string): Promise<boolean>;
  list(dir: string): Promise<string[]>;
  /** The file as UTF-8 text; throws NotTextError when it is not. */
  read(path: string): Promise<string>;
  /** Bytes on disk, asked before reading; in-memory access may leave it out. */
  size?(path: string): Promise<number>;
  exists?(path: string): Promise<boolean>;
}

export class NotTextError extends Error {}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export const nodeFileAccess: FileAccess = {
  isDirectory: async (path) => (await stat(path)).isDirectory(),
  list: (dir) => readdir(dir),
  read: async (path) => {
    const bytes = await readFile(path);
    if (bytes.includes(0)) throw new NotTextError('it contains NUL bytes');
    try {
      return utf8.decode(bytes);
    } catch {
      throw new NotTextError('it is not valid UTF-8');
    }
  },
  size: async (path) => (await stat(path)).size,
  exists: async (path) => stat(path).then((info) => info.isFile(), () => false),
};

export const SETTINGS_NAMES = ['lethe.yaml', 'lethe.yml'];

/**
 * Every *.yaml / *.yml in the folder (sorted, so output is stable), or the one
 * file given together with the lethe.yaml beside it: settings (holds above all)
 * never silently drop out because --rules names a single file.
 */
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
    : [...(await settingsBeside(target, files)), target];
  if (paths.length === 0) {
    throw new LetheError('RULES_NOT_FOUND', `--rules: no *.yaml or *.yml files in ${target}`, {
      hint: 'each data category has its own rule file; see docs/rules.md',
    });
  }
  let total = 0;
  const texts: RuleFileText[] = [];
  // One file at a time, each size checked before it is read: memory stays bounded by the limits.
  for (const path of paths) {
    const isSettings = SETTINGS_NAMES.includes(basename(path));
    const size = files.size ? await files.size(path) : 0;
    if (size > RULE_FILE_LIMITS.fileBytes) {
      texts.push({ path, text: '', isSettings, refused: { check: 'file-too-large', message: `the file is ${formatBytes(size)}; rule files are limited to ${formatBytes(RULE_FILE_LIMITS.fileBytes)} each` } });
      continue;
    }
    total += size;
    if (total > RULE_FILE_LIMITS.totalBytes) {
      texts.push({ path, text: '', isSettings, refused: { check: 'files-too-large', message: `the rule files reach ${formatBytes(total)} with this one; all rule files together are limited to ${formatBytes(RULE_FILE_LIMITS.totalBytes)}` } });
      continue;
    }
    try {
      texts.push({ path, text: await files.read(path), isSettings });
    } catch (error) {
      if (!(error instanceof NotTextError)) throw error;
      texts.push({ path, text: '', isSettings, refused: { check: 'not-text', message: `not a YAML text file: ${error.message}` } });
    }
  }
  return texts;
}

/** The settings file in the folder of a single rule file, if there is one (and it is not the file itself). */
async function settingsBeside(file: string, files: FileAccess): Promise<string[]> {
  if (SETTINGS_NAMES.includes(basename(file)) || !files.exists) return [];
  for (const name of SETTINGS_NAMES) {
    const candidate = join(dirname(file), name);
    if (await files.exists(candidate)) return [candidate];
  }
  return [];
}
