import type { Faker } from '@faker-js/faker';
import { chunkRows } from './chunk-rows.js';
import type { CopyRow, CopyTarget } from './copy-rows.js';
import { APP_EVENTS, CRASHES, INTERNAL_EVENTS, SCREENS, SSID_PREFIXES } from './device-catalog.js';
import type { Device } from './plan-devices.js';
import { YEAR_MS } from './random-time.js';
import { pickUserActiveAt, type UserProfile } from './generate-users.js';
import { randomHex, randomIpv4, randomIpv6, randomUuid } from './random-strings.js';

export const DEVICE_LOG_COLUMNS: CopyTarget = {
  table: 'device_logs',
  columns: ['id', 'user_id', 'manufacturer', 'model', 'os_version', 'imei', 'device_id', 'mac_address', 'ip', 'wlan_ssid', 'base_station', 'network_type', 'event', 'payload', 'source', 'created_at'],
};

export interface DeviceLogInputs {
  count: number;
  now: Date;
  users: readonly UserProfile[];
  devices: { byUser: Device[][]; anonymous: Device[] };
  modelCount: number;
}

/**
 * Log lines in time order (ids rise with created_at, as in a real append-only table), spread
 * evenly over the two years before now. About 0.5% have no clock and 1% come from internal jobs;
 * at least one of each whatever the scale.
 */
export function generateDeviceLogRows(faker: Faker, inputs: DeviceLogInputs): Iterable<CopyRow[]> {
  const { count, users, devices } = inputs;
  const start = inputs.now.getTime() - 2 * YEAR_MS;
  const step = (2 * YEAR_MS) / count;
  const forcedClockless = Math.floor(count / 2);
  const forcedInternal = Math.floor(count / 3);
  return chunkRows(count, (index) => {
    const t = Math.floor(start + (index + faker.number.float()) * step);
    const clock = faker.number.float() < 0.005 || index === forcedClockless ? null : new Date(t);
    if (faker.number.float() < 0.01 || index === forcedInternal) return internalRow(faker, index + 1, users, t, clock);
    const user = faker.number.float() < 0.88 ? pickUserActiveAt(faker, users, t) : null;
    const device = faker.helpers.arrayElement(user ? devices.byUser[user.id - 1]! : devices.anonymous);
    const network = device.source === 'web' ? null : faker.helpers.weightedArrayElement(NETWORKS);
    const event = faker.helpers.weightedArrayElement(APP_EVENTS);
    return [
      index + 1,
      user?.id ?? null,
      device.manufacturer,
      device.model,
      device.osVersion,
      device.imei,
      device.deviceId,
      device.macAddress,
      faker.number.float() < 0.1 ? randomIpv6(faker) : randomIpv4(faker),
      network === 'wifi' ? `${faker.helpers.arrayElement(SSID_PREFIXES)}-${randomHex(faker, 4).toUpperCase()}` : null,
      network === '4g' || network === '5g' ? `460-${faker.helpers.arrayElement(['00', '01', '11'])}-${faker.number.int({ min: 4096, max: 65535 })}-${faker.number.int({ min: 1, max: 268435455 })}` : null,
      network,
      event,
      payloadFor(faker, event, inputs.modelCount),
      device.source,
      clock,
    ];
  });
}

const NETWORKS = [
  { weight: 60, value: 'wifi' },
  { weight: 28, value: '4g' },
  { weight: 12, value: '5g' },
];

function internalRow(faker: Faker, id: number, users: readonly UserProfile[], t: number, clock: Date | null): CopyRow {
  const user = faker.number.float() < 0.3 ? pickUserActiveAt(faker, users, t) : null;
  const ip = `10.${faker.number.int({ min: 0, max: 255 })}.${faker.number.int({ min: 0, max: 255 })}.${faker.number.int({ min: 1, max: 254 })}`;
  const event = faker.helpers.arrayElement(INTERNAL_EVENTS);
  const payload = { job_id: randomUuid(faker), duration_ms: faker.number.int({ min: 20, max: 90_000 }) };
  return [id, user?.id ?? null, null, null, null, null, null, null, ip, null, null, null, event, payload, 'internal', clock];
}

function payloadFor(faker: Faker, event: string, modelCount: number): Record<string, unknown> {
  switch (event) {
    case 'heartbeat':
      return { battery: faker.number.int({ min: 5, max: 100 }), memory_mb: faker.number.int({ min: 180, max: 2400 }) };
    case 'crash':
      return { exception: faker.helpers.arrayElement(CRASHES), stack_hash: randomHex(faker, 12) };
    case 'login':
      return { method: faker.helpers.arrayElement(['sms', 'wechat', 'qq', 'weibo', 'apple', 'password']) };
    case 'model_view':
    case 'model_edit':
    case 'model_download':
    case 'model_upload':
    case 'share':
      return { model_id: faker.number.int({ min: 1, max: Math.max(1, modelCount) }), screen: faker.helpers.arrayElement(SCREENS) };
    default:
      return { screen: faker.helpers.arrayElement(SCREENS), duration_ms: faker.number.int({ min: 50, max: 600_000 }) };
  }
}
