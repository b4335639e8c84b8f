import { describe, expect, it } from 'vitest';
import { classifyColumn } from '../../../src/classify/classify-column.js';
import { mergePatterns } from '../../../src/classify/merge-patterns.js';
import type { ColumnFacts } from '../../../src/classify/types.js';

/** A column's catalog facts: text unless said otherwise. */
function column(table: string, name: string, overrides: Partial<ColumnFacts> = {}): ColumnFacts {
  return { table, schema: 'public', column: name, type: 'text', category: 'S', baseType: 'text', comment: undefined, notNull: false, ...overrides };
}

const category = (facts: ColumnFacts, options = {}) => classifyColumn(facts, options)?.category;

describe('classifyColumn', () => {
  it('reads names in several conventions and languages', () => {
    expect(category(column('orders', 'mobile_no'))).toBe('phone');
    expect(category(column('orders', 'contactPhone'))).toBe('phone');
    expect(category(column('orders', 'shouji'))).toBe('phone');
    expect(category(column('orders', 'dianhua'))).toBe('phone');
    expect(category(column('orders', 'mail'))).toBe('email');
    expect(category(column('orders', 'youxiang'))).toBe('email');
    expect(category(column('members', 'xingming'))).toBe('name');
    expect(category(column('orders', 'dizhi'))).toBe('address');
    expect(category(column('members', 'shengri', { type: 'date', category: 'D', baseType: 'date' }))).toBe('birth');
    expect(category(column('members', 'dob', { type: 'date', category: 'D', baseType: 'date' }))).toBe('birth');
    expect(category(column('sessions', 'client_ip'))).toBe('ip');
    expect(category(column('devices', 'imei_code'))).toBe('device');
    expect(category(column('users', 'password_hash'))).toBe('secret');
    expect(category(column('checkins', 'lat', { type: 'numeric', category: 'N', baseType: 'numeric' }))).toBe('geo');
    expect(category(column('tickets', 'remark'))).toBe('free-text');
    expect(category(column('users', 'profile', { type: 'jsonb', category: 'U', baseType: 'jsonb' }))).toBe('json');
  });

  it('prefers the longer phrase: ip_address is an ip, mac_address a device, device_token a device', () => {
    expect(category(column('t', 'ip_address'))).toBe('ip');
    expect(category(column('t', 'mac_address'))).toBe('device');
    expect(category(column('t', 'device_token'))).toBe('device');
    expect(category(column('t', 'email_address'))).toBe('email');
  });

  it('takes the type as evidence on its own: inet, macaddr', () => {
    const found = classifyColumn(column('t', 'origin', { type: 'inet', category: 'I', baseType: 'inet' }));
    expect(found).toEqual({ table: 't', column: 'origin', category: 'ip', evidence: ['type inet'] });
    expect(category(column('t', 'hw', { type: 'macaddr', category: 'U', baseType: 'macaddr' }))).toBe('device');
  });

  it('reads column comments in other languages', () => {
    expect(classifyColumn(column('orders', 'contact', { comment: '联系人手机号' }))).toMatchObject({ category: 'phone', evidence: ["comment mentions '手机'"] });
  });

  it('leaves look-alikes alone: other types, qualifiers, names only personal in person tables', () => {
    expect(category(column('users', 'email_verified', { type: 'boolean', category: 'B', baseType: 'bool' }))).toBeUndefined();
    expect(category(column('users', 'phone_verified_at', { type: 'timestamptz', category: 'D', baseType: 'timestamptz' }))).toBeUndefined();
    expect(category(column('settings', 'email_template'))).toBeUndefined();
    expect(category(column('t', 'location_type'))).toBeUndefined();
    expect(category(column('t', 'hotel_id', { type: 'bigint', category: 'N', baseType: 'int8' }))).toBeUndefined();
    expect(category(column('products', 'name'))).toBeUndefined();
    expect(category(column('customers', 'name'))).toBe('name');
    expect(category(column('t', 'config', { type: 'jsonb', category: 'U', baseType: 'jsonb' }))).toBeUndefined();
  });

  it('counts sampled matches as evidence, and a column whose values mostly match even without a telling name', () => {
    const found = classifyColumn(column('t', 'contact'), {}, { sampled: 20, matches: { phone: 18 } });
    expect(found).toEqual({ table: 't', column: 'contact', category: 'phone', evidence: ['sample: 18 of 20 values look like phone'] });
    expect(classifyColumn(column('t', 'contact'), {}, { sampled: 20, matches: { phone: 2 } })).toBeUndefined();
  });

  it('learns names, comment words and whole new categories from lethe.yaml classify:', () => {
    const options = mergePatterns({ names: { account: ['wx_openid'], 'member-card': ['vip_card'] }, comments: { phone: ['联系方式'] }, values: {}, personTables: ['kunde'] });
    expect(category(column('t', 'wx_openid'), options)).toBe('account');
    expect(category(column('t', 'vip_card_no'), options)).toBe('member-card');
    expect(category(column('t', 'reach', { comment: '联系方式' }), options)).toBe('phone');
    expect(category(column('kunde', 'name'), options)).toBe('name');
  });
});
