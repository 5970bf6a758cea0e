/**
 * Answers a carrier's digest challenges for requests the core sends on a trunk (RFC 3261
 * §22.2–22.3, RFC 2617 qop=auth). It sits between the B2BUA and the transaction layer: a 401
 * or 407 to a request on a trunk flow is answered once by re-sending the same request object
 * with credentials, CSeq + 1 and a new branch. The request is changed in place on purpose: the
 * B2BUA keeps it as the leg's INVITE, so its CANCEL, ACK and dialog follow the request that was
 * actually sent last. The TU never sees the challenge, only what comes after it.
 */
import { randomBytes } from 'node:crypto';
import {
  computeDigestResponse,
  newBranch,
  parseDigest,
  type ClientTransaction,
  type ClientTransactionHandlers,
  type Flow,
  type SipRequest,
  type SipResponse,
  type TransactionLayer,
} from '../sip';

/** The part of the transaction layer a request sender needs. */
export type RequestSender = Pick<TransactionLayer, 'sendRequest'>;

export interface DigestCredentials {
  readonly username: string;
  readonly password: string;
}

export class DigestClient implements RequestSender {
  constructor(
    private readonly inner: RequestSender,
    /** Credentials for requests on this flow (a trunk's), or undefined to pass through. */
    private readonly credentialsFor: (flow: Flow) => DigestCredentials | undefined,
  ) {}

  sendRequest(req: SipRequest, flow: Flow, handlers: ClientTransactionHandlers): ClientTransaction {
    const credentials = req.method === 'CANCEL' ? undefined : this.credentialsFor(flow);
    if (!credentials) return this.inner.sendRequest(req, flow, handlers);
    let answered = false;
    const wrapped: ClientTransactionHandlers = {
      onResponse: (res) => {
        if (!answered && (res.status === 401 || res.status === 407)) {
          answered = true;
          if (authorize(req, res, credentials)) {
            this.inner.sendRequest(req, flow, wrapped);
            return;
          }
        }
        handlers.onResponse(res);
      },
      onTimeout: () => handlers.onTimeout(),
      onTransportError: () => handlers.onTransportError(),
    };
    return this.inner.sendRequest(req, flow, wrapped);
  }
}

/**
 * Turns `req` into its authorized retry for the challenge in `res`; false when the challenge
 * cannot be answered (not Digest, or an algorithm other than MD5/MD5-sess).
 */
export function authorize(
  req: SipRequest,
  res: SipResponse,
  credentials: DigestCredentials,
): boolean {
  const proxy = res.status === 407;
  const header = res.get(proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate');
  if (!header) return false;
  let challenge;
  try {
    challenge = parseDigest(header);
  } catch {
    return false;
  }
  const algorithm = challenge['algorithm'] ?? 'MD5';
  if (challenge.scheme.toLowerCase() !== 'digest' || !/^MD5(-sess)?$/i.test(algorithm)) {
    return false;
  }
  const realm = challenge['realm'] ?? '';
  const nonce = challenge['nonce'] ?? '';
  const qops = (challenge['qop'] ?? '').split(',').map((q) => q.trim().toLowerCase());
  const qop = qops.includes('auth') ? 'auth' : undefined;
  const cnonce = qop || /-sess$/i.test(algorithm) ? randomBytes(8).toString('hex') : undefined;
  const nc = qop ? '00000001' : undefined;
  const response = computeDigestResponse({
    username: credentials.username,
    password: credentials.password,
    realm,
    method: req.method,
    uri: req.uri,
    nonce,
    qop,
    nc,
    cnonce,
    algorithm,
  });
  const parts = [
    `username="${credentials.username}"`,
    `realm="${realm}"`,
    `nonce="${nonce}"`,
    `uri="${req.uri}"`,
    `response="${response}"`,
    `algorithm=${algorithm}`,
  ];
  if (challenge['opaque'] !== undefined) parts.push(`opaque="${challenge['opaque']}"`);
  if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce="${cnonce}"`);
  req.set(proxy ? 'Proxy-Authorization' : 'Authorization', `Digest ${parts.join(', ')}`);
  const cseq = req.cseq;
  req.set('CSeq', `${cseq.seq + 1} ${req.method}`);
  const via = req.removeFirst('Via') ?? '';
  req.prepend('Via', via.replace(/;\s*branch=[^;,\s]*/i, '') + `;branch=${newBranch()}`);
  return true;
}
