-- The rollout programme: readiness self-checks, the staged roadmap and the pilot.
-- A self-check is kept whole as JSON (see services::self_check::SelfCheckAnswers); every retake is a
-- new row, so earlier answers stay for comparison.
CREATE TABLE self_checks (
    id {id},
    taken_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    taken_at BIGINT NOT NULL,
    answers TEXT NOT NULL
);
CREATE INDEX self_checks_taken_at ON self_checks(taken_at);
-- One row per stage (awareness ... measuring), made with its default checklist on first use.
CREATE TABLE roadmap_stages (
    stage TEXT PRIMARY KEY,
    owner_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    starts_on TEXT,
    ends_on TEXT,
    notes TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE roadmap_items (
    id {id},
    stage TEXT NOT NULL REFERENCES roadmap_stages(stage) ON DELETE CASCADE,
    title TEXT NOT NULL,
    owner_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    due_on TEXT,
    done_at BIGINT,
    done_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    position BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX roadmap_items_stage ON roadmap_items(stage, position);
-- Who sees the Grow features: everyone, or the pilot teams (and admins) only. The pilot teams are
-- kept after the release to everyone, so that the dashboard can still compare them with the rest.
CREATE TABLE grow_release (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    audience TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE pilot_teams (
    team_id BIGINT PRIMARY KEY REFERENCES teams(id) ON DELETE CASCADE,
    added_at BIGINT NOT NULL
);
