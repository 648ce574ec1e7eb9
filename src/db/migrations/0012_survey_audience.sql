-- Who a survey asks: the people of its audience on the day it opened, each with the groups they were
-- in then. Only they may answer, and their answers count in those groups, so that nobody added to
-- the directory, moved into the audience or reactivated after the survey opened can answer, nor
-- change which people a group's results are about. See src/services/surveys.rs.
-- When the audience was taken (Unix seconds); empty while the survey is scheduled.
ALTER TABLE surveys ADD COLUMN opened_at BIGINT;
-- When an admin closed the survey before its last day (Unix seconds).
ALTER TABLE surveys ADD COLUMN closed_at BIGINT;
CREATE TABLE survey_audience (
    survey_id BIGINT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    team_id BIGINT,
    track_key TEXT,
    pilot BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (survey_id, user_id)
);
CREATE INDEX survey_audience_user ON survey_audience(user_id);
