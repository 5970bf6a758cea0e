/**
 * Busy-lamp fields for desk phones: SUBSCRIBE to the dialog event package (RFC 4235) for a
 * colleague, and the core NOTIFYs `application/dialog-info+xml` as their calls change — idle
 * (no dialog), ringing (an `early` dialog) or busy (a `confirmed` one). Driven by the same
 * presence the browser sees (`presence.changed` on the tenant's event stream), so lamps and
 * screens never disagree.
 */
import {
  Dialog,
  createResponse,
  newBranch,
  newTag,
  type Flow,
  type ServerTransaction,
  type SipRequest,
  type TransactionLayer,
} from '../sip';
import type { Presence } from '../../shared/switchboard';
import type { TenantEventBus } from '../events/event-bus';
import type { Callee } from '../b2bua/b2bua';
import type { Logger } from '../logger';

const MAX_EXPIRES = 3600;
const DEFAULT_EXPIRES = 3600;

interface Subscription {
  readonly dialog: Dialog;
  readonly flow: Flow;
  readonly tenantId: string;
  readonly target: Callee;
  version: number;
  timer: NodeJS.Timeout | undefined;
}

export interface DialogEventDeps {
  transactions: TransactionLayer;
  events: TenantEventBus;
  presence(userId: string): Presence | undefined;
  via(flow: Flow): string;
  contact(flow: Flow): string;
  logger: Logger;
}

/** The dialog-info document for a user's presence (no dialogs when idle, absent or offline). */
export function dialogInfo(
  entity: string,
  version: number,
  presence: Presence | undefined,
): string {
  const state = presence?.state;
  const dialog =
    state === 'busy'
      ? '  <dialog id="sentral-1"><state>confirmed</state></dialog>\r\n'
      : state === 'ringing'
        ? '  <dialog id="sentral-1" direction="recipient"><state>early</state></dialog>\r\n'
        : '';
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\r\n' +
    `<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="${version}" state="full" entity="${entity}">\r\n` +
    dialog +
    '</dialog-info>\r\n'
  );
}

export class DialogEventSubscriptions {
  readonly #subs = new Map<string, Subscription>();
  readonly #tenantListeners = new Map<string, () => void>();

  constructor(private readonly deps: DialogEventDeps) {}

  get size(): number {
    return this.#subs.size;
  }

  /** A new SUBSCRIBE (authenticated by the caller) for `target`, a user of `tenantId`. */
  subscribe(
    req: SipRequest,
    tx: ServerTransaction,
    flow: Flow,
    tenantId: string,
    target: Callee,
  ): void {
    if ((req.get('Event') ?? '').split(';')[0]?.trim().toLowerCase() !== 'dialog') {
      const res = createResponse(req, 489, 'Bad Event');
      res.set('Allow-Events', 'dialog');
      tx.respond(res);
      return;
    }
    const expires = this.#expires(req);
    const ok = createResponse(req, 200, 'OK', { toTag: newTag() });
    ok.set('Contact', this.deps.contact(flow));
    ok.set('Expires', String(expires));
    tx.respond(ok);
    const sub: Subscription = {
      dialog: Dialog.uas(req, ok),
      flow,
      tenantId,
      target,
      version: 0,
      timer: undefined,
    };
    if (expires === 0) {
      this.#notify(sub, 'terminated;reason=timeout');
      return;
    }
    this.#subs.set(keyOf(sub.dialog), sub);
    this.#listen(tenantId);
    this.#arm(sub, expires);
    this.#notify(sub, `active;expires=${expires}`);
  }

  /** An in-dialog SUBSCRIBE (refresh or unsubscribe). False when it is not one of ours. */
  refresh(req: SipRequest, tx: ServerTransaction, flow: Flow): boolean {
    const key = `${req.callId}|${req.to.tag ?? ''}|${req.from.tag ?? ''}`;
    const sub = this.#subs.get(key);
    if (!sub) return false;
    if (sub.flow !== flow || !sub.dialog.receiveRequest(req)) {
      tx.respond(createResponse(req, 403, 'Forbidden'));
      return true;
    }
    const expires = this.#expires(req);
    const ok = createResponse(req, 200, 'OK');
    ok.set('Contact', this.deps.contact(flow));
    ok.set('Expires', String(expires));
    tx.respond(ok);
    if (expires === 0) {
      this.#end(sub, 'terminated;reason=timeout');
      return true;
    }
    this.#arm(sub, expires);
    this.#notify(sub, `active;expires=${expires}`);
    return true;
  }

  /** The phone's connection closed: its subscriptions end quietly. */
  flowClosed(flow: Flow): void {
    for (const sub of [...this.#subs.values()]) {
      if (sub.flow === flow) this.#drop(sub);
    }
  }

  close(): void {
    for (const sub of [...this.#subs.values()]) this.#drop(sub);
  }

  #expires(req: SipRequest): number {
    const raw = Number(req.get('Expires') ?? DEFAULT_EXPIRES);
    return Number.isFinite(raw) && raw >= 0
      ? Math.min(Math.floor(raw), MAX_EXPIRES)
      : DEFAULT_EXPIRES;
  }

  #arm(sub: Subscription, expires: number): void {
    if (sub.timer) clearTimeout(sub.timer);
    sub.timer = setTimeout(() => this.#end(sub, 'terminated;reason=timeout'), expires * 1000);
    sub.timer.unref();
  }

  #listen(tenantId: string): void {
    if (this.#tenantListeners.has(tenantId)) return;
    const off = this.deps.events.subscribe(tenantId, (frame) => {
      if (frame.event !== 'presence.changed') return;
      const userId = (frame.data as Presence).userId;
      for (const sub of this.#subs.values()) {
        if (sub.tenantId === tenantId && sub.target.userId === userId) {
          this.#notify(sub, 'active');
        }
      }
    });
    this.#tenantListeners.set(tenantId, off);
  }

  #end(sub: Subscription, state: string): void {
    this.#notify(sub, state);
    this.#drop(sub);
  }

  #drop(sub: Subscription): void {
    if (sub.timer) clearTimeout(sub.timer);
    this.#subs.delete(keyOf(sub.dialog));
    if (![...this.#subs.values()].some((s) => s.tenantId === sub.tenantId)) {
      this.#tenantListeners.get(sub.tenantId)?.();
      this.#tenantListeners.delete(sub.tenantId);
    }
  }

  #notify(sub: Subscription, subscriptionState: string): void {
    if (sub.flow.closed) return;
    const entity = `sip:${sub.target.extension}@${sub.target.domain}`;
    const notify = sub.dialog.createRequest('NOTIFY', {
      body: dialogInfo(entity, sub.version++, this.deps.presence(sub.target.userId)),
      headers: {
        Event: 'dialog',
        'Subscription-State': subscriptionState,
        'Content-Type': 'application/dialog-info+xml',
      },
    });
    notify.prepend('Via', `${this.deps.via(sub.flow)};branch=${newBranch()}`);
    notify.set('Contact', this.deps.contact(sub.flow));
    this.deps.transactions.sendRequest(notify, sub.flow, {
      onResponse: (res) => {
        // 481: the phone forgot the subscription; stop (RFC 6665 §4.1.3).
        if (res.status === 481) this.#drop(sub);
      },
      onTimeout: () => this.#drop(sub),
      onTransportError: () => this.#drop(sub),
    });
  }
}

function keyOf(dialog: Dialog): string {
  return `${dialog.id.callId}|${dialog.id.localTag}|${dialog.id.remoteTag}`;
}
