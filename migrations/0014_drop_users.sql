-- The users table was never used: callers are API keys (with an organisation and a role). Drop it and the key's link.
ALTER TABLE api_keys DROP COLUMN IF EXISTS user_id;
DROP TABLE IF EXISTS users;
