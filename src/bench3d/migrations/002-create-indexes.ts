/** The indexes a real service would have: every foreign key, and every retention clock. */
export const createIndexes = {
  id: '002-create-indexes',
  sql: `
CREATE INDEX users_cancelled_at_idx ON users (cancelled_at);
CREATE INDEX users_birth_date_idx ON users (birth_date);
CREATE INDEX users_created_at_idx ON users (created_at);
CREATE INDEX users_last_login_at_idx ON users (last_login_at);

CREATE INDEX third_party_logins_user_id_idx ON third_party_logins (user_id);
CREATE INDEX third_party_logins_unbound_at_idx ON third_party_logins (unbound_at);

CREATE INDEX device_logs_created_at_idx ON device_logs (created_at);
CREATE INDEX device_logs_user_id_idx ON device_logs (user_id);

CREATE INDEX verification_codes_created_at_idx ON verification_codes (created_at);
CREATE INDEX verification_codes_expires_at_idx ON verification_codes (expires_at);
CREATE INDEX verification_codes_user_id_idx ON verification_codes (user_id);

CREATE INDEX models_owner_id_idx ON models (owner_id);
CREATE INDEX models_visibility_changed_at_idx ON models (visibility_changed_at);

CREATE INDEX public_model_metadata_model_id_idx ON public_model_metadata (model_id);

CREATE INDEX legal_holds_user_id_idx ON legal_holds (user_id);
`,
};
