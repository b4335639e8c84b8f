import type { Faker } from '@faker-js/faker';

/**
 * faker's string.numeric, alphanumeric and hexadecimal draw one number and build several arrays
 * per character; at a million rows they were most of the seeder's time. These draw from the same
 * seeded faker, a few characters per draw, so values stay deterministic and an order faster.
 */
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomDigits(faker: Faker, length: number, options: { leadingZero?: boolean } = {}): string {
  let digits = options.leadingZero === false ? String(faker.number.int({ min: 1, max: 9 })) : '';
  while (digits.length < length) digits += String(faker.number.int(999_999_999)).padStart(9, '0');
  return digits.slice(0, length);
}

export function randomAlphanumeric(faker: Faker, length: number): string {
  let text = '';
  while (text.length < length) {
    // 62^5 < 2^31: five characters per draw.
    let draw = faker.number.int(916_132_831);
    for (let i = 0; i < 5; i++) {
      text += ALPHANUMERIC[draw % 62];
      draw = Math.floor(draw / 62);
    }
  }
  return text.slice(0, length);
}

export function randomHex(faker: Faker, length: number): string {
  let hex = '';
  while (hex.length < length) hex += faker.number.int(0xffffff).toString(16).padStart(6, '0');
  return hex.slice(0, length);
}

/** A version 4 UUID (random, with the version and variant bits set). */
export function randomUuid(faker: Faker): string {
  const hex = randomHex(faker, 32);
  const variant = '89ab'[faker.number.int(3)]!;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A public-looking IPv4 address (first octet 1-223, never 10 or 127). */
export function randomIpv4(faker: Faker): string {
  let first = faker.number.int({ min: 1, max: 223 });
  if (first === 10 || first === 127) first += 1;
  const rest = faker.number.int(0xffffff);
  return `${first}.${rest >>> 16}.${(rest >>> 8) & 0xff}.${rest & 0xff}`;
}

/** A global unicast address in 2000::/3, as a phone on a Chinese carrier network would have. */
export function randomIpv6(faker: Faker): string {
  const groups = [(0x2000 + faker.number.int(0x1fff)).toString(16)];
  for (let i = 1; i < 8; i++) groups.push(faker.number.int(0xffff).toString(16));
  return groups.join(':');
}

/** Six bytes, colon-separated, lower-case hex. */
export function randomMac(faker: Faker): string {
  const hex = randomHex(faker, 12);
  return hex.match(/../g)!.join(':');
}
