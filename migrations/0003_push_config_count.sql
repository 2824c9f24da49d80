-- How many push configs a task has, kept by trigger, so that a state change of a task
-- without webhooks (nearly all of them) costs no lookup of its configs.
ALTER TABLE tasks ADD COLUMN push_configs integer NOT NULL DEFAULT 0 CHECK (push_configs >= 0);

CREATE FUNCTION app.count_push_configs() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE tasks SET push_configs = push_configs + 1 WHERE tenant_id = NEW.tenant_id AND id = NEW.task_id;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE tasks SET push_configs = greatest(push_configs - 1, 0) WHERE tenant_id = OLD.tenant_id AND id = OLD.task_id;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER task_push_configs_count
  AFTER INSERT OR DELETE ON task_push_configs
  FOR EACH ROW EXECUTE FUNCTION app.count_push_configs();
