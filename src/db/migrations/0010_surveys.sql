-- Pulse surveys. A response carries the groups its author was in when answering (pilot or not,
-- team, track) and never who the author is, nor when they answered; who has answered is kept
-- apart, without a time and without any link to the response. See src/services/surveys.rs.
CREATE TABLE surveys (
    id {id},
    title TEXT NOT NULL,
    intro TEXT NOT NULL DEFAULT '',
    -- JSON: {"kind":"everyone"}, {"kind":"teams","teams":[ids]} or {"kind":"tracks","tracks":[keys]}.
    audience TEXT NOT NULL,
    opens_on TEXT NOT NULL,
    -- The last day answers are taken.
    closes_on TEXT NOT NULL,
    -- 1 when an admin closed the survey before its last day.
    closed_early BIGINT NOT NULL DEFAULT 0,
    threshold BIGINT NOT NULL,
    -- Which groups stay whole when small ones are pooled: team or track.
    compare_by TEXT NOT NULL DEFAULT 'team',
    -- How many responses there are: written with each response, so that cached results know when
    -- they are stale without counting.
    responses BIGINT NOT NULL DEFAULT 0,
    -- A random name for this survey's cached results, unique across databases.
    results_key TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX surveys_closes_on ON surveys(closes_on);
CREATE TABLE survey_questions (
    id {id},
    survey_id BIGINT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    -- scale (1 to 5) or text.
    kind TEXT NOT NULL,
    prompt TEXT NOT NULL
);
CREATE INDEX survey_questions_survey ON survey_questions(survey_id, position);
-- The ids of responses and participants are random, not a sequence, and the column is spelled
-- INTEGER PRIMARY KEY on purpose: in SQLite that makes the random id the row's storage key, so
-- neither the ids nor the order rows are stored in follow the order people answered (a BIGINT key
-- would leave SQLite's hidden, increasing rowid behind). In PostgreSQL it is a 32-bit integer,
-- which is plenty for random ids retried on collision.
-- team_id has no foreign key on purpose: a response keeps the team it was given even when the team
-- is removed, so that results never change after a survey closes.
CREATE TABLE survey_responses (
    id INTEGER PRIMARY KEY,
    survey_id BIGINT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    team_id BIGINT,
    track_key TEXT,
    pilot BIGINT NOT NULL DEFAULT 0,
    -- JSON array, one value per question in order: 1 to 5, a text, or null (a text left empty).
    answers TEXT NOT NULL
);
CREATE INDEX survey_responses_survey ON survey_responses(survey_id);
CREATE TABLE survey_participants (
    id INTEGER PRIMARY KEY,
    survey_id BIGINT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    UNIQUE (survey_id, user_id)
);
CREATE INDEX survey_participants_user ON survey_participants(user_id);
