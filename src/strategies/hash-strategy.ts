import { createHash, createHmac } from 'node:crypto';
import type { ColumnInfo } from '../catalog/types.js';
import type { StrategyDefinition } from './types.js';

/** Column types a keyed hash can be written into, and how the digest is shaped for each. */
const HASH_SHAPES = ['text', 'varchar', 'bpchar', 'int8', 'int4', 'uuid', 'bytea'] as const;
type HashShape = (typeof HASH_SHAPES)[number];

function shapeOf(column: ColumnInfo): HashShape | undefined {
  return (HASH_SHAPES as readonly string[]).includes(column.baseType) ? (column.baseType as HashShape) : undefined;
}

/**
 * `{ hash: ENV_VAR }`: HMAC-SHA256 of the value's text form, keyed with the
 * secret, computed in Node only (hashInNode). The same input gives the same
 * pseudonym across tables and runs.
 */
export const hashStrategy: StrategyDefinition<'hash'> = {
  kind: 'hash',
  fixedPoint: false,
  checkColumn: (_strategy, column) => {
    if (!shapeOf(column)) return `hash yields text (hex), bigint, integer, uuid or bytea; '${column.name}' is ${column.type}`;
    const length = /\((\d+)\)/.exec(column.type);
    if (length && Number(length[1]) < 64 && column.baseType !== 'bytea') return `hash writes 64 hex characters; '${column.name}' is ${column.type}`;
    return undefined;
  },
  toSql: () => undefined,
};

/**
 * The pseudonym, computed here in Node from the value's PostgreSQL text form:
 * the key never reaches the server (no bound parameter, no statement text, so
 * no server log, auto_explain or search_path function can see it). The output
 * is what pgcrypto's `encode(hmac(value::text, key, 'sha256'), 'hex')` gave in
 * earlier versions, so existing pseudonyms stay joinable.
 */
export function hashInNode(text: string | null, column: ColumnInfo, secret: string): string | null {
  if (text === null) return null;
  const digest = createHmac('sha256', secret).update(text, 'utf8').digest();
  const hex = digest.toString('hex');
  switch (shapeOf(column)) {
    case 'int8':
      return BigInt.asIntN(64, BigInt(`0x${hex.slice(0, 16)}`)).toString();
    case 'int4':
      return BigInt.asIntN(32, BigInt(`0x${hex.slice(0, 8)}`)).toString();
    case 'uuid':
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
    case 'bytea':
      return `\\x${hex}`;
    default:
      return hex;
  }
}

/** The fixed label the key id is an HMAC of: the id proves which key without being a hash of the key. */
const KEY_ID_LABEL = 'lethe key id v2';

/**
 * Names the key without revealing it: HMAC(key, fixed label), recorded with a
 * run so a resume cannot switch keys. Not a bare hash of the key: the id is a
 * MAC under the key, the same construction as the pseudonyms themselves.
 */
export function keyId(secret: string): string {
  return createHmac('sha256', secret).update(KEY_ID_LABEL, 'utf8').digest('hex').slice(0, 16);
}

/**
 * The id versions before 0.2 stored: an unsalted SHA-256 of the key. Only
 * compared in memory, so a checkpoint written by an older version can still
 * be resumed with the same key; never written again.
 */
export function legacyKeyId(secret: string): string {
  return createHash('sha256').update(`lethe-key-id:${secret}`).digest('hex').slice(0, 16);
}
