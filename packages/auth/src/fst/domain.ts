/**
 * FST-03: the form a peer domain is hashed in. Order matters and is the reference's: scheme and
 * path dropped, lowercased, trailing dots removed, then trailing `:443` removed (so
 * `example.com.:443` keeps its dot). `:80` and other ports stay.
 */
export function canonicalizeDomain(domain: string): string {
  let rest = domain;
  const scheme = rest.indexOf('://');
  if (scheme >= 0) rest = rest.slice(scheme + 3);
  const slash = rest.indexOf('/');
  if (slash >= 0) rest = rest.slice(0, slash);
  rest = rest.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());
  rest = rest.replace(/\.+$/, '');
  while (rest.endsWith(':443')) rest = rest.slice(0, -4);
  return rest;
}
