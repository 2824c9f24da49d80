/**
 * The form a workspace path is stored and compared in: POSIX, absolute, no `.`/`..`
 * segments, no repeated or trailing slashes. Windows drive paths keep their drive letter.
 * Returns undefined for something that is not an absolute path.
 */
export function normalisePath(input: string): string | undefined {
  let path = input.trim().replaceAll('\\', '/')
  let prefix = '/'
  const drive = /^([A-Za-z]):\//.exec(path)
  if (drive) {
    prefix = `${drive[1]?.toUpperCase()}:/`
    path = path.slice(3)
  } else if (!path.startsWith('/')) {
    return undefined
  }
  const out: string[] = []
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') out.pop()
    else out.push(segment)
  }
  return prefix + out.join('/')
}
