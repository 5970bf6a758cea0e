import { msg, str } from '@lit/localize';
import { html } from 'lit';
import type { ReactiveController, ReactiveControllerHost, TemplateResult } from 'lit';
import { logger } from '../store/logger.js';

/** Loads the module that defines a view's element (a dynamic `import()`, its own chunk). */
export type ViewLoader = () => Promise<unknown>;

/** Where a view's module is: not asked for yet, on its way, defined, or failed to load. */
type LoadState = 'loading' | 'ready' | 'failed';

/**
 * Views that are not part of the switchboard route (the wall board, administration,
 * statistics, two-factor enrolment) come as chunks of their own, fetched the first time they
 * are shown. `render(key, label, view)` gives the view once its module has loaded, a short
 * loading note until then, and an alert with a retry button when the chunk could not be
 * fetched (an offline moment, a deploy that replaced the chunk), never a blank page.
 */
export class LazyViewController<K extends string> implements ReactiveController {
  private readonly states = new Map<K, LoadState>();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly loaders: () => Readonly<Record<K, ViewLoader>>,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    // Loads run to the end whether or not the host is connected: nothing to set up.
  }

  /**
   * The view for `key`: `view()` once loaded, else the loading note or the failure. The texts
   * are in the host's render: the host carries `@localized()` and `label` is in its language.
   */
  render(key: K, label: string, view: () => TemplateResult): TemplateResult {
    const state = this.states.get(key);
    if (state === 'ready') return view();
    if (state === 'failed') {
      return html`<div role="alert" class="view-failed" data-testid="view-load-failed">
        <p>${msg(str`Could not load ${label}. Check the connection and try again.`)}</p>
        <button type="button" data-testid="view-retry" @click=${() => this.retry(key)}>
          ${msg('Try again')}
        </button>
      </div>`;
    }
    if (state === undefined) this.load(key);
    return html`<p role="status" class="view-loading" data-testid="view-loading">
      ${msg(str`Loading ${label}…`)}
    </p>`;
  }

  private retry(key: K): void {
    this.load(key);
    this.host.requestUpdate();
  }

  private load(key: K): void {
    this.states.set(key, 'loading');
    this.loaders()
      [key]()
      .then(
        () => this.states.set(key, 'ready'),
        (error: unknown) => {
          logger.error(`app: cannot load the ${key} view`, error);
          this.states.set(key, 'failed');
        },
      )
      .finally(() => this.host.requestUpdate());
  }
}
