/**
 * Federation domain rules needed to validate configuration (federation spec §0 and FED-WS-04): auth's,
 * so configuration and the verifier of live requests cannot drift apart.
 */
import { extractDomainFromKeyId } from '@less-sync/auth';

export { canonicalizeDomain } from '@less-sync/auth';

/** The peer host named by a key id (not yet canonicalized); undefined when the key id is invalid. */
export function domainFromKeyId(keyId: string): string | undefined {
  try {
    return extractDomainFromKeyId(keyId);
  } catch {
    // Its only failure is HttpSignatureError `InvalidKeyId`.
    return undefined;
  }
}
