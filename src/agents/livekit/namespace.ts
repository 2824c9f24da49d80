/**
 * Every tenant shares the one configured LiveKit server, whose rooms are a single namespace.
 * So the server only ever sees a room under its tenant's prefix, and clients only ever see the
 * name they chose: prefixing on the way in and stripping on the way out happen here and
 * nowhere else.
 */
import { z } from 'zod'

// Any uuid Postgres stores, not only RFC 9562 ones: a tenant id is never parsed for meaning.
const TenantId = z.guid()

/**
 * `ct_<tenant id as 32 hex digits>_`: unique per tenant, of fixed length (so one tenant's
 * prefix plus any name can never equal another's), and only characters every LiveKit
 * client accepts in a room name.
 */
export function roomPrefix(tenantId: string): string {
  return `ct_${TenantId.parse(tenantId).replaceAll('-', '').toLowerCase()}_`
}

/** A room name as a client gives it (without any prefix). */
export const RoomName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\w.-]+$/, 'letters, digits, _ . - only')

/** The name LiveKit knows a tenant's room by. */
export const serverRoomName = (tenantId: string, room: string) =>
  roomPrefix(tenantId) + RoomName.parse(room)

/** The tenant's own name for a LiveKit room, or undefined when the room is not the tenant's. */
export function tenantRoomName(tenantId: string, serverName: string): string | undefined {
  const prefix = roomPrefix(tenantId)
  return serverName.startsWith(prefix) ? serverName.slice(prefix.length) : undefined
}
