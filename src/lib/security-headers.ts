/**
 * What a browser may do with our replies, in one place: the API's (set by `apiSecurityHeaders`
 * on every reply of the Worker, errors and streams included) and the monitor's (its files are
 * served by Cloudflare's assets layer, which never runs the Worker, so scripts/build-ui.ts
 * renders `MONITOR_POLICY` through this same middleware into dist/ui/_headers).
 *
 * Why: a page on a sibling origin framed the approvals view under a decoy button and had an
 * admin approve a command with one click. No page of ours may be framed (`frame-ancestors
 * 'none'`, and X-Frame-Options for browsers that predate it); no reply is read as a type it does
 * not declare (nosniff); no URL of ours (task ids, return paths, an OIDC callback's code) leaks
 * to another site in a Referer (`no-referrer`: every request the monitor makes is to itself and
 * nothing here reads Referer). The rest are Hono's defaults (COOP, CORP, HSTS, …).
 */
import { secureHeaders } from 'hono/secure-headers'

type Policy = NonNullable<Parameters<typeof secureHeaders>[0]>

const NONE = ["'none'"]
const SELF = ["'self'"]

const BASE = {
  xFrameOptions: 'DENY',
  referrerPolicy: 'no-referrer',
  xContentTypeOptions: 'nosniff',
} satisfies Policy

/** An API reply is data, never a document: if one is ever opened as a page, nothing loads. */
const API_POLICY: Policy = {
  ...BASE,
  contentSecurityPolicy: { defaultSrc: NONE, frameAncestors: NONE },
}

/**
 * The monitor runs only its own bundled script and stylesheet and talks only to its own
 * origin, so markup injected into it can neither run, restyle the page nor send data away.
 * No 'unsafe-inline' anywhere: the UI has no inline script, style element or style attribute.
 */
export const MONITOR_POLICY: Policy = {
  ...BASE,
  contentSecurityPolicy: {
    defaultSrc: SELF,
    scriptSrc: SELF,
    styleSrc: SELF,
    connectSrc: SELF,
    imgSrc: SELF,
    manifestSrc: SELF,
    workerSrc: SELF,
    objectSrc: NONE,
    baseUri: NONE,
    formAction: SELF,
    frameAncestors: NONE,
  },
}

export const apiSecurityHeaders = () => secureHeaders(API_POLICY)
