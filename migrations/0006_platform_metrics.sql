-- /metrics reports the platform as a whole (tasks by state, queue depth and age, workers
-- online, cron runs), which no tenant-scoped query can see. One SECURITY DEFINER function
-- returns only those aggregates. It runs as the owner, whom FORCE subjects to the policies
-- too, so the owner gets a read-only policy that holds only while this function runs.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['tasks', 'workers', 'cron_runs'] LOOP
    EXECUTE format(
      'CREATE POLICY platform_metrics ON %I FOR SELECT TO CURRENT_USER '
      'USING (current_setting(''app.platform_metrics'', true) = ''on'')', t);
  END LOOP;
END
$$;

CREATE FUNCTION app.platform_metrics(p_online_window_seconds integer) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE result jsonb;
BEGIN
  PERFORM set_config('app.platform_metrics', 'on', true);
  SELECT jsonb_build_object(
    'tasks', (SELECT coalesce(jsonb_object_agg(status, n), '{}'::jsonb)
                FROM (SELECT status, count(*) AS n FROM tasks GROUP BY status) s),
    'oldest_pending_seconds', (SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)
                                 FROM tasks WHERE status = 'submitted'),
    'workers_online', (SELECT count(*) FROM workers
                        WHERE status <> 'offline'
                          AND last_seen_at > now() - make_interval(secs => p_online_window_seconds)),
    'cron_runs', (SELECT coalesce(jsonb_object_agg(status, n), '{}'::jsonb)
                    FROM (SELECT status, count(*) AS n FROM cron_runs GROUP BY status) s)
  ) INTO result;
  PERFORM set_config('app.platform_metrics', 'off', true);
  RETURN result;
END
$$;
REVOKE ALL ON FUNCTION app.platform_metrics(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.platform_metrics(integer) TO codetether_app;
