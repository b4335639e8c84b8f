import { FAKER_STREAMS, createSeededFaker } from './create-faker.js';
import type { CopyRow, CopyTarget } from './copy-rows.js';
import { DEVICE_LOG_COLUMNS, generateDeviceLogRows } from './generate-device-logs.js';
import { LEGAL_HOLD_COLUMNS, generateLegalHoldRows } from './generate-legal-holds.js';
import { MODEL_METADATA_COLUMNS, generateModelMetadataRows } from './generate-model-metadata.js';
import { MODEL_COLUMNS, generateModelRows, planModels } from './generate-models.js';
import { THIRD_PARTY_LOGIN_COLUMNS, generateThirdPartyLoginRows } from './generate-third-party-logins.js';
import { USER_COLUMNS, generateUserRows, planUsers } from './generate-users.js';
import { VERIFICATION_CODE_COLUMNS, generateVerificationCodeRows } from './generate-verification-codes.js';
import { planDevices } from './plan-devices.js';
import { rowCountsForScale } from './seed-counts.js';

export interface SeedTable {
  target: CopyTarget;
  /** Large tables are drawn lazily, chunk by chunk, as the loader asks for them. */
  chunks: Iterable<CopyRow[]>;
}

/**
 * Pure: (scale, seed, now) -> the tables to load, in foreign-key order. The facts every table
 * refers to (users, devices, models) are planned up front; they grow with users, not with logs.
 */
export function planSeedTables(scale: number, seed: number, now: Date): SeedTable[] {
  const counts = rowCountsForScale(scale);
  const faker = (stream: number) => createSeededFaker(seed, stream, now);
  const users = planUsers(faker(FAKER_STREAMS.userFacts), counts.users, now);
  const devices = planDevices(faker(FAKER_STREAMS.devices), users.length);
  const models = planModels(faker(FAKER_STREAMS.models), counts.models, users, now);
  return [
    { target: USER_COLUMNS, chunks: generateUserRows(faker(FAKER_STREAMS.userDetails), users, now) },
    {
      target: THIRD_PARTY_LOGIN_COLUMNS,
      chunks: generateThirdPartyLoginRows(faker(FAKER_STREAMS.thirdPartyLogins), counts.third_party_logins, users, now),
    },
    {
      target: DEVICE_LOG_COLUMNS,
      chunks: generateDeviceLogRows(faker(FAKER_STREAMS.deviceLogs), { count: counts.device_logs, now, users, devices, modelCount: models.length }),
    },
    {
      target: VERIFICATION_CODE_COLUMNS,
      chunks: generateVerificationCodeRows(faker(FAKER_STREAMS.verificationCodes), counts.verification_codes, users, now),
    },
    { target: MODEL_COLUMNS, chunks: generateModelRows(models) },
    {
      target: MODEL_METADATA_COLUMNS,
      chunks: generateModelMetadataRows(faker(FAKER_STREAMS.modelMetadata), counts.public_model_metadata, models, now),
    },
    { target: LEGAL_HOLD_COLUMNS, chunks: generateLegalHoldRows(faker(FAKER_STREAMS.legalHolds), counts.legal_holds, users, now) },
  ];
}
