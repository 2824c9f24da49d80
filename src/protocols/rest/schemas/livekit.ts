import { z } from '@hono/zod-openapi'

/** A join token for a LiveKit room (`joinDetails`), with the grants of the asked role. */
export const LiveKitToken = z
  .object({
    access_token: z.string().openapi({ description: 'The JWT LiveKit accepts' }),
    join_url: z.url().openapi({ description: 'The join page, with the server and the token' }),
    expires_at: z.iso.datetime(),
    room: z.string().openapi({ description: "The room's name as the tenant knows it" }),
    identity: z.string().openapi({
      description: "The one asked for, with media:admin; otherwise the caller's own",
    }),
    name: z.string().openapi({ description: 'The name shown in the room' }),
  })
  .openapi('LiveKitToken')

// lib/errors' ErrorBody, kept inline: an app-wide error component is not this file's to name.
export const LiveKitError = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
})
