/**
 * Cheap checks at the edge, before anything is parsed further or answered:
 * - WebSocket upgrades from a browser page of another origin are refused (a page elsewhere must
 *   not drive someone's logged-in session or SIP registration). Clients that send no Origin
 *   (SIP phones, Node user agents) are not browsers and pass.
 * - SIP requests from well-known scanners are dropped without an answer (answering tells them
 *   someone is here).
 */
import type { SipMessage } from '../sip/message';

/** Whether a WebSocket upgrade's Origin may connect: same host, or one of `allowed`. */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[],
): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (host !== undefined && url.host.toLowerCase() === host.toLowerCase()) return true;
  return allowed.some((a) => a.replace(/\/$/, '').toLowerCase() === url.origin.toLowerCase());
}

const SCANNERS = /friendly-scanner|sipvicious|sipcli|sip-scan|sundayddr|iWar|VaxSIPUserAgent/i;

/** A request from a known SIP scanner (by its User-Agent). */
export function isScanner(msg: SipMessage): boolean {
  if (msg.type !== 'request') return false;
  const ua = msg.get('User-Agent');
  return ua !== undefined && SCANNERS.test(ua);
}
