/**
 * Dialogs (RFC 3261 §12): the state two user agents share after an
 * INVITE (or SUBSCRIBE/REFER) succeeds, and the rules for building the
 * requests that travel inside it.
 *
 * @packageDocumentation
 */
import { newTag } from './helpers';
import type { HeaderInit, SipResponse } from './message';
import { SipRequest } from './message';
import type { NameAddr } from './uri';
import { parseNameAddr } from './uri';

/**
 * ```
 *   1xx with To tag      2xx (or confirm())
 *  ---------------> Early ---------------> Confirmed
 *   2xx                |                      |
 *  --------------------+--------------------> |
 *                      | terminate()          | terminate()
 *                      V                      V
 *                   Terminated <--------------+
 * ```
 */
export enum DialogState {
  Early = 'Early',
  Confirmed = 'Confirmed',
  Terminated = 'Terminated',
}

const DIALOG_TABLE: Readonly<Record<DialogState, readonly DialogState[]>> = {
  [DialogState.Early]: [DialogState.Confirmed, DialogState.Terminated],
  [DialogState.Confirmed]: [DialogState.Terminated],
  [DialogState.Terminated]: [],
};

/** Dialog identifier from the local point of view (§12). */
export interface DialogId {
  callId: string;
  localTag: string;
  remoteTag: string;
}

/** Methods whose Contact replaces the remote target (§12.2, RFC 3311, RFC 6665, RFC 3515). */
const TARGET_REFRESH = new Set(['INVITE', 'UPDATE', 'SUBSCRIBE', 'NOTIFY', 'REFER']);

/** Options of {@link Dialog.createRequest}. */
export interface InDialogRequestOptions {
  body?: string;
  contentType?: string;
  /** Extra headers; these replace any the dialog would set with the same name. */
  headers?: HeaderInit;
}

/** A stable map key for a dialog id. */
export function dialogKey(id: DialogId): string {
  return `${id.callId}\n${id.localTag}\n${id.remoteTag}`;
}

/** The id of the dialog an incoming request belongs to (we are the UAS side: local = To tag). */
export function dialogIdOfRequest(req: SipRequest): DialogId {
  return { callId: req.callId, localTag: req.to.tag ?? '', remoteTag: req.from.tag ?? '' };
}

/** The id of the dialog an incoming response belongs to (we sent the request: local = From tag). */
export function dialogIdOfResponse(res: SipResponse): DialogId {
  return { callId: res.callId, localTag: res.from.tag ?? '', remoteTag: res.to.tag ?? '' };
}

function withoutTag(addr: NameAddr): string {
  const copy = addr.clone();
  copy.tag = undefined;
  return copy.toString();
}

function contactUri(msg: SipRequest | SipResponse): string | undefined {
  return msg.contacts[0]?.uri.toString();
}

/**
 * One dialog. Create it with {@link Dialog.uas} (we answered) or
 * {@link Dialog.uac} (we sent the request); the TU keeps it in a map under
 * {@link Dialog.key}.
 */
export class Dialog {
  readonly id: DialogId;
  /** Next in-dialog request uses `localSeq + 1` (ACK and CANCEL reuse it). */
  localSeq: number;
  /** Highest CSeq seen from the peer; undefined until the peer sends a request (UAC side). */
  remoteSeq: number | undefined;
  /** Our address (From of our requests), a name-addr without tag. */
  readonly localUri: string;
  /** Peer's address (To of our requests), a name-addr without tag. */
  readonly remoteUri: string;
  /** Where in-dialog requests go: the peer's Contact URI. */
  remoteTarget: string;
  /** Our Contact URI, put on target-refresh requests we build; undefined leaves it to the caller. */
  localTarget: string | undefined;
  /** Route set in the order our requests must carry it. */
  routeSet: string[];
  /** The dialog was created over SIPS (§12.1.1). */
  readonly secure: boolean;
  /** Which side created it. */
  readonly role: 'uac' | 'uas';
  /** Called after every state change. */
  onStateChange?: (state: DialogState) => void;
  private current: DialogState;

  private constructor(init: {
    id: DialogId;
    state: DialogState;
    localSeq: number;
    remoteSeq: number | undefined;
    localUri: string;
    remoteUri: string;
    remoteTarget: string;
    localTarget: string | undefined;
    routeSet: string[];
    secure: boolean;
    role: 'uac' | 'uas';
  }) {
    this.id = init.id;
    this.current = init.state;
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.localUri = init.localUri;
    this.remoteUri = init.remoteUri;
    this.remoteTarget = init.remoteTarget;
    this.localTarget = init.localTarget;
    this.routeSet = init.routeSet;
    this.secure = init.secure;
    this.role = init.role;
  }

  /**
   * The dialog a UAS creates by answering `request` with `response` (a
   * 101–199 with To tag, or a 2xx) per §12.1.1: route set from the
   * request's Record-Route in order, remote target from its Contact.
   */
  static uas(request: SipRequest, response: SipResponse): Dialog {
    const localTag = response.to.tag;
    if (localTag === undefined) throw new Error('a dialog-creating response needs a To tag');
    return new Dialog({
      id: { callId: request.callId, localTag, remoteTag: request.from.tag ?? '' },
      state: stateFor(response),
      localSeq: 0,
      remoteSeq: request.cseq.seq,
      localUri: withoutTag(request.to),
      remoteUri: withoutTag(request.from),
      remoteTarget: contactUri(request) ?? request.from.uri.toString(),
      localTarget: contactUri(response),
      routeSet: request.getAll('Record-Route'),
      secure: request.parsedUri.scheme === 'sips',
      role: 'uas',
    });
  }

