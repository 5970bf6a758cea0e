import { localized, msg } from '@lit/localize';
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { PreferencesStore } from '../store/preferences-db.js';
import { LOCALE_NAMES, chooseLocale, getLocale, isAppLocale } from './i18n.js';
import { controls } from './theme.js';

/**
 * The language switch in the header (also on the login page): each language named in its own
 * language, so a user who cannot read the current one still finds theirs. The choice applies at
 * once (the views re-render; calls stay up) and is remembered in this browser.
 */
@localized()
@customElement('sentral-language-switch')
export class SentralLanguageSwitch extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: inline-flex;
      }
      label {
        display: inline-flex;
        align-items: center;
        gap: 0.4rem;
        color: var(--sentral-text-muted, #556070);
        font-size: 0.9rem;
      }
      select {
        font: inherit;
      }
    `,
  ];

  /** Where the choice is remembered (null: only for this page). */
  @property({ attribute: false }) preferences: PreferencesStore | null = null;

  override render() {
    const current = getLocale();
    return html`<label
      >${msg('Language')}
      <select data-testid="language" @change=${this.change}>
        ${Object.entries(LOCALE_NAMES).map(
          ([code, name]) =>
            html`<option value=${code} lang=${code} ?selected=${code === current}>${name}</option>`,
        )}
      </select></label
    >`;
  }

  private readonly change = (event: Event): void => {
    const value = (event.target as HTMLSelectElement).value;
    if (isAppLocale(value)) void chooseLocale(value, this.preferences);
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-language-switch': SentralLanguageSwitch;
  }
}
