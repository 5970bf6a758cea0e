/**
 * In-memory fakes for element tests (these are not end-to-end tests: the real API and SIP are
 * exercised by the integrator's Playwright suite).
 */
import { ContextProvider } from '@lit/context';
import type { Context } from '@lit/context';
import { render } from 'lit';
import type { TemplateResult } from 'lit';
import { BehaviorSubject, Subject } from 'rxjs';
import type { Observable } from 'rxjs';
import type {
  CommandParams,
  CommandResult,
  CommandType,
  EventFrame,
  SessionUser,
  SipCredentials,
} from '../../src/shared/protocol.js';
import type { CallOptions, Phone, PhoneEvent } from '../../src/sip/phone.js';
import type { ApiClient, ConnectionState } from '../../src/store/api-client.js';
import { ApiCallError } from '../../src/store/api-error.js';

type Handler<T extends CommandType> = (
  params: CommandParams<T>,
) => CommandResult<T> | Promise<CommandResult<T>>;

/** An {@link ApiClient} answering from per-command handlers; unknown commands fail. */
export class FakeApiClient implements ApiClient {
  readonly sent: { type: CommandType; params: unknown }[] = [];
  readonly eventsSubject = new Subject<EventFrame>();
  readonly events$: Observable<EventFrame> = this.eventsSubject.asObservable();
  readonly connection = new BehaviorSubject<ConnectionState>('open');
  readonly connectionState$: Observable<ConnectionState> = this.connection.asObservable();
  private readonly handlers = new Map<CommandType, Handler<CommandType>>();

  on<T extends CommandType>(type: T, handler: Handler<T>): this {
    this.handlers.set(type, handler as unknown as Handler<CommandType>);
    return this;
  }

  /** Makes `type` fail with a server error. */
  fail(type: CommandType, code: ApiCallError['code'], message = 'nope'): this {
    return this.on(type, () => {
      throw new ApiCallError(
        code,
        message,
        code === 'disconnected' || code === 'timeout' ? null : { code, message },
      );
    });
  }

  async call<T extends CommandType>(type: T, params: CommandParams<T>): Promise<CommandResult<T>> {
    this.sent.push({ type, params });
    await Promise.resolve();
    const handler = this.handlers.get(type) as Handler<T> | undefined;
    if (!handler) throw new ApiCallError('unknown_command', `no fake for ${type}`);
    return handler(params);
  }
}

/** A {@link Phone} that records commands; tests push events with {@link FakePhone.emit}. */
export class FakePhone implements Phone {
  readonly subject = new Subject<PhoneEvent>();
  readonly events$: Observable<PhoneEvent> = this.subject.asObservable();
  readonly commands: string[] = [];

  emit(event: PhoneEvent): void {
    this.subject.next(event);
  }

  private record(command: string): Promise<void> {
    this.commands.push(command);
    return Promise.resolve();
  }

  register = () => this.record('register');
  unregister = () => this.record('unregister');
  call = (target: string, options?: CallOptions) =>
    this.record(options?.presentAs ? `call ${target} as ${options.presentAs}` : `call ${target}`);
  /** Commands name their call: `answer c2`, `dtmf c1 5`. */
  answer = (callId: string) => this.record(`answer ${callId}`);
  reject = (callId: string) => this.record(`reject ${callId}`);
  hangup = (callId: string) => this.record(`hangup ${callId}`);
  hold = (callId: string) => this.record(`hold ${callId}`);
  resume = (callId: string) => this.record(`resume ${callId}`);
  mute = (callId: string) => void this.record(`mute ${callId}`);
  unmute = (callId: string) => void this.record(`unmute ${callId}`);
  sendDtmf = (callId: string, digit: string) => this.record(`dtmf ${callId} ${digit}`);
  setMicrophone = (deviceId: string | null) => this.record(`microphone ${deviceId ?? 'default'}`);
  /** What {@link FakePhone.getStats} answers, by Call-ID (tests fill it). */
  readonly stats = new Map<string, RTCStatsReport>();
  getStats = (callId: string) => Promise.resolve(this.stats.get(callId) ?? null);
  dispose = () => this.record('dispose');
}

export const kari: SessionUser = {
  id: 'u1',
  tenantId: 't1',
  username: 'kari',
  displayName: 'Kari Nordmann',
  extension: '1001',
  role: 'operator',
};

export const kariSip: SipCredentials = {
  aor: 'sip:kari@sentral.invalid',
  authorizationUsername: 'kari',
  password: 'session-secret',
  displayName: 'Kari Nordmann',
  wsServer: 'ws://127.0.0.1:1/sip',
  iceServers: [],
};

export type Provided = readonly [Context<unknown, unknown>, unknown];

/**
 * Renders `template` inside a container that provides the given contexts, attached to the
 * document. Returns the first element child; call the returned `cleanup` in `afterEach`.
 */
export async function mount<E extends Element>(
  template: TemplateResult,
  provide: readonly Provided[] = [],
): Promise<{ element: E; container: HTMLElement; cleanup: () => void }> {
  const container = document.createElement('div');
  for (const [context, value] of provide) {
    const provider = new ContextProvider(container, { context, initialValue: value });
    provider.hostConnected();
  }
  document.body.append(container);
  render(template, container);
  const element = container.firstElementChild as E | null;
  if (!element) throw new Error('template rendered no element');
  await (element as unknown as { updateComplete?: Promise<unknown> }).updateComplete;
  return { element, container, cleanup: () => container.remove() };
}

/** Waits for the next frame (Lit renders in microtasks; nested elements may need two). */
export async function settle(host?: Element): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await (host as unknown as { updateComplete?: Promise<unknown> } | undefined)?.updateComplete;
    await new Promise((r) => requestAnimationFrame(() => r(undefined)));
  }
}

/** `querySelector` that pierces shadow roots (like Playwright's CSS engine). */
export function deepQuery<E extends Element = HTMLElement>(
  root: Element | ShadowRoot,
  selector: string,
): E | null {
  if (root instanceof Element && root.shadowRoot) {
    const inShadow = deepQuery<E>(root.shadowRoot, selector);
    if (inShadow) return inShadow;
  }
  const direct = root.querySelector<E>(selector);
  if (direct) return direct;
  for (const el of root.querySelectorAll('*')) {
    if (el.shadowRoot) {
      const found = deepQuery<E>(el.shadowRoot, selector);
      if (found) return found;
    }
  }
  return null;
}

export function deepQueryAll<E extends Element = HTMLElement>(
  root: Element | ShadowRoot,
  selector: string,
): E[] {
  const out: E[] = [...root.querySelectorAll<E>(selector)];
  if (root instanceof Element && root.shadowRoot)
    out.push(...deepQueryAll<E>(root.shadowRoot, selector));
  for (const el of root.querySelectorAll('*')) {
    if (el.shadowRoot) out.push(...deepQueryAll<E>(el.shadowRoot, selector));
  }
  return out;
}

/** The value, or a thrown error naming what was missing (instead of a non-null assertion). */
export function must<T>(value: T | null | undefined, what = 'value'): T {
  if (value === null || value === undefined) throw new Error(`missing ${what}`);
  return value;
}
