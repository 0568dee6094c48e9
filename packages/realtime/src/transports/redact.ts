/**
 * A broker URL may carry a password: errors from a client library can echo the URL or its userinfo.
 * Returns an Error whose message has the URL, its password and its username replaced.
 */
export function redactUrl(err: unknown, url: string): Error {
  const message = err instanceof Error ? err.message : String(err);
  const secrets = [url];
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') secrets.push(parsed.password, decodeURIComponent(parsed.password));
    if (parsed.username !== '') secrets.push(parsed.username, decodeURIComponent(parsed.username));
  } catch {
    // Not a URL: only the whole string is hidden.
  }
  let clean = message;
  for (const secret of secrets.sort((a, b) => b.length - a.length)) {
    if (secret.length > 0) clean = clean.split(secret).join('***');
  }
  if (clean === message && err instanceof Error) return err;
  const redacted = new Error(clean);
  if (err instanceof Error) redacted.name = err.name;
  return redacted;
}
