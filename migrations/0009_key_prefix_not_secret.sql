-- The prefix shown in key listings is a public id and must not be part of any secret. Keys registered from
-- ADMIN_BOOTSTRAP_KEY stored the first 8 characters of that secret as their prefix: give them a random public id.
-- Generated keys already carry a random public id ("tt_<id>_<secret>") and are left alone; every key keeps working
-- (authentication is by the SHA-256 of the whole key).
UPDATE api_keys SET prefix = substr(replace(gen_random_uuid()::text, '-', ''), 1, 8) WHERE name = 'ADMIN_BOOTSTRAP_KEY';