  /**
   * The dialog a UAC gets from `response` (101–199 with To tag, or 2xx) to
   * its `request` per §12.1.2: route set from the response's Record-Route
   * reversed, remote target from its Contact.
   */
  static uac(request: SipRequest, response: SipResponse): Dialog {
    const remoteTag = response.to.tag;
    if (remoteTag === undefined) throw new Error('a dialog-creating response needs a To tag');
    return new Dialog({
      id: { callId: request.callId, localTag: request.from.tag ?? newTag(), remoteTag },
      state: stateFor(response),
      localSeq: request.cseq.seq,
      remoteSeq: undefined,
      localUri: withoutTag(request.from),
      remoteUri: withoutTag(request.to),
      remoteTarget: contactUri(response) ?? request.uri,
      localTarget: contactUri(request),
      routeSet: response.getAll('Record-Route').reverse(),
      secure: request.parsedUri.scheme === 'sips',
      role: 'uac',
    });
  }

  get state(): DialogState {
    return this.current;
  }

  /** Map key of {@link id} (see {@link dialogKey}). */
  get key(): string {
    return dialogKey(this.id);
  }

  private transition(to: DialogState): void {
    if (!DIALOG_TABLE[this.current].includes(to)) {
      throw new Error(`Dialog: illegal transition ${this.current} -> ${to}`);
    }
    this.current = to;
    this.onStateChange?.(to);
  }

  /**
   * Early → Confirmed on the 2xx. For a UAC the 2xx also recomputes the
   * route set and the remote target (§13.2.2.4). Idempotent once confirmed.
   */
  confirm(response?: SipResponse): void {
    if (this.current === DialogState.Confirmed) return;
    if (response !== undefined && this.role === 'uac') {
      this.routeSet = response.getAll('Record-Route').reverse();
      this.updateRemoteTarget(response);
    }
    this.transition(DialogState.Confirmed);
  }

  /** Ends the dialog (BYE sent or received, early dialog failed). Idempotent. */
  terminate(): void {
    if (this.current !== DialogState.Terminated) this.transition(DialogState.Terminated);
  }

  /** Takes the remote target from a target-refresh request or its 2xx (re-INVITE, UPDATE). */
  updateRemoteTarget(msg: SipRequest | SipResponse): void {
    const target = contactUri(msg);
    if (target !== undefined) this.remoteTarget = target;
  }

  /**
   * Checks and records an in-dialog request from the peer (§12.2.2).
   * Returns false when its CSeq is lower than the last one (answer 500);
   * otherwise updates `remoteSeq` and, for target-refresh requests, the
   * remote target.
   */
  receiveRequest(req: SipRequest): boolean {
    const seq = req.cseq.seq;
    if (req.method === 'ACK' || req.method === 'CANCEL') return true;
    if (this.remoteSeq !== undefined && seq < this.remoteSeq) return false;
    this.remoteSeq = seq;
    if (TARGET_REFRESH.has(req.method)) this.updateRemoteTarget(req);
    return true;
  }

  /**
   * A request inside the dialog (§12.2.1.1): Request-URI and Route from the
   * remote target and route set (loose routing, or the strict-router
   * rewrite when the first route lacks `lr`), From/To with tags, Call-ID,
   * CSeq (incremented except for ACK and CANCEL), Max-Forwards 70, and our
   * Contact on target-refresh requests. The caller adds Via.
   */
  createRequest(method: string, options: InDialogRequestOptions = {}): SipRequest {
    if (this.current === DialogState.Terminated) throw new Error('the dialog is terminated');
    const seq = method === 'ACK' || method === 'CANCEL' ? this.localSeq : ++this.localSeq;
    return this.build(method, seq, options);
  }

  /** The ACK for the 2xx to the INVITE with CSeq `inviteCseq` (§13.2.2.4). */
  createAck(inviteCseq: number, options: InDialogRequestOptions = {}): SipRequest {
    return this.build('ACK', inviteCseq, options);
  }

  private build(method: string, seq: number, options: InDialogRequestOptions): SipRequest {
    let ruri = this.remoteTarget;
    let routes = this.routeSet;
    const first = routes[0];
    if (first !== undefined && !parseNameAddr(first).uri.params.has('lr')) {
      // Strict router: it goes in the Request-URI, the remote target becomes the last Route.
      const uri = parseNameAddr(first).uri;
      uri.params.delete('method');
      uri.headers.clear();
      ruri = uri.toString();
      routes = [...routes.slice(1), `<${this.remoteTarget}>`];
    }
    const req = new SipRequest(method, ruri);
    for (const route of routes) req.add('Route', route);
    req.add('Max-Forwards', '70');
    req.add('From', `${this.localUri};tag=${this.id.localTag}`);
    req.add(
      'To',
      this.id.remoteTag ? `${this.remoteUri};tag=${this.id.remoteTag}` : this.remoteUri,
    );
    req.add('Call-ID', this.id.callId);
    req.add('CSeq', `${seq} ${method}`);
    if (this.localTarget !== undefined && TARGET_REFRESH.has(method)) {
      req.add('Contact', `<${this.localTarget}>`);
    }
    if (options.body !== undefined) {
      req.body = options.body;
      if (options.contentType !== undefined) req.add('Content-Type', options.contentType);
    }
    if (options.headers !== undefined) {
      const extra = new SipRequest(method, ruri, options.headers);
      const names = new Set<string>();
      for (const [name] of extra.entries()) names.add(name);
      for (const name of names) req.set(name, extra.getAll(name));
    }
    return req;
  }
}

function stateFor(response: SipResponse): DialogState {
  if (response.status >= 200 && response.status < 300) return DialogState.Confirmed;
  if (response.status > 100 && response.status < 200) return DialogState.Early;
  throw new Error(`a ${response.status} response does not create a dialog`);
}
