import { describe, expect, it } from 'vitest';
import { isSurrogateKey, recordedKey } from '../../../src/state/ledger-keys.js';
import { digestHead, formatHead, parseHead } from '../../../src/state/ledger.js';
import { describeStrategy } from '../../../src/strategies/describe-strategy.js';
import { keyId, legacyKeyId } from '../../../src/strategies/hash-strategy.js';

describe('keys in the ledger and reports', () => {
  it('records integer and uuid keys as they are', () => {
    expect(isSurrogateKey([{ name: 'id', type: 'bigint' }])).toBe(true);
    expect(recordedKey([{ name: 'tenant', type: 'integer' }, { name: 'id', type: 'uuid' }], ['3', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'], 'k')).toEqual(['3', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']);
  });

  it('records any other key as a digest under the database’s ledger key: stable per key, different across keys', () => {
    const key = [{ name: 'email', type: 'text' }];
    const digest = recordedKey(key, ['alice@example.com'], 'ledger-key-1');
    expect(digest).toHaveLength(1);
    expect(digest[0]).toMatch(/^hmac:[0-9a-f]{32}$/);
    expect(digest[0]).not.toContain('alice');
    expect(recordedKey(key, ['alice@example.com'], 'ledger-key-1')).toEqual(digest);
    expect(recordedKey(key, ['alice@example.com'], 'ledger-key-2')).not.toEqual(digest);
    expect(recordedKey([{ name: 'id', type: 'bigint' }, { name: 'phone', type: 'text' }], ['1', '+86138'], 'k')[0]).toMatch(/^hmac:/);
  });
});

describe('the ledger head', () => {
  it('is SEQ:HASH, parsed back exactly, and anything else is refused', () => {
    const head = { seq: 42, hash: digestHead(42, new Map([['b', 'x'], ['a', 'y']])) };
    expect(parseHead(formatHead(head))).toEqual(head);
    expect(parseHead('42:abc')).toBeUndefined();
    expect(parseHead('x:' + 'a'.repeat(64))).toBeUndefined();
  });

  it('digests every chain’s last hash, whatever the order they were read in', () => {
    expect(digestHead(5, new Map([['a', '1'], ['b', '2']]))).toBe(digestHead(5, new Map([['b', '2'], ['a', '1']])));
    expect(digestHead(5, new Map([['a', '1']]))).not.toBe(digestHead(5, new Map([['a', '1'], ['b', '2']])));
    expect(digestHead(5, new Map([['a', '1']]))).not.toBe(digestHead(6, new Map([['a', '1']])));
  });
});

describe('the pseudonym key id', () => {
  it('is an HMAC of a fixed label under the key, not the bare hash earlier versions stored', () => {
    expect(keyId('secret')).toMatch(/^[0-9a-f]{16}$/);
    expect(keyId('secret')).toBe(keyId('secret'));
    expect(keyId('secret')).not.toBe(keyId('other'));
    expect(keyId('secret')).not.toBe(legacyKeyId('secret'));
  });
});

describe('what a strategy does, in a preview', () => {
  it('is said from the rule alone', () => {
    expect(describeStrategy({ kind: 'hash', secretEnv: 'K' })).toBe('hmac');
    expect(describeStrategy({ kind: 'json-remove', keys: ['gps'] })).toBe('removes gps');
    expect(describeStrategy({ kind: 'mask', keepStart: 3, keepEnd: 2, char: '*' })).toBe('masked, keeps 3+2');
    expect(describeStrategy({ kind: 'generalize-ip', bits: 24 })).toBe('network /24');
    expect(describeStrategy({ kind: 'value', value: 'x' })).toBe('constant');
  });
});
