/**
 * The agent API, for agents run by `codetether agent run` and imported as
 * `@codetether/agent-worker/agent`. It lives in @codetether/agent-kit, which the edge app
 * shares, so that one definition runs in both.
 */
export * from '@codetether/agent-kit'
