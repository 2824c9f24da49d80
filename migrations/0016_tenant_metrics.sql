-- /metrics by tenant. One query, two callers: a tenant admin's goes through the tenant-scoped
-- handle, so RLS limits it to that tenant (security invoker); the operator's goes through
-- app.platform_tenant_metrics, which runs it as the owner under the read-only
-- platform_metrics policy of 0006, so it sees every tenant.
CREATE FUNCTION app.tenant_metrics(p_online_window_seconds integer) RETURNS jsonb
  LANGUAGE sql STABLE SET search_path = public, pg_temp
  AS $$
  SELECT jsonb_build_object(
    'tasks', (SELECT coalesce(jsonb_agg(s), '[]'::jsonb)
                FROM (SELECT tenant_id, status, count(*) AS n FROM tasks GROUP BY 1, 2) s),
    'oldest_pending', (SELECT coalesce(jsonb_agg(s), '[]'::jsonb)
                         FROM (SELECT tenant_id, extract(epoch FROM now() - min(created_at)) AS seconds
                                 FROM tasks WHERE status = 'submitted' GROUP BY 1) s),
    'workers_online', (SELECT coalesce(jsonb_agg(s), '[]'::jsonb)
                         FROM (SELECT tenant_id, count(*) AS n FROM workers
                                WHERE status <> 'offline'
                                  AND last_seen_at > now() - make_interval(secs => p_online_window_seconds)
                                GROUP BY 1) s),
    'cron_runs', (SELECT coalesce(jsonb_agg(s), '[]'::jsonb)
                    FROM (SELECT tenant_id, status, count(*) AS n FROM cron_runs GROUP BY 1, 2) s)
  )
$$;
REVOKE ALL ON FUNCTION app.tenant_metrics(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.tenant_metrics(integer) TO codetether_app;

CREATE FUNCTION app.platform_tenant_metrics(p_online_window_seconds integer) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE result jsonb;
BEGIN
  PERFORM set_config('app.platform_metrics', 'on', true);
  result := app.tenant_metrics(p_online_window_seconds);
  PERFORM set_config('app.platform_metrics', 'off', true);
  RETURN result;
END
$$;
REVOKE ALL ON FUNCTION app.platform_tenant_metrics(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.platform_tenant_metrics(integer) TO codetether_app;
