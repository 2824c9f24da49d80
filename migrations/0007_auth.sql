-- Auth: API keys and worker tokens, login sessions, tenant members, the audit log, and
-- tenants bound to an OIDC issuer (a Keycloak realm).
--
-- A credential is resolved before any tenant is known, so each lookup is one SECURITY
-- DEFINER function that finds exactly one row by an exact key (a SHA-256 hash, an issuer,
-- a slug). The owner is subject to the policies too (FORCE), so it gets a read-only policy
-- that holds only while such a function runs, as app.platform_metrics does.

ALTER TABLE tenants ADD COLUMN oidc_issuer text UNIQUE;
-- A tenant admin may rename the tenant, not rebind it to another identity provider.
REVOKE UPDATE ON tenants FROM codetether_app;
GRANT UPDATE (display_name, updated_at) ON tenants TO codetether_app;

-- Worker tokens live beside API keys: same hashing, same lookup, a role that only opens the
-- worker routes.
ALTER TABLE api_keys ADD COLUMN kind text NOT NULL DEFAULT 'api' CHECK (kind IN ('api', 'worker'));
ALTER TABLE api_keys ADD COLUMN role text NOT NULL DEFAULT 'member'
  CHECK (role IN ('admin', 'member', 'viewer', 'worker'));
ALTER TABLE api_keys ADD CONSTRAINT api_keys_worker_role CHECK ((kind = 'worker') = (role = 'worker'));

-- People who signed in with the identity provider: an admin lists them.
CREATE TABLE tenant_members (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  subject text NOT NULL,
  email text,
  name text,
  roles text[] NOT NULL DEFAULT '{}',
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, subject)
);

