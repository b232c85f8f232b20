-- Validated outputs of chat-model calls, by the hash of everything the model was given (model, prompt version, input):
-- re-running a match over unchanged texts reuses the judgement instead of calling (and paying for) the model again.
CREATE TABLE model_outputs (
  input_hash text PRIMARY KEY,
  model text NOT NULL,
  prompt_version text NOT NULL,
  output jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
