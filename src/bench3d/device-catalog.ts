/** Phones and events as a Chinese 3D-model app would see them; weights are rough market shares. */
export const PHONE_MODELS: readonly { weight: number; value: { manufacturer: string; models: readonly string[]; os: readonly string[] } }[] = [
  { weight: 26, value: { manufacturer: 'HUAWEI', models: ['Mate 60 Pro', 'P60', 'nova 11', 'Mate X5'], os: ['HarmonyOS 3.0', 'HarmonyOS 4.0', 'HarmonyOS 4.2'] } },
  { weight: 18, value: { manufacturer: 'Apple', models: ['iPhone 13', 'iPhone 14 Pro', 'iPhone 15', 'iPhone 15 Pro Max', 'iPad Pro'], os: ['iOS 16.7', 'iOS 17.4', 'iOS 17.5', 'iOS 18.1'] } },
  { weight: 16, value: { manufacturer: 'Xiaomi', models: ['Xiaomi 14', 'Redmi K70', 'Redmi Note 13', 'Xiaomi 13 Ultra'], os: ['Android 13', 'Android 14'] } },
  { weight: 14, value: { manufacturer: 'OPPO', models: ['Find X7', 'Reno11', 'A2 Pro'], os: ['Android 13', 'Android 14'] } },
  { weight: 13, value: { manufacturer: 'vivo', models: ['X100 Pro', 'S18', 'iQOO 12'], os: ['Android 13', 'Android 14'] } },
  { weight: 9, value: { manufacturer: 'HONOR', models: ['Magic6 Pro', 'Honor 90', 'X50'], os: ['Android 13', 'Android 14'] } },
  { weight: 4, value: { manufacturer: 'Samsung', models: ['Galaxy S24', 'Galaxy Z Fold5'], os: ['Android 14'] } },
];

export const DESKTOP_SYSTEMS = ['Windows 10', 'Windows 11', 'macOS 13', 'macOS 14', 'Ubuntu 22.04'] as const;
export const BROWSERS = ['Chrome 124', 'Edge 124', 'Safari 17', 'Firefox 125', 'QQBrowser 12'] as const;

export const APP_EVENTS: readonly { weight: number; value: string }[] = [
  { weight: 30, value: 'heartbeat' },
  { weight: 18, value: 'app_open' },
  { weight: 14, value: 'model_view' },
  { weight: 8, value: 'app_close' },
  { weight: 7, value: 'login' },
  { weight: 6, value: 'model_edit' },
  { weight: 5, value: 'model_download' },
  { weight: 4, value: 'model_upload' },
  { weight: 3, value: 'share' },
  { weight: 2, value: 'logout' },
  { weight: 2, value: 'crash' },
  { weight: 1, value: 'permission_prompt' },
];

export const INTERNAL_EVENTS = ['sync_job', 'thumbnail_render', 'backup_snapshot', 'virus_scan'] as const;

export const SSID_PREFIXES = ['TP-LINK', 'ChinaNet', 'CMCC', 'MERCURY', 'HUAWEI', 'Xiaomi', 'FAST', 'Office'] as const;
export const SCREENS = ['home', 'editor', 'model_detail', 'search', 'profile', 'settings', 'share_sheet'] as const;
export const CRASHES = ['NullPointerException', 'OutOfMemoryError', 'EXC_BAD_ACCESS', 'SIGSEGV', 'ANR'] as const;
