/**
 * The server stores output a line at a time and refuses a line over its output_line_bytes
 * limit (128 KiB by default). A longer line is not dropped: it is cut into consecutive lines
 * of at most MAX_LINE_UNITS UTF-16 units, each at most 96 KiB of UTF-8 (3 bytes a unit at
 * worst), so every piece fits the default with room to spare.
 */
export const MAX_LINE_UNITS = 32_768

/** `text` as lines the server takes: itself when short enough, else its pieces in order. */
export function splitLine(text: string, max = MAX_LINE_UNITS): string[] {
  if (text.length <= max) return [text]
  const pieces: string[] = []
  let at = 0
  while (at < text.length) {
    let end = Math.min(at + max, text.length)
    // Never between the halves of a surrogate pair: a lone half is not valid Unicode, and
    // Postgres refuses it in JSON.
    const code = text.charCodeAt(end - 1)
    if (end < text.length && code >= 0xd800 && code <= 0xdbff) end--
    pieces.push(text.slice(at, end))
    at = end
  }
  return pieces
}
