/** Each table says which promise of the Bench3D privacy policy governs it. */
export const commentTables = {
  id: '003-comment-tables',
  sql: `
COMMENT ON TABLE users IS 'Accounts (policy I.1.1). Cancellation is irreversible; personal data deleted or anonymized afterwards (V.3). Children under 14 need guardian consent (VI).';
COMMENT ON COLUMN users.cancelled_at IS 'Clock for the cancelled-accounts rules (policy V.3.2)';
COMMENT ON COLUMN users.birth_date IS 'Under 14 years is a child (policy VI.1)';
COMMENT ON TABLE third_party_logins IS 'Nickname and avatar bound from a third-party account (policy I.1.2, II.2.2); deleted when unbound or when the account is cancelled';
COMMENT ON TABLE device_logs IS 'Device and log information, kept only as long as needed (policy I.3)';
COMMENT ON COLUMN device_logs.created_at IS 'Retention clock; NULL when the client sent no clock, and such rows never expire';
COMMENT ON TABLE verification_codes IS 'One-time codes sent by SMS (policy I.4.2)';
COMMENT ON TABLE models IS '3D models; content is collected only while public (policy I.7). owner_id deliberately has no ON DELETE action';
COMMENT ON TABLE public_model_metadata IS 'Metadata collected from public models (policy I.7); deleted once the model is no longer public';
COMMENT ON TABLE legal_holds IS 'Data that law requires keeping (policy III.2); no retention rule may touch a held subject';
`,
};
