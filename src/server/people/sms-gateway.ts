/**
 * Where text messages to mobiles go. The core ships a logging gateway (every message written to
 * the log and kept in memory — the default, and what tests read) and an HTTP gateway that POSTs
 * `{ to, from, text }` as JSON to a configured URL (SMS_GATEWAY_URL), with a timeout.
 */
import type { Logger } from '../logger';

export interface SmsMessage {
  /** E.164. */
  readonly to: string;
  /** The number shown as sender (E.164 or an extension). */
  readonly from: string;
  readonly text: string;
}

export interface SmsGateway {
  /** Resolves true when the gateway took the message. Never throws. */
  send(message: SmsMessage): Promise<boolean>;
}

export class LoggingSmsGateway implements SmsGateway {
  /** The last 100 messages, oldest first. */
  readonly sent: SmsMessage[] = [];

  constructor(private readonly logger: Logger) {}

  send(message: SmsMessage): Promise<boolean> {
    this.sent.push(message);
    if (this.sent.length > 100) this.sent.shift();
    this.logger.info('sms (logging gateway)', { to: message.to, from: message.from });
    return Promise.resolve(true);
  }
}

export class HttpSmsGateway implements SmsGateway {
  constructor(
    private readonly url: string,
    private readonly logger: Logger,
    private readonly timeoutMs = 5000,
  ) {}

  async send(message: SmsMessage): Promise<boolean> {
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!res.ok) this.logger.warn('sms gateway refused', { status: res.status });
      return res.ok;
    } catch (err) {
      this.logger.warn('sms gateway unreachable', { err: (err as Error).message });
      return false;
    }
  }
}
