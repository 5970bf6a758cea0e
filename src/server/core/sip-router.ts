/**
 * The core's SIP request router: what each request means to the switchboard. REGISTER goes to
 * the registrar, new INVITEs (authenticated) to the B2BUA, in-dialog requests to the dialog's
 * call; the SIP stack below knows nothing of this, the B2BUA nothing of parsing.
 */
import { createResponse, type Flow, type ServerTransaction, type SipRequest } from '../sip';
import type { DigestAuthenticator } from '../registrar/authenticator';
import type { Registrar } from '../registrar/registrar';
import type { B2bua, Party } from '../b2bua/b2bua';
import type { Switchboard } from '../switchboard/switchboard';
import { toE164 } from '../store/phone';
import type { Logger } from '../logger';
import type { People } from './people';
import { SUPPORTED_OPTION_TAGS, rejectInvalidRequest } from './request-checks';

export const ALLOWED_METHODS =
  'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, MESSAGE, NOTIFY, REFER, REGISTER';

import type { DialogEventSubscriptions } from '../people/dialog-events';
import type { Edge } from '../edge/edge';
import type { Trunks } from '../trunks/trunks';

export interface SipRouterDeps {
  people: People;
  registrar: Registrar;
  authenticator: DigestAuthenticator;
  b2bua: B2bua;
  switchboard: Switchboard;
  /** Busy-lamp subscriptions (RFC 4235); SUBSCRIBE is refused with 489 without them. */
  dialogEvents?: DialogEventSubscriptions;
  findInviteServerTransaction(cancel: SipRequest): ServerTransaction | undefined;
  /** The production edge (Kamailio): REGISTERs it authenticated are trusted (src/server/edge). */
  edge?: Edge;
  /** SIP trunks: calls from a carrier's address belong to that carrier's tenant. */
  trunks?: Pick<Trunks, 'tenantOfCarrier'>;
  logger: Logger;
  userAgent: string;
}

export class SipRouter {
  constructor(private readonly deps: SipRouterDeps) {}

