import { localized, msg } from '@lit/localize';
import { LitElement, css, html } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { SHORTCUTS, SHORTCUT_GROUPS, shortcutGroupText } from './keyboard-shortcuts.js';
import type { Shortcut } from './keyboard-shortcuts.js';
import { controls } from './theme.js';

/** The element that has focus, looking into shadow roots. */
function deepActiveElement(): HTMLElement | null {
  let active: Element | null = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active instanceof HTMLElement ? active : null;
}

/**
 * The keyboard shortcut help: a modal `<dialog>` listing every entry of {@link SHORTCUTS} by
 * group. `show()` opens it (the shell calls it on `?`) with focus on the close button; Escape
 * or the close button closes it and gives focus back to where it was. Escape is consumed here
 * so it does not also hang up a call.
 */
@localized()
@customElement('sentral-shortcuts-help')
export class SentralShortcutsHelp extends LitElement {
  static override styles = [
    controls,
    css`
      dialog {
        max-width: min(40rem, calc(100vw - 2rem));
        max-height: calc(100vh - 4rem);
        border: 1px solid var(--sentral-border, #d9dde3);
        border-radius: var(--sentral-radius, 10px);
        box-shadow: var(--sentral-shadow, 0 8px 30px rgb(0 0 0 / 20%));
        padding: 1.25rem;
        color: var(--sentral-text, #1c2230);
        background: var(--sentral-surface, #fff);
      }
      dialog::backdrop {
        background: rgb(20 25 35 / 45%);
      }
      header {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: 1rem;
      }
      h2 {
        margin: 0;
        font-size: 1.15rem;
      }
      h3 {
        margin: 1rem 0 0.4rem;
        font-size: 0.95rem;
      }
      table {
        width: 100%;
        border-collapse: collapse;
      }
      th,
      td {
        text-align: start;
        padding: 0.3rem 0.4rem;
        border-bottom: 1px solid var(--sentral-border, #d9dde3);
        vertical-align: top;
      }
      th {
        font-weight: 600;
        color: var(--sentral-text-muted, #556070);
      }
      td.key {
        white-space: nowrap;
        width: 12rem;
      }
      kbd {
        font-family: inherit;
        font-size: 0.9rem;
        padding: 0.05rem 0.4rem;
        border: 1px solid var(--sentral-border, #d9dde3);
        border-bottom-width: 2px;
        border-radius: 4px;
        background: var(--sentral-surface-2, #f8f9fb);
      }
    `,
  ];

  /** The shortcuts to list (the app's map unless a test says otherwise). */
  @property({ attribute: false }) shortcuts: readonly Shortcut[] = SHORTCUTS;

  @query('dialog') private dialog?: HTMLDialogElement;
  @query('button[data-testid=shortcuts-close]') private closeButton?: HTMLButtonElement;

  private returnFocus: HTMLElement | null = null;

  get open(): boolean {
    return this.dialog?.open ?? false;
  }

  async show(): Promise<void> {
    await this.updateComplete;
    if (!this.dialog || this.dialog.open) return;
    this.returnFocus = deepActiveElement();
    this.dialog.showModal();
    this.closeButton?.focus();
  }

  close(): void {
    if (this.dialog?.open) this.dialog.close();
  }

  override render() {
    return html`<dialog
      data-testid="shortcuts-help"
      aria-labelledby="shortcuts-title"
      @keydown=${this.onKeyDown}
      @close=${this.onClose}
    >
      <header>
        <h2 id="shortcuts-title">${msg('Keyboard shortcuts')}</h2>
        <button
          type="button"
          data-testid="shortcuts-close"
          aria-label=${msg('Close keyboard shortcuts')}
          @click=${this.close}
        >
          ${msg('Close')}
        </button>
      </header>
      ${SHORTCUT_GROUPS.map((group) => {
        const entries = this.shortcuts.filter((s) => s.group === group);
        if (entries.length === 0) return null;
        const id = `group-${group.replace(/\W+/g, '-').toLowerCase()}`;
        return html`<h3 id=${id}>${shortcutGroupText(group)}</h3>
          <table aria-labelledby=${id}>
            <thead>
              <tr>
                <th scope="col">${msg('Key')}</th>
                <th scope="col">${msg('Action')}</th>
              </tr>
            </thead>
            <tbody>
              ${entries.map(
                (s) =>
                  html`<tr data-testid="shortcut" data-action=${s.action}>
                    <td class="key"><kbd>${s.label}</kbd></td>
                    <td>${s.description}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`;
      })}
    </dialog>`;
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (event.key !== 'Escape') return;
    // Consumed: the softphone ignores a prevented Escape, so closing the help hangs up nothing.
    event.preventDefault();
    this.close();
  }

  private onClose(): void {
    const back = this.returnFocus;
    this.returnFocus = null;
    if (back?.isConnected) back.focus();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-shortcuts-help': SentralShortcutsHelp;
  }
}
