-- Pulse surveys. A response carries the groups its author was in when answering (team, track) and
-- never who the author is; who has answered is kept apart, without a time, so that the two cannot
-- be joined.
CREATE TABLE surveys (
    id {id},
    title TEXT NOT NULL,
    intro TEXT NOT NULL DEFAULT '',
    audience TEXT NOT NULL,
    opens_on TEXT NOT NULL,
    closes_on TEXT NOT NULL,
    threshold BIGINT NOT NULL,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE survey_questions (
    id {id},
    survey_id BIGINT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    kind TEXT NOT NULL,
    prompt TEXT NOT NULL
);
CREATE INDEX survey_questions_survey ON survey_questions(survey_id, position);
CREATE TABLE survey_responses (
    id {id},
    survey_id BIGINT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    team_id BIGINT,
    track_key TEXT,
    pilot BIGINT NOT NULL DEFAULT 0,
    answers TEXT NOT NULL
);
CREATE INDEX survey_responses_survey ON survey_responses(survey_id);
CREATE TABLE survey_participants (
    survey_id BIGINT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (survey_id, user_id)
);
