/**
 * The @a2a-js/sdk sample server as its own process, as it is deployed:
 * `node --import tsx this.ts PORT [DATABASE_URL]`. With a database URL its tasks are kept in
 * the SDK's DatabaseTaskStore there, else in memory. Prints `ready PORT` once listening.
 */
import { sdkDatabaseStore, startSdkPeer } from './a2a-peer'

const port = Number(process.argv[2])
const databaseUrl = process.argv[3]
const database = databaseUrl ? sdkDatabaseStore(databaseUrl) : undefined
const peer = await startSdkPeer(port, database?.store)
process.once('SIGTERM', async () => {
  await peer.close()
  await database?.close()
  process.exit(0)
})
console.log(`ready ${port}`)
