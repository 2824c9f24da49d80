-- A worker's global codebase (issue 24): on start a worker registers the user's home directory
-- as its own "global" workspace, where the tasks addressed to `global` run on it. It is a row
-- like any workspace (listed, shown, removable), one per worker: its id is `global-<worker id>`,
-- so a worker that registers again (or comes back after unregistering, which only unsets
-- worker_id) finds its own row. Two machines' home directories may share a path (/root), so a
-- global row is left out of the one-row-per-path rule that the other workspaces keep.
ALTER TABLE workspaces ADD COLUMN is_global boolean NOT NULL DEFAULT false;
DROP INDEX workspaces_path_key;
CREATE UNIQUE INDEX workspaces_path_key ON workspaces (tenant_id, path) WHERE NOT is_global;
