/**
 * The error behind a failed rule, kept beside its report entry but out of the
 * JSON report (non-enumerable): `--verbose` shows its statement, SQLSTATE and
 * server hint; the report itself stays a stable contract.
 */
export function withCause<T extends object>(target: T, cause: unknown): T {
  Object.defineProperty(target, 'cause', { value: cause, enumerable: false, configurable: true });
  return target;
}

export function causeOf(target: object | undefined): unknown {
  return target ? (target as { cause?: unknown }).cause : undefined;
}
