/** Column builders shared by the drizzle schema files. */
import { customType, timestamp, uuid } from 'drizzle-orm/pg-core'
import { hex } from '../../lib/digest'

export const bytea = customType<{ data: Uint8Array; driverData: string }>({
  dataType: () => 'bytea',
  toDriver: (bytes) => `\\x${hex(bytes)}`,
})

export const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' })
export const createdAt = () => ts('created_at').notNull().defaultNow()
export const tenantId = () => uuid('tenant_id').notNull()
