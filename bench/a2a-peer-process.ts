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
const stop = async () => {
  await peer.close()
  await database?.close()
  process.exit(0)
}
process.once('SIGTERM', stop)
// The parent holds our stdin: when it dies without stopping us, the pipe closes.
process.stdin.once('end', stop).resume()
console.log(`ready ${port}`)
