import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { consume } from '@lit/context';
import type { DirectoryEntry } from '../shared/protocol.js';
import type { LinesModel } from '../store/lines-model.js';
import { filterPeople, initialDirectory } from '../store/directory-model.js';
import type { DirectoryModel } from '../store/directory-model.js';
import type { PhoneService } from '../store/phone-service.js';
import { directoryModelContext, linesModelContext, phoneServiceContext } from './contexts.js';
import { select } from './observable-controller.js';
import { controls } from './theme.js';

/** Rows rendered at most (the list is not virtualized yet; search narrows it). */
const MAX_ROWS = 200;

/** Colleagues from `directory.list`, searchable, each with click-to-call on the extension. */
@customElement('sentral-directory')
export class SentralDirectory extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      .head {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: 0.75rem;
        margin-bottom: 0.75rem;
      }
      h2 {
        margin: 0;
        font-size: 1.05rem;
      }
      input[type='search'] {
        width: min(100%, 18rem);
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        border-top: 1px solid var(--sentral-border, #d9dde3);
      }
      li {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: 0.75rem;
        padding: 0.55rem 0.25rem;
        border-bottom: 1px solid var(--sentral-border, #d9dde3);
      }
      .name {
        font-weight: 600;
        overflow-wrap: anywhere;
      }
      .meta {
        font-size: 0.85rem;
        color: var(--sentral-text-muted, #556070);
        overflow-wrap: anywhere;
      }
      .ext {
        font-variant-numeric: tabular-nums;
        white-space: nowrap;
      }
      .empty {
        color: var(--sentral-text-muted, #556070);
        margin: 0.5rem 0;
      }
    `,
  ];

  @consume({ context: directoryModelContext, subscribe: true })
  directoryModel?: DirectoryModel;

  @consume({ context: phoneServiceContext, subscribe: true })
  phoneService?: PhoneService;

  @consume({ context: linesModelContext, subscribe: true })
  linesModel?: LinesModel;

  private readonly directory = select(this, () => this.directoryModel?.state$, initialDirectory);
  private readonly busy = select(this, () => this.linesModel?.busy$, false);

  @state() private query = '';

  override render() {
    const { status, people } = this.directory.value;
    const matches = filterPeople(people, this.query);
    const busy = this.busy.value;
    return html`<section aria-label="Directory">
      <div class="head">
        <h2>Colleagues</h2>
        <label class="visually-hidden" for="search">Search colleagues</label>
        <input
          id="search"
          type="search"
          placeholder="Search colleagues"
          autocomplete="off"
          .value=${this.query}
          @input=${this.onSearch}
        />
      </div>
      ${status === 'loading' ? html`<p class="empty">Loading…</p>` : nothing}
      ${status === 'error' ? html`<p class="empty">The directory could not be loaded.</p>` : nothing}
      ${
        status === 'loaded' && matches.length === 0
          ? html`<p class="empty">No one matches.</p>`
          : nothing
      }
      <ul data-testid="directory">
        ${repeat(
          matches.slice(0, MAX_ROWS),
          (p) => p.id,
          (p) => this.renderPerson(p, busy),
        )}
      </ul>
      ${
        matches.length > MAX_ROWS
          ? html`<p class="empty">Showing ${MAX_ROWS} of ${matches.length}; refine the search.</p>`
          : nothing
      }
    </section>`;
  }

  private renderPerson(person: DirectoryEntry, busy: boolean) {
    const meta = [person.title, person.department].filter(Boolean).join(' · ');
    return html`<li data-testid="directory-entry">
      <div>
        <div class="name">${person.displayName}</div>
        ${meta ? html`<div class="meta">${meta}</div>` : nothing}
      </div>
      ${
        person.extension
          ? html`<button
              type="button"
              class="ext"
              data-testid="directory-call"
              aria-label=${`Call ${person.displayName} on ${person.extension}`}
              ?disabled=${busy}
              @click=${() => this.callPerson(person)}
            >
              ☎ ${person.extension}
            </button>`
          : nothing
      }
    </li>`;
  }

  private onSearch(event: InputEvent): void {
    this.query = (event.target as HTMLInputElement).value;
  }

  private callPerson(person: DirectoryEntry): void {
    void this.phoneService?.dial(person.extension);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-directory': SentralDirectory;
  }
}
