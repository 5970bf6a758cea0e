/** The look the administration views share: full-width tables, stacked labels, messages. */
import { css } from 'lit';

export const adminStyles = css`
  :host {
    display: block;
  }
  table {
    border-collapse: collapse;
    width: 100%;
  }
  td,
  th {
    text-align: left;
    padding: 0.3rem 0.5rem;
    border-bottom: 1px solid var(--sentral-border, #d9dde3);
    vertical-align: top;
  }
  label {
    display: flex;
    flex-direction: column;
    font-size: 0.85rem;
  }
  [role='alert'] {
    color: var(--sentral-danger, #b3261e);
    white-space: pre-wrap;
  }
  [role='status'] {
    color: var(--sentral-ok, #1d7a3e);
  }
`;
