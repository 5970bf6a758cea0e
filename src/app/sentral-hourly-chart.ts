import { localized, msg, str } from '@lit/localize';
import { LitElement, css, html, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';

/** Calls per hour of the day (0–23), summed over the days of a period. */
export interface HourBucket {
  readonly hour: number;
  readonly offered: number;
  readonly answered: number;
  readonly abandoned: number;
}

const WIDTH = 480;
const HEIGHT = 160;
const AXIS = 18;

/**
 * A bar chart of call volume by hour of the day: offered calls as the full bar, the answered
 * part filled. Drawn as SVG by hand (24 bars need no charting library); each bar carries a
 * title with its figures, and the same figures are in a table for screen readers.
 */
@localized()
@customElement('sentral-hourly-chart')
export class SentralHourlyChart extends LitElement {
  static override styles = css`
    :host {
      display: block;
    }
    svg {
      width: 100%;
      max-width: 40rem;
      height: auto;
    }
    .offered {
      fill: var(--sentral-border, #c9d1dc);
    }
    .answered {
      fill: var(--sentral-accent, #1f5fbf);
    }
    text {
      font-size: 9px;
      fill: var(--sentral-text-muted, #556070);
    }
    .visually-hidden {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
    }
  `;

  @property({ attribute: false }) buckets: readonly HourBucket[] = [];

  override render() {
    const byHour = Array.from({ length: 24 }, (_, hour) => {
      const b = this.buckets.find((x) => x.hour === hour);
      return b ?? { hour, offered: 0, answered: 0, abandoned: 0 };
    });
    const max = Math.max(1, ...byHour.map((b) => b.offered));
    const slot = WIDTH / 24;
    const scale = (n: number) => ((HEIGHT - AXIS) * n) / max;
    return html`<figure>
      <svg
        viewBox="0 0 ${WIDTH} ${HEIGHT}"
        role="img"
        aria-label=${msg('Calls by hour of the day')}
      >
        ${byHour.map((b) => {
          const hour = String(b.hour).padStart(2, '0');
          const x = b.hour * slot + 2;
          const w = slot - 4;
          const top = HEIGHT - AXIS;
          return svg`<g data-hour=${b.hour}>
            <title>${msg(str`${hour}:00 — ${b.offered} offered, ${b.answered} answered, ${b.abandoned} abandoned`)}</title>
            <rect class="offered" x=${x} y=${top - scale(b.offered)} width=${w} height=${scale(b.offered)}></rect>
            <rect class="answered" x=${x} y=${top - scale(b.answered)} width=${w} height=${scale(b.answered)}></rect>
            ${b.hour % 3 === 0 ? svg`<text x=${x} y=${HEIGHT - 4}>${String(b.hour).padStart(2, '0')}</text>` : ''}
          </g>`;
        })}
      </svg>
      <figcaption>${msg('Grey: offered · blue: answered. Hours in your time zone.')}</figcaption>
      <table class="visually-hidden">
        <caption>
          ${msg('Calls by hour of the day')}
        </caption>
        <thead>
          <tr>
            <th scope="col">${msg('Hour')}</th>
            <th scope="col">${msg('Offered')}</th>
            <th scope="col">${msg('Answered')}</th>
            <th scope="col">${msg('Abandoned')}</th>
          </tr>
        </thead>
        <tbody>
          ${byHour
            .filter((b) => b.offered > 0)
            .map(
              (b) =>
                html`<tr>
                  <th scope="row">${String(b.hour).padStart(2, '0')}:00</th>
                  <td>${b.offered}</td>
                  <td>${b.answered}</td>
                  <td>${b.abandoned}</td>
                </tr>`,
            )}
        </tbody>
      </table>
    </figure>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-hourly-chart': SentralHourlyChart;
  }
}
