/** The @a2a-js/sdk sample server as its own process: `node --import tsx this.ts PORT`. */
import { startSdkPeer } from '../../bench/a2a-peer'

const port = Number(process.argv[2])
await startSdkPeer(port)
console.log(`ready ${port}`)
