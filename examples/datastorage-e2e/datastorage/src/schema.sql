CREATE TABLE action_history (id BIGSERIAL PRIMARY KEY, action TEXT NOT NULL);
CREATE INDEX action_history_action ON action_history (action);
