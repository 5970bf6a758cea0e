/**
 * Message templates for operators (issue 4: "X called, please call back on …"): filled from the
 * call the operator is on, then edited freely before sending. Plain text: the values are put in
 * as text and the message is never rendered as HTML.
 */
import { msg, str } from '@lit/localize';

export interface TemplateValues {
  /** The caller's name, or their number when no name is known. */
  readonly caller: string;
  /** The number to call back on, formatted for people. */
  readonly number: string;
  /** Time of the call, e.g. `14:05`. */
  readonly time: string;
}

export type MessageTemplateId = 'call-back' | 'will-call-again' | 'waiting' | 'free';

export interface MessageTemplate {
  readonly id: MessageTemplateId;
  readonly label: string;
}

/** The templates, labelled in the current language (a function: msg() runs at render time). */
export function messageTemplates(): readonly MessageTemplate[] {
  return [
    { id: 'call-back', label: msg('Please call back') },
    { id: 'will-call-again', label: msg('Will call again') },
    { id: 'waiting', label: msg('Waiting on the line') },
    { id: 'free', label: msg('Free text') },
  ];
}

/** The template's text in the current language, with the caller, number and time filled in. */
export function fillTemplate(template: MessageTemplate, values: TemplateValues): string {
  const { caller, number, time } = values;
  switch (template.id) {
    case 'call-back':
      return msg(str`${caller} called at ${time}. Please call back on ${number}.`);
    case 'will-call-again':
      return msg(str`${caller} called at ${time} and will call again later.`);
    case 'waiting':
      return msg(str`${caller} is waiting on the line for you — please call the switchboard.`);
    case 'free':
      return '';
  }
}
