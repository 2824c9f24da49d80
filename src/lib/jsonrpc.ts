/** The JSON-RPC 2.0 envelope every JSON-RPC surface (A2A, MCP) answers errors in. */
export type RpcId = string | number | null
export type RpcResponse = {
  jsonrpc: string
  id: RpcId
  result?: unknown
  error?: { code: number; message: string; data?: unknown }
}

export const rpcError = (id: RpcId, code: number, message: string): RpcResponse => ({
  jsonrpc: '2.0',
  id,
  error: { code, message },
})

/** A request's id when it is a valid one (string or number), else null. */
export function rpcIdOf(body: unknown): RpcId {
  const id = body && typeof body === 'object' ? (body as { id?: unknown }).id : undefined
  return typeof id === 'string' || typeof id === 'number' ? id : null
}
