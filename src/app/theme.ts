/**
 * Design tokens (CSS custom properties, set once on `sentral-app` and inherited through every
 * shadow root) and the few shared control styles.
 */
import { css } from 'lit';

export const tokens = css`
  :host {
    --sentral-font:
      system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
    --sentral-bg: #f4f5f7;
    --sentral-surface: #ffffff;
    --sentral-surface-2: #f8f9fb;
    --sentral-border: #d9dde3;
    --sentral-text: #1c2230;
    --sentral-text-muted: #556070;
    --sentral-accent: #1f5fbf;
    --sentral-accent-hover: #184d9c;
    --sentral-accent-contrast: #ffffff;
    --sentral-ok: #1d7a3e;
    --sentral-ok-hover: #166333;
    --sentral-danger: #b3261e;
    --sentral-danger-hover: #8f1e18;
    --sentral-warn: #9a6700;
    --sentral-focus: #2f6fde;
    --sentral-radius: 10px;
    --sentral-radius-small: 6px;
    --sentral-shadow: 0 1px 2px rgb(16 24 40 / 6%), 0 1px 3px rgb(16 24 40 / 10%);
    font-family: var(--sentral-font);
    color: var(--sentral-text);
  }
`;

/** Buttons, inputs and focus rings, shared by every view. */
export const controls = css`
  :host {
    font-family: var(--sentral-font, system-ui, sans-serif);
    color: var(--sentral-text, #1c2230);
  }
  button,
  input {
    font: inherit;
  }
  button {
    cursor: pointer;
    border: 1px solid var(--sentral-border, #d9dde3);
    background: var(--sentral-surface, #fff);
    color: var(--sentral-text, #1c2230);
    border-radius: var(--sentral-radius-small, 6px);
    padding: 0.5rem 0.9rem;
    min-height: 2.5rem;
  }
  button:hover:not(:disabled) {
    background: var(--sentral-surface-2, #f8f9fb);
  }
  button:disabled {
    cursor: not-allowed;
    opacity: 0.55;
  }
  button.primary {
    background: var(--sentral-accent, #1f5fbf);
    border-color: var(--sentral-accent, #1f5fbf);
    color: var(--sentral-accent-contrast, #fff);
  }
  button.primary:hover:not(:disabled) {
    background: var(--sentral-accent-hover, #184d9c);
  }
  button.ok {
    background: var(--sentral-ok, #1d7a3e);
    border-color: var(--sentral-ok, #1d7a3e);
    color: #fff;
  }
  button.ok:hover:not(:disabled) {
    background: var(--sentral-ok-hover, #166333);
  }
  button.danger {
    background: var(--sentral-danger, #b3261e);
    border-color: var(--sentral-danger, #b3261e);
    color: #fff;
  }
  button.danger:hover:not(:disabled) {
    background: var(--sentral-danger-hover, #8f1e18);
  }
  button[aria-pressed='true'] {
    background: var(--sentral-text, #1c2230);
    border-color: var(--sentral-text, #1c2230);
    color: #fff;
  }
  input {
    border: 1px solid var(--sentral-border, #d9dde3);
    border-radius: var(--sentral-radius-small, 6px);
    padding: 0.55rem 0.7rem;
    background: var(--sentral-surface, #fff);
    color: var(--sentral-text, #1c2230);
    min-height: 2.5rem;
    box-sizing: border-box;
  }
  button:focus-visible,
  input:focus-visible,
  a:focus-visible {
    outline: 3px solid var(--sentral-focus, #2f6fde);
    outline-offset: 2px;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;

/** A settings section as a framed group with its legend (audio settings, headset buttons). */
export const settingsGroup = css`
  :host {
    display: block;
  }
  fieldset {
    border: 1px solid var(--sentral-border, #d9dde3);
    border-radius: var(--sentral-radius, 10px);
    padding: 0.75rem;
    margin: 0;
    display: flex;
    flex-direction: column;
    gap: 0.6rem;
  }
  legend {
    font-weight: 600;
    padding: 0 0.3rem;
  }
`;

/** A one-line status with its button beside it (your absence, your forwarding, in the phone). */
export const statusLine = css`
  :host {
    display: block;
  }
  .line {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 0.5rem;
    flex-wrap: wrap;
    font-size: 0.9rem;
  }
  .line p {
    margin: 0;
  }
`;
