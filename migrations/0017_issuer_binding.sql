-- The issuer a tenant is bound to wins over any tenant claim. tenant_for_login used to pick
-- the tenant by the claim alone when a token carried one, so with several trusted issuers a
-- token from one of them entered a tenant bound to another by naming its slug. It now
-- returns the facts the rule needs (the issuer's own tenant, and the named tenant with its
-- binding) and the app applies the rule (src/auth/oidc/tenant-binding.ts).
DROP FUNCTION app.tenant_for_login(text, text);
CREATE FUNCTION app.tenant_for_login(p_issuer text, p_slug text)
  RETURNS TABLE (bound_id uuid, named_id uuid, named_issuer text)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  PERFORM set_config('app.auth_lookup', 'on', true);
  RETURN QUERY SELECT
    (SELECT t.id FROM tenants t WHERE t.oidc_issuer = p_issuer),
    n.id, n.oidc_issuer
    FROM (SELECT 1) one
    LEFT JOIN tenants n ON n.slug = p_slug;
  PERFORM set_config('app.auth_lookup', 'off', true);
END
$$;
REVOKE ALL ON FUNCTION app.tenant_for_login(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.tenant_for_login(text, text) TO codetether_app;
