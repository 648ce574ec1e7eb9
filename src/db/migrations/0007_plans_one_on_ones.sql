-- Development plans: goals owned by the employee, tied to competencies and a target level.
-- A goal whose created_by is not its person was proposed by someone in their management chain.
-- status: not_started, in_progress, done, dropped. updated_at moves with every change to the goal,
-- its actions and its notes (the plan's "last update").
CREATE TABLE goals (
    id {id},
    person_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT,
    track_key TEXT,
    level_key TEXT,
    status TEXT NOT NULL,
    due_on TEXT,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    completed_at BIGINT
);
CREATE INDEX goals_person ON goals(person_id, status);
CREATE TABLE goal_competencies (
    goal_id BIGINT NOT NULL REFERENCES goals(id) ON DELETE CASCADE,
    competency_key TEXT NOT NULL,
    PRIMARY KEY (goal_id, competency_key)
);
CREATE TABLE goal_actions (
    id {id},
    goal_id BIGINT NOT NULL REFERENCES goals(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    due_on TEXT,
    done_at BIGINT,
    position BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX goal_actions_goal ON goal_actions(goal_id, position);
-- kind: progress (a note by the goal's owner) or comment (by someone in their management chain).
CREATE TABLE goal_notes (
    id {id},
    goal_id BIGINT NOT NULL REFERENCES goals(id) ON DELETE CASCADE,
    author_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX goal_notes_goal ON goal_notes(goal_id, id);
-- 1:1s: a series per manager and report, its meetings, their agenda, notes and action items.
-- Every series has exactly one upcoming meeting; completing it marks it held and adds the next.
CREATE TABLE one_on_one_series (
    id {id},
    manager_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    report_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    cadence_days BIGINT NOT NULL,
    started_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (manager_id, report_id)
);
CREATE INDEX one_on_one_series_report ON one_on_one_series(report_id);
-- status: upcoming or held. notes_revision counts the saves of shared_notes, so that a save made
-- from an older copy is refused instead of overwriting the other participant's words.
CREATE TABLE one_on_ones (
    id {id},
    series_id BIGINT NOT NULL REFERENCES one_on_one_series(id) ON DELETE CASCADE,
    scheduled_on TEXT NOT NULL,
    status TEXT NOT NULL,
    shared_notes TEXT NOT NULL DEFAULT '',
    notes_revision BIGINT NOT NULL DEFAULT 0,
    notes_updated_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    held_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX one_on_ones_series ON one_on_ones(series_id, status, scheduled_on);
CREATE INDEX one_on_ones_scheduled ON one_on_ones(status, scheduled_on);
-- A talking point linked to a goal or a competency makes its meeting a growth 1:1.
CREATE TABLE talking_points (
    id {id},
    meeting_id BIGINT NOT NULL REFERENCES one_on_ones(id) ON DELETE CASCADE,
    author_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    goal_id BIGINT REFERENCES goals(id) ON DELETE SET NULL,
    competency_key TEXT,
    discussed BIGINT NOT NULL DEFAULT 0,
    position BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX talking_points_meeting ON talking_points(meeting_id, position);
-- Each participant's own notes on a meeting: read by their author only, never by anyone else.
CREATE TABLE private_notes (
    meeting_id BIGINT NOT NULL REFERENCES one_on_ones(id) ON DELETE CASCADE,
    author_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (meeting_id, author_id)
);
-- Action items belong to the series: created in a meeting, shown in every later meeting until done
-- (done_in_meeting is the meeting that was upcoming when it was ticked).
CREATE TABLE action_items (
    id {id},
    series_id BIGINT NOT NULL REFERENCES one_on_one_series(id) ON DELETE CASCADE,
    meeting_id BIGINT NOT NULL REFERENCES one_on_ones(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    owner_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    due_on TEXT,
    done_at BIGINT,
    done_in_meeting BIGINT REFERENCES one_on_ones(id) ON DELETE SET NULL,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX action_items_series ON action_items(series_id, meeting_id);
