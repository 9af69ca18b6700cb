-- The video matrix's scenes (issue 6): a layout with the cameras of its
-- tiles, saved by an operator and shared by every window (and, on
-- PostgreSQL, every console). Same schema on both engines.
CREATE TABLE video_scenes (
    name       TEXT   PRIMARY KEY,
    layout     TEXT   NOT NULL,
    -- A JSON array of camera ids, one per tile in order ("" leaves a tile empty).
    cameras    TEXT   NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT   NOT NULL
);

-- Which scenes a window rotates through, in order, and how long each stays.
-- A window without a row rotates through the catalogue's default scenes.
CREATE TABLE window_rotations (
    window_label TEXT   PRIMARY KEY,
    -- A JSON array of scene names.
    scenes       TEXT   NOT NULL,
    dwell_secs   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    updated_by   TEXT   NOT NULL
);
