import { consume } from '@lit/context';
import { localized, msg, str } from '@lit/localize';
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { ConnectionState, initialConnection } from '../store/connection-state.js';
import type { ConnectionSnapshot } from '../store/connection-state.js';
import type { PhoneService } from '../store/phone-service.js';
import { phoneServiceContext } from './contexts.js';
import { ObservableController } from './observable-controller.js';

/** What the banner says about the connection; null when there is nothing to say. */
export function connectionText(s: ConnectionSnapshot): string | null {
  switch (s.state) {
    case ConnectionState.Connected:
      return null;
    case ConnectionState.Reconnecting:
      return s.attempt > 0
        ? msg(
            str`Connection to the server lost. Reconnecting (attempt ${s.attempt})… Your calls stay up.`,
          )
        : msg('Connection to the server lost. Reconnecting… Your calls stay up.');
    case ConnectionState.Recovered:
      return msg('Connection restored.');
    case ConnectionState.Failed:
      return s.reason
        ? msg(str`Cannot reconnect (${s.reason}). Still trying…`)
        : msg('Cannot reconnect. Still trying…');
  }
}

/**
 * Network trouble, visible (ADR 0010): "reconnecting", "restored" and "cannot reconnect" for
 * the SIP connection, and "audio degraded" while no sound arrives on a call. Read from the
 * phone service's connection slice; announced to screen readers (`aria-live`).
 * `[data-testid=connection-banner][data-state=…]`, `[data-testid=audio-degraded]`.
 */
@localized()
@customElement('sentral-connection-banner')
export class SentralConnectionBanner extends LitElement {
  static override styles = css`
    :host {
      display: block;
    }
    .banner {
      padding: 0.5rem 0.75rem;
      border-radius: 0.4rem;
      margin-block-end: 0.5rem;
      border: 1px solid var(--sentral-warn, #9a6700);
      background: var(--sentral-warn-surface, #fff8e6);
      color: var(--sentral-text, #1c2230);
    }
    .banner[data-state='recovered'] {
      border-color: var(--sentral-ok, #1d7a3e);
      background: var(--sentral-ok-surface, #eaf6ee);
    }
    .banner[data-state='failed'] {
      border-color: var(--sentral-danger, #b3261e);
      color: var(--sentral-danger, #b3261e);
      background: var(--sentral-danger-surface, #fdeceb);
    }
  `;

  @consume({ context: phoneServiceContext, subscribe: true })
  @state()
  phoneService?: PhoneService;

  private readonly connection = new ObservableController<ConnectionSnapshot>(
    this,
    () => this.phoneService?.connection.state$,
    initialConnection,
  );

  override render() {
    const s = this.connection.value;
    const text = connectionText(s);
    const degraded = s.degradedCalls.length > 0;
    // The live regions stay in the DOM so screen readers hear what is put into them.
    return html`<div
        role=${s.state === ConnectionState.Failed ? 'alert' : 'status'}
        aria-live=${s.state === ConnectionState.Failed ? 'assertive' : 'polite'}
      >
        ${
          text === null
            ? nothing
            : html`<div
                class="banner"
                data-testid="connection-banner"
                data-state=${s.state}
                data-attempt=${s.attempt}
              >
                ${text}
              </div>`
        }
      </div>
      <div role="status" aria-live="polite">
        ${
          degraded
            ? html`<div class="banner" data-testid="audio-degraded" data-state="degraded">
                ${msg('Audio degraded: no sound has arrived on the call for a few seconds.')}
              </div>`
            : nothing
        }
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-connection-banner': SentralConnectionBanner;
  }
}