-- A login: from the password grant (upstream's session_id) or the browser's code flow (a
-- cookie whose SHA-256 is secret_hash). The refresh token is sealed with SECRETS_KEY.
CREATE TABLE auth_sessions (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  subject text NOT NULL,
  email text,
  name text,
  roles text[] NOT NULL DEFAULT '{}',
  secret_hash bytea UNIQUE CHECK (length(secret_hash) = 32),
  sealed_refresh_token text,
  device_id text,
  device_name text,
  device_type text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);

-- Security events, append-only for the app.
CREATE TABLE audit_log (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id bigint GENERATED ALWAYS AS IDENTITY,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  action text NOT NULL,
  target text,
  detail jsonb NOT NULL DEFAULT '{}',
  request_id text,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_log_recent ON audit_log (tenant_id, at DESC);
REVOKE UPDATE, DELETE ON audit_log FROM codetether_app;

-- What every tenant table gets (0001 spelled it out; new migrations call this): forced
-- row-level security and the policy on the transaction-local app.tenant_id.
CREATE FUNCTION app.isolate_tenant_tables(p_tables text[]) RETURNS void
  LANGUAGE plpgsql
  AS $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY p_tables LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %I USING (tenant_id = app.current_tenant_id()) '
      'WITH CHECK (tenant_id = app.current_tenant_id())', t);
  END LOOP;
END
$$;
REVOKE ALL ON FUNCTION app.isolate_tenant_tables(text[]) FROM PUBLIC;

SELECT app.isolate_tenant_tables(ARRAY['tenant_members', 'auth_sessions', 'audit_log']);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['tenants', 'api_keys', 'auth_sessions'] LOOP
    EXECUTE format(
      'CREATE POLICY auth_lookup ON %I FOR SELECT TO CURRENT_USER '
      'USING (current_setting(''app.auth_lookup'', true) = ''on'')', t);
  END LOOP;
END
$$;

-- An API key or worker token by the SHA-256 of its secret; live keys only. Marks it used
-- (at most once a minute, so a busy key does not write on every request).
CREATE FUNCTION app.authenticate_key(p_hash bytea)
  RETURNS TABLE (tenant_id uuid, id uuid, name text, user_id text, kind text, role text,
                 scopes text[])
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE k api_keys%ROWTYPE;
BEGIN
  PERFORM set_config('app.auth_lookup', 'on', true);
  SELECT * INTO k FROM api_keys a
   WHERE a.key_hash = p_hash AND a.revoked_at IS NULL
     AND (a.expires_at IS NULL OR a.expires_at > now());
  PERFORM set_config('app.auth_lookup', 'off', true);
  -- Not FOUND: PERFORM above has reset it.
  IF k.id IS NULL THEN RETURN; END IF;
  PERFORM set_config('app.tenant_id', k.tenant_id::text, true);
  UPDATE api_keys a SET last_used_at = now()
   WHERE a.tenant_id = k.tenant_id AND a.id = k.id
     AND (a.last_used_at IS NULL OR a.last_used_at < now() - interval '1 minute');
  PERFORM set_config('app.tenant_id', '', true);
  RETURN QUERY SELECT k.tenant_id, k.id, k.name, k.user_id, k.kind, k.role, k.scopes;
END
$$;

-- A browser session by the SHA-256 of its cookie; live sessions only.
CREATE FUNCTION app.authenticate_session(p_hash bytea)
  RETURNS TABLE (tenant_id uuid, id uuid, subject text, email text, name text, roles text[],
                 expires_at timestamptz)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  PERFORM set_config('app.auth_lookup', 'on', true);
  RETURN QUERY SELECT s.tenant_id, s.id, s.subject, s.email, s.name, s.roles, s.expires_at
    FROM auth_sessions s
   WHERE s.secret_hash = p_hash AND s.revoked_at IS NULL AND s.expires_at > now();
  PERFORM set_config('app.auth_lookup', 'off', true);
END
$$;

-- The tenant an identity provider's tokens belong to: by issuer (a Keycloak realm), or by
-- the slug a configured claim names.
CREATE FUNCTION app.tenant_for_login(p_issuer text, p_slug text)
  RETURNS uuid
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE found_id uuid;
BEGIN
  PERFORM set_config('app.auth_lookup', 'on', true);
  IF p_slug IS NULL THEN
    SELECT t.id INTO found_id FROM tenants t WHERE t.oidc_issuer = p_issuer;
  ELSE
    SELECT t.id INTO found_id FROM tenants t WHERE t.slug = p_slug;
  END IF;
  PERFORM set_config('app.auth_lookup', 'off', true);
  RETURN found_id;
END
$$;

-- The operator's view of every tenant (the operator's own permission is checked by the app).
CREATE FUNCTION app.list_tenants()
  RETURNS TABLE (id uuid, slug text, display_name text, oidc_issuer text, created_at timestamptz)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  PERFORM set_config('app.auth_lookup', 'on', true);
  RETURN QUERY SELECT t.id, t.slug, t.display_name, t.oidc_issuer, t.created_at
    FROM tenants t ORDER BY t.created_at;
  PERFORM set_config('app.auth_lookup', 'off', true);
END
$$;

-- create_tenant learns the issuer binding; the operator creates tenants through the API.
DROP FUNCTION app.create_tenant(text, text, uuid);
CREATE FUNCTION app.create_tenant(p_slug text, p_display_name text,
                                  p_id uuid DEFAULT gen_random_uuid(),
                                  p_oidc_issuer text DEFAULT NULL)
  RETURNS uuid
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  PERFORM set_config('app.tenant_id', p_id::text, true);
  INSERT INTO tenants (id, slug, display_name, oidc_issuer)
    VALUES (p_id, p_slug, p_display_name, p_oidc_issuer)
    ON CONFLICT (id) DO NOTHING;
  RETURN p_id;
END
$$;

REVOKE ALL ON FUNCTION app.authenticate_key(bytea), app.authenticate_session(bytea),
  app.tenant_for_login(text, text), app.list_tenants(),
  app.create_tenant(text, text, uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.authenticate_key(bytea), app.authenticate_session(bytea),
  app.tenant_for_login(text, text), app.list_tenants(),
  app.create_tenant(text, text, uuid, text) TO codetether_app;
