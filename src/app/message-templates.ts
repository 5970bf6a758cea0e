/**
 * Message templates for operators (issue 4: "X called, please call back on …"): filled from the
 * call the operator is on, then edited freely before sending. Plain text: the values are put in
 * as text and the message is never rendered as HTML.
 */
export interface TemplateValues {
  /** The caller's name, or their number when no name is known. */
  readonly caller: string;
  /** The number to call back on, formatted for people. */
  readonly number: string;
  /** Time of the call, e.g. `14:05`. */
  readonly time: string;
}

export interface MessageTemplate {
  readonly id: string;
  readonly label: string;
  readonly text: string;
}

export const MESSAGE_TEMPLATES: readonly MessageTemplate[] = [
  {
    id: 'call-back',
    label: 'Please call back',
    text: '{caller} called at {time}. Please call back on {number}.',
  },
  {
    id: 'will-call-again',
    label: 'Will call again',
    text: '{caller} called at {time} and will call again later.',
  },
  {
    id: 'waiting',
    label: 'Waiting on the line',
    text: '{caller} is waiting on the line for you — please call the switchboard.',
  },
  { id: 'free', label: 'Free text', text: '' },
];

/** The template's text with `{caller}`, `{number}` and `{time}` filled in. */
export function fillTemplate(template: MessageTemplate, values: TemplateValues): string {
  return template.text.replace(/\{(caller|number|time)\}/g, (_, key: keyof TemplateValues) => {
    return values[key];
  });
}
