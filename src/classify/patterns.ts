/**
 * What the classifier looks for, as data: one entry per category of personal data, in
 * priority order (a column matching two categories gets the first, unless a longer
 * phrase matched the other). `lethe.yaml` `classify:` extends it (see merge-patterns.ts).
 *
 * Names are words of a column name (snake_case and camelCase parts, lower case); a phrase
 * of several words is written with underscores and matches those words in a row:
 * `device_id` matches `device_id` and `deviceId`, `phone` matches `mobile_phone`.
 */
export interface CategoryPattern {
  /** Words or phrases of a column name. */
  names: string[];
  /** Words that count only in a table that holds people (`name` in users, not in products). */
  namesInPersonTables?: string[];
  /** Words in a column's comment, any language (`手机`, `e-mail`). */
  comments?: string[];
  /** Base types that are evidence on their own: `inet`, `macaddr`. */
  types?: string[];
  /** Types a column must have for a name to count: pg_type categories (S string, N numeric, D date/time, I network, G geometric, U user) or base type names. */
  fits: string[];
  /** A regular expression (PostgreSQL `~` and JavaScript alike) that values of this kind match, for `--sample`. */
  values?: string;
}

export type PatternSet = Record<string, CategoryPattern>;

export const DEFAULT_PATTERNS: PatternSet = {
  secret: {
    names: ['password', 'passwd', 'pwd', 'password_hash', 'secret', 'token', 'access_token', 'refresh_token', 'api_key', 'apikey', 'private_key', 'salt', 'otp', 'mima', 'session_id', 'verification_code', 'sms_code', 'auth_code', 'hash'],
    comments: ['password', 'secret', 'token', '密码', '口令', '令牌'],
    fits: ['S', 'bytea'],
  },
  email: {
    names: ['email', 'e_mail', 'mail', 'email_address', 'youxiang', 'dianzi_youjian'],
    comments: ['email', 'e-mail', '邮箱', '电子邮件'],
    fits: ['S'],
    values: '^[^@[:space:]]+@[^@[:space:]]+\\.[A-Za-z]{2,}$',
  },
  phone: {
    names: ['phone', 'mobile', 'tel', 'telephone', 'cellphone', 'phone_number', 'phonenumber', 'mobileno', 'msisdn', 'fax', 'shouji', 'shoujihao', 'dianhua'],
    comments: ['phone', 'mobile', 'telephone', '手机', '电话'],
    fits: ['S', 'N'],
    values: '^\\+?[0-9][0-9 ()-]{8,17}[0-9]$',
  },
  ip: {
    names: ['ip', 'ip_address', 'ipaddress', 'ipaddr', 'ip_addr', 'remote_addr', 'x_forwarded_for'],
    comments: ['ip address', 'IP地址'],
    types: ['inet', 'cidr'],
    fits: ['S', 'I'],
    values: '^([0-9]{1,3}\\.){3}[0-9]{1,3}$|^[0-9A-Fa-f]{0,4}(:[0-9A-Fa-f]{0,4}){2,7}$',
  },
  device: {
    names: ['imei', 'imsi', 'meid', 'iccid', 'mac', 'mac_address', 'macaddr', 'device_id', 'deviceid', 'device_token', 'udid', 'idfa', 'idfv', 'android_id', 'advertising_id', 'oaid', 'gaid', 'serial_number', 'user_agent', 'ssid', 'bssid', 'wlan_ssid', 'base_station', 'cell_id', 'shebei_hao'],
    comments: ['imei', 'mac address', 'device id', '设备号', '设备标识'],
    types: ['macaddr', 'macaddr8'],
    fits: ['S', 'N', 'U', 'I'],
    values: '^[0-9]{15}$|^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$',
  },
  account: {
    names: ['wechat', 'wechat_id', 'weixin', 'openid', 'open_id', 'unionid', 'union_id', 'qq', 'weibo', 'alipay', 'provider_uid', 'social_id', 'external_uid'],
    comments: ['wechat', '微信', 'openid', '第三方账号'],
    fits: ['S', 'N'],
  },
  'national-id': {
    names: ['id_card', 'idcard', 'id_number', 'national_id', 'ssn', 'passport', 'passport_no', 'shenfenzheng', 'sfz'],
    comments: ['id card', 'passport', '身份证', '护照'],
    fits: ['S'],
    values: '^[0-9]{17}[0-9Xx]$',
  },
  birth: {
    names: ['birthday', 'birth_date', 'birthdate', 'date_of_birth', 'dob', 'born_on', 'birth', 'shengri', 'chusheng_riqi'],
    comments: ['birth', '生日', '出生'],
    fits: ['D', 'S'],
  },
  geo: {
    names: ['lat', 'lng', 'lon', 'latitude', 'longitude', 'location', 'geo', 'geolocation', 'gps', 'coordinates', 'coords', 'geom', 'geog', 'geopoint', 'weizhi', 'dingwei', 'jingdu', 'weidu'],
    comments: ['latitude', 'longitude', 'location', '位置', '经度', '纬度', '定位'],
    types: ['point', 'geometry', 'geography'],
    fits: ['N', 'S', 'G', 'U'],
  },
  name: {
    names: ['first_name', 'last_name', 'full_name', 'real_name', 'firstname', 'lastname', 'fullname', 'realname', 'nickname', 'nick_name', 'display_name', 'username', 'user_name', 'surname', 'given_name', 'family_name', 'middle_name', 'contact_name', 'xingming', 'nicheng'],
    namesInPersonTables: ['name'],
    comments: ['full name', 'nickname', '姓名', '昵称', '名字'],
    fits: ['S'],
  },
  photo: {
    names: ['avatar', 'photo', 'picture', 'portrait', 'headimg', 'head_img', 'headimgurl', 'profile_image', 'profile_picture', 'selfie', 'touxiang'],
    comments: ['avatar', 'photo', '头像', '照片'],
    fits: ['S', 'U', 'bytea'],
  },
  address: {
    names: ['address', 'addr', 'street', 'street_address', 'postcode', 'post_code', 'postal_code', 'zip', 'zip_code', 'zipcode', 'dizhi', 'zhuzhi', 'youbian'],
    comments: ['address', '地址', '住址'],
    fits: ['S'],
  },
  'free-text': {
    names: ['note', 'notes', 'comment', 'comments', 'bio', 'about', 'content', 'message', 'remark', 'remarks', 'memo', 'body', 'feedback', 'beizhu', 'liuyan'],
    comments: ['free text', '备注', '留言'],
    fits: ['S'],
  },
  json: {
    names: ['profile', 'payload', 'extra', 'attributes', 'properties', 'metadata', 'meta', 'data', 'details', 'info', 'raw', 'context', 'user_data', 'ext'],
    fits: ['json', 'jsonb'],
  },
};

/**
 * A last word that says something about the thing rather than being it: `email_template`,
 * `phone_verified`, `location_type` are not personal values themselves.
 */
export const QUALIFIER_WORDS = ['template', 'count', 'type', 'status', 'verified', 'enabled', 'flag', 'format', 'kind', 'length', 'size', 'provider', 'policy', 'setting', 'settings', 'config', 'visible', 'visibility', 'prefix', 'pattern', 'country', 'consent', 'sent', 'at', 'on', 'opt', 'version', 'level', 'mode', 'id_type'];

/** Words of a table name that mark a table holding people: users, customers, members... */
export const PERSON_TABLE_WORDS = ['user', 'users', 'customer', 'customers', 'member', 'members', 'account', 'accounts', 'person', 'persons', 'people', 'employee', 'employees', 'staff', 'contact', 'contacts', 'patient', 'patients', 'student', 'students', 'client', 'clients', 'profile', 'profiles', 'subscriber', 'subscribers', 'player', 'players', 'guest', 'guests', 'yonghu', 'huiyuan', 'kehu'];
