import type { Faker } from '@faker-js/faker';
import { BROWSERS, DESKTOP_SYSTEMS, PHONE_MODELS } from './device-catalog.js';
import { randomAlphanumeric, randomDigits, randomMac, randomUuid } from './random-strings.js';

/** The identifiers one device sends with every log line. */
export interface Device {
  source: 'app' | 'web';
  manufacturer: string | null;
  model: string | null;
  osVersion: string;
  imei: string | null;
  deviceId: string;
  macAddress: string | null;
}

/** Each user has a phone, and some also use the web editor; anonymous visitors get their own pool. */
export function planDevices(faker: Faker, userCount: number): { byUser: Device[][]; anonymous: Device[] } {
  const byUser: Device[][] = [];
  for (let index = 0; index < userCount; index++) {
    const devices = [createPhone(faker)];
    if (faker.number.float() < 0.35) devices.push(createBrowser(faker));
    if (faker.number.float() < 0.1) devices.push(createPhone(faker));
    byUser.push(devices);
  }
  const anonymous = Array.from({ length: Math.max(10, Math.round(userCount / 5)) }, () =>
    faker.number.float() < 0.6 ? createPhone(faker) : createBrowser(faker),
  );
  return { byUser, anonymous };
}

function createPhone(faker: Faker): Device {
  const maker = faker.helpers.weightedArrayElement(PHONE_MODELS);
  const apple = maker.manufacturer === 'Apple';
  return {
    source: 'app',
    manufacturer: maker.manufacturer,
    model: faker.helpers.arrayElement(maker.models),
    osVersion: faker.helpers.arrayElement(maker.os),
    // iOS has not exposed the IMEI or the MAC address to apps for years.
    imei: apple ? null : createImei(faker),
    deviceId: randomUuid(faker),
    macAddress: apple ? null : randomMac(faker),
  };
}

function createBrowser(faker: Faker): Device {
  return {
    source: 'web',
    manufacturer: null,
    model: faker.helpers.arrayElement(BROWSERS),
    osVersion: faker.helpers.arrayElement(DESKTOP_SYSTEMS),
    imei: null,
    deviceId: randomAlphanumeric(faker, 32),
    macAddress: null,
  };
}

/** 14 digits and a Luhn check digit, like a real IMEI. */
export function createImei(faker: Faker): string {
  const body = randomDigits(faker, 14, { leadingZero: false });
  let sum = 0;
  for (let i = 0; i < 14; i++) {
    let digit = body.charCodeAt(i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return body + String((10 - (sum % 10)) % 10);
}