  /** A request that started a new server transaction. */
  onRequest(req: SipRequest, tx: ServerTransaction, flow: Flow): void {
    if (rejectInvalidRequest(req, tx, ALLOWED_METHODS)) return;
    void this.#route(req, tx, flow).catch((err: unknown) => {
      this.deps.logger.error('request handling failed', { method: req.method, err });
      tx.respond(createResponse(req, 500, 'Server Internal Error'));
    });
  }

  /** An ACK to a 2xx (end to end, no transaction), or one that matched nothing. */
  onAck(ack: SipRequest, flow: Flow): void {
    if (ack.to.tag) this.deps.b2bua.inDialog(ack, undefined, flow);
  }

  async #route(req: SipRequest, tx: ServerTransaction, flow: Flow): Promise<void> {
    if (
      req.to.tag &&
      req.method === 'SUBSCRIBE' &&
      this.deps.dialogEvents?.refresh(req, tx, flow)
    ) {
      return;
    }
    if (req.to.tag) {
      this.deps.b2bua.inDialog(req, tx, flow);
      return;
    }
    if (req.maxForwards === 0 && req.method !== 'OPTIONS') {
      tx.respond(createResponse(req, 483, 'Too Many Hops'));
      return;
    }
    switch (req.method) {
      case 'REGISTER':
        return this.#register(req, tx, flow);
      case 'INVITE':
        return this.#invite(req, tx, flow);
      case 'CANCEL':
        this.deps.b2bua.cancel(req, tx, this.deps.findInviteServerTransaction(req));
        return;
      case 'OPTIONS': {
        const res = createResponse(req, 200);
        res.set('Allow', ALLOWED_METHODS);
        res.set('Accept', 'application/sdp');
        res.set('Supported', SUPPORTED_OPTION_TAGS.join(', '));
        res.set('Server', this.deps.userAgent);
        tx.respond(res);
        return;
      }
      case 'BYE':
      case 'INFO':
      case 'UPDATE':
      case 'PRACK':
        tx.respond(createResponse(req, 481, 'Call/Transaction Does Not Exist'));
        return;
      case 'SUBSCRIBE':
        if (this.deps.dialogEvents) return this.#subscribe(req, tx, flow, this.deps.dialogEvents);
        tx.respond(createResponse(req, 489, 'Bad Event'));
        return;
      case 'PUBLISH':
        tx.respond(createResponse(req, 489, 'Bad Event'));
        return;
      default: {
        const res = createResponse(req, 405, 'Method Not Allowed');
        res.set('Allow', ALLOWED_METHODS);
        tx.respond(res);
      }
    }
  }

  async #register(req: SipRequest, tx: ServerTransaction, flow: Flow): Promise<void> {
    const to = req.to.uri;
    const realm = to.host.toLowerCase();
    const edge = this.deps.edge;
    const asserted = edge?.assertedUser(req, flow);
    if (edge && asserted) {
      // Authenticated by the edge; the binding lives on the flow to the edge.
      const ok = asserted.user === (to.user ?? '').toLowerCase() && asserted.domain === realm;
      if (!ok || !this.deps.people.tenantByDomain(realm)) {
        tx.respond(createResponse(req, 403, 'Forbidden'));
        return;
      }
      tx.respond(this.deps.registrar.register(req, `${asserted.user}@${realm}`, edge.flow()));
      return;
    }
    const auth = this.deps.authenticator.authenticate(req, realm, false);
    if (!auth.ok) {
      tx.respond(auth.response);
      return;
    }
    const user = (to.user ?? '').toLowerCase();
    if (user !== auth.credential.username || !this.deps.people.tenantByDomain(realm)) {
      tx.respond(createResponse(req, 403, 'Forbidden'));
      return;
    }
    tx.respond(this.deps.registrar.register(req, `${user}@${realm}`, flow));
  }

  async #invite(req: SipRequest, tx: ServerTransaction, flow: Flow): Promise<void> {
    // Callers from outside the company may call its public numbers (queues, answer groups)
    // without credentials; anything else — colleagues, external numbers — needs a login.
    if (!req.has('Proxy-Authorization')) {
      const outside = await this.#outsideCaller(req, flow);
      if (outside) {
        await this.deps.switchboard.invite(req, tx, flow, outside);
        return;
      }
    }
    const sender = await this.#authenticatedUser(req, tx);
    if (!sender) return;
    const { tenant, user } = sender;
    const caller: Party = {
      kind: 'user',
      userId: user.id,
      tenantId: tenant.id,
      username: user.username,
      displayName: user.displayName,
      number: user.extension ?? user.username,
      domain: tenant.domain,
    };
    await this.deps.switchboard.invite(req, tx, flow, caller);
  }

  /**
   * The user who sent a request that needs a login (proxy digest, realm from the From host),
   * of that domain's tenant; otherwise the challenge or 403 has been answered and it is null.
   */
  async #authenticatedUser(req: SipRequest, tx: ServerTransaction) {
    const realm = req.from.uri.host.toLowerCase();
    const auth = this.deps.authenticator.authenticate(req, realm, true);
    if (!auth.ok) {
      tx.respond(auth.response);
      return null;
    }
    const tenant = this.deps.people.tenantByDomain(realm);
    const user = await this.deps.people.findByUsername(auth.credential.username);
    if (!tenant || !user || user.tenantId !== tenant.id) {
      tx.respond(createResponse(req, 403, 'Forbidden'));
      return null;
    }
    return { tenant, user };
  }

  /** A desk phone's busy-lamp SUBSCRIBE: digest-authenticated, for a colleague of the tenant. */
  async #subscribe(
    req: SipRequest,
    tx: ServerTransaction,
    flow: Flow,
    dialogEvents: DialogEventSubscriptions,
  ): Promise<void> {
    const watcher = await this.#authenticatedUser(req, tx);
    if (!watcher) return;
    const { tenant } = watcher;
    const wanted = req.parsedUri.user ?? '';
    const target = wanted ? await this.deps.people.resolveCallee(tenant.id, wanted) : null;
    if (!target) {
      tx.respond(createResponse(req, 404, 'Not Found'));
      return;
    }
    dialogEvents.subscribe(req, tx, flow, tenant.id, target);
  }

  /**
   * An unauthenticated INVITE to one of a tenant's public numbers: a caller from outside. The
   * tenant is the one whose carrier sent it (by the trunk's address), else the Request-URI's
   * domain.
   */
  async #outsideCaller(req: SipRequest, flow: Flow): Promise<Party | undefined> {
    const uri = req.parsedUri;
    const carrierTenant = this.deps.trunks?.tenantOfCarrier(flow);
    const tenant = carrierTenant
      ? this.deps.people.tenant(carrierTenant)
      : this.deps.people.tenantByDomain(uri.host.toLowerCase());
    const dialled = uri.user;
    if (!tenant || !dialled || !(await this.deps.switchboard.isPublicNumber(tenant.id, dialled))) {
      return undefined;
    }
    const from = req.from;
    const raw = from.uri.user ?? 'anonymous';
    return {
      kind: 'outside',
      tenantId: tenant.id,
      userId: null,
      username: null,
      // What the caller claims; shown as text, never trusted for anything else.
      displayName: from.displayName ? from.displayName.slice(0, 80) : null,
      number: toE164(raw) ?? raw.slice(0, 32),
      domain: tenant.domain,
    };
  }
}
