/** The Bench3D tables in foreign-key order: a table only references tables before it. */
export const BENCH3D_TABLES = [
  'users',
  'third_party_logins',
  'device_logs',
  'verification_codes',
  'models',
  'public_model_metadata',
  'legal_holds',
] as const;

export type Bench3dTable = (typeof BENCH3D_TABLES)[number];
