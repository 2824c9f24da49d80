import { readFileSync } from 'node:fs'

/** A JSON-lines file's records; a line that does not parse (being written right now) is skipped. */
export function jsonLines<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as T]
      } catch {
        return []
      }
    })
}
