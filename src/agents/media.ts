import { can } from '../auth/permissions'
import { joinDetails, liveKitOf, NOT_CONFIGURED } from './livekit/join'
import { tenantRooms } from './livekit/rooms'
import { defineAgent, done, type EdgeAgent, failed, keywordHits } from './types'

const roomName = (text: string) =>
  /\b(?:room|session|call)(?:\s+(?:info|named|called))?\s+["']?([\w-]{1,64})["']?\s*[.!?]?$/i.exec(
    text.trim(),
  )?.[1]

export const media: EdgeAgent = defineAgent({
  name: 'media',
  title: 'Media Agent',
  description: 'LiveKit rooms: create a media session, join a room, list rooms, room info.',
  skills: [
    {
      id: 'media',
      name: 'Media sessions',
      description: 'Creates LiveKit rooms and mints join tokens with per-role grants.',
      tags: ['media', 'video', 'livekit', 'voice'],
      examples: ['create media session', 'join room standup', 'list rooms', 'room info standup'],
    },
  ],
  score: (text) =>
    keywordHits(text, ['media', 'video', 'room', 'rooms', 'livekit', 'call', 'voice']) * 2,
  async handle({ text }, { platform: ctx }) {
    const s = liveKitOf(ctx.config)
    if (!s) return failed(NOT_CONFIGURED)
    const caller = ctx.principal
    // The same permission as POST /v1/livekit/token: asking an agent is no way around it.
    if (!can(caller, 'media:join')) {
      return failed('This needs the permission media:join, which your credentials do not grant.')
    }
    const rooms = tenantRooms(s, caller.tenantId)
    const lower = text.toLowerCase()
    if (/\blist\b.*\brooms?\b/.test(lower)) {
      const open = await rooms.list()
      return done(
        open.length ? `Rooms: ${open.map((r) => r.name).join(', ')}.` : 'No rooms are open.',
        { rooms: open.map((r) => ({ name: r.name, participants: r.num_participants })) },
      )
    }
    if (/\broom info\b|\binfo\b.*\broom\b|\bwho is in\b/.test(lower)) {
      const room = roomName(text)
      if (!room) return failed('Which room? Say "room info <name>".')
      const people = await rooms.participants(room)
      if (!people) return failed(`There is no room named ${room}.`)
      return done(
        `${room}: ${people.length} participant(s)${people.length ? `: ${people.map((p) => p.identity).join(', ')}` : ''}.`,
        {
          room,
          participants: people.map((p) => p.identity),
        },
      )
    }
    if (/\bjoin\b/.test(lower)) {
      const room = roomName(text)
      if (!room) return failed('Which room? Say "join room <name>".')
      const details = await joinDetails(ctx.config, s, caller, { room })
      return done(`Join ${room}: ${details.join_url}`, details)
    }
    const room = roomName(text) ?? `room-${crypto.randomUUID().slice(0, 8)}`
    await rooms.create(room)
    const details = await joinDetails(ctx.config, s, caller, { room })
    return done(`Created room ${room}. Join: ${details.join_url}`, details)
  },
})
