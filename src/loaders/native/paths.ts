/**
 * Weight files are named by paths relative to the model's folder. This is the one check every such path
 * passes before anything is read: no absolute paths, drive letters, URLs, `..` segments or NUL bytes.
 * Returns the normalised path (`/` separators, no `.` segments), or throws a plain Error whose message says why.
 */
export function checkRelativePath(path: string): string {
  if (path.length === 0) throw new Error('it is empty');
  if (path.includes('\0')) throw new Error('it holds a NUL character');
  if (/^[\\/]/.test(path)) throw new Error('it is absolute; give a path relative to the model file');
  if (/^[a-zA-Z]:/.test(path)) throw new Error('it starts with a drive letter; give a path relative to the model file');
  if (path.includes(':')) throw new Error('it holds a colon (a URL or a drive?); give a path relative to the model file');
  const segments = path.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..')) throw new Error("it leaves the model's folder with '..'");
  if (segments.length === 0) throw new Error('it names no file');
  return segments.join('/');
}
