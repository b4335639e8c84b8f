/**
 * What Lethe reads before it refuses a rule folder as hostile or broken input
 * (documented in docs/rules.md). Rule files are small, reviewed configuration:
 * Bench3D's largest is under 3 KB. Parsing costs about 100 bytes of memory per
 * byte of YAML and a few hundred more per rule checked, so these bounds also
 * bound the memory `validate` can use (about 150 MB at the limits).
 */
export const RULE_FILE_LIMITS = {
  /** One rule or settings file, checked before it is read. */
  fileBytes: 256 * 1024,
  /** All files of one --rules folder together. */
  totalBytes: 1024 * 1024,
  /** Rules in all files together, counted before any rule is validated. */
  rules: 1_000,
  /** YAML alias expansions per file (billion-laughs documents stop here). */
  aliases: 100,
  /** Nested mappings and lists; a rule file needs about 8. */
  depth: 32,
} as const;

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}
