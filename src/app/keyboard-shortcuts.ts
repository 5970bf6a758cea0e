/**
 * Every keyboard shortcut of the app, declared once: the operator's numeric-keypad profile and
 * the main-keyboard keys. The shortcut controller dispatches from this map and the help overlay
 * (`?`) lists it, so the two cannot disagree.
 *
 * Numeric keypad (matched by physical key, `KeyboardEvent.code`, so NumLock does not matter):
 *
 * | Key          | Action                                                                   |
 * | ------------ | ------------------------------------------------------------------------ |
 * | Numpad Enter | answer the ringing call                                                  |
 * | Numpad −     | hang up the line in front (reject a call that only rings)                |
 * | Numpad *     | consult: call the target in the transfer box; an empty box gets focus —  |
 * |              | type the target there and press Numpad * again                           |
 * | Numpad /     | transfer (blind) to the target in the transfer box, the same way         |
 * | Numpad +     | complete the transfer (during a consultation)                            |
 * | Numpad .     | park the call                                                            |
 * | Numpad 0     | pick the next waiting caller (when not on a call; during a call it sends |
 * |              | DTMF 0 like the other digits)                                            |
 *
 * The switchboard keys (* / + . 0) act only for operators with a call to act on; otherwise the
 * key does what it did before (Numpad * sends DTMF * during a plain call, for instance). While an
 * operator talks, DTMF `*` comes from the main keyboard or the on-screen pad.
 *
 * Main keyboard: F2 answers, F4 hangs up, F8 picks the next caller, `?` opens this list;
 * Escape rejects a ringing call or hangs up (and closes the help); digits, `*` and `#` send DTMF
 * during a call; Enter in the dial box dials. Those last three are handled where they always
 * were (the softphone, the dial form) and are listed here for the help.
 *
 * Directory (keys of the focused colleague list, handled by `sentral-directory`): ↓ from the
 * search box enters the list, ↑ ↓ Home End choose a colleague, Enter transfers the call in front
 * to them blind (or calls them when no call is up), Shift+Enter consults them first.
 *
 * Nothing fires while typing in a text field or a select, except the entries marked
 * `whileTyping` (keys that type nothing: Escape, F2, F4, F8) and the keypad consult and transfer
 * keys inside the transfer box itself.
 * @packageDocumentation
 */
import { msg } from '@lit/localize';

export type ShortcutAction =
  | 'answer'
  | 'hangup'
  | 'consult'
  | 'transfer'
  | 'complete-transfer'
  | 'park'
  | 'pick-next'
  | 'help'
  // Handled by the softphone / the dial form; listed for the help.
  | 'reject-or-hangup'
  | 'dtmf'
  | 'dial'
  // Handled by the directory list; listed for the help.
  | 'directory-select'
  | 'directory-transfer'
  | 'directory-consult';

/** The group's key (also its English heading; `shortcutGroupText` gives it in words). */
export type ShortcutGroup = 'Numeric keypad' | 'Keyboard' | 'Directory';

/** A group's heading in the current language. */
export function shortcutGroupText(group: ShortcutGroup): string {
  switch (group) {
    case 'Numeric keypad':
      return msg('Numeric keypad');
    case 'Keyboard':
      return msg('Keyboard');
    case 'Directory':
      return msg('Directory');
  }
}

export interface Shortcut {
  /** Physical keys (`KeyboardEvent.code`): numpad keys, whatever NumLock says. */
  readonly codes?: readonly string[];
  /** Characters (`KeyboardEvent.key`), whatever physical key types them. */
  readonly keys?: readonly string[];
  /** The key(s) as the help shows them. */
  readonly label: string;
  readonly action: ShortcutAction;
  readonly description: string;
  readonly group: ShortcutGroup;
  /** Also fires while typing in a field (keys that type nothing). */
  readonly whileTyping?: boolean;
  /** Also fires while typing in the transfer box (the keypad's consult and transfer). */
  readonly inTransferBox?: boolean;
  /** With Shift held (only for entries handled elsewhere, e.g. the directory's consult). */
  readonly shift?: boolean;
  /** Handled elsewhere; the entry documents it. */
  readonly handledBy?: 'softphone' | 'dial-form' | 'directory';
}

/** The map. Descriptions (and a label in words) are getters: read in the current language. */
export const SHORTCUTS: readonly Shortcut[] = [
  {
    codes: ['NumpadEnter'],
    label: 'Numpad Enter',
    action: 'answer',
    get description() {
      return msg('Answer the ringing call');
    },
    group: 'Numeric keypad',
  },
  {
    codes: ['NumpadSubtract'],
    label: 'Numpad −',
    action: 'hangup',
    get description() {
      return msg('Hang up the line in front (or reject a ringing call)');
    },
    group: 'Numeric keypad',
  },
  {
    codes: ['NumpadMultiply'],
    label: 'Numpad *',
    action: 'consult',
    get description() {
      return msg(
        'Consult the target in the transfer box (empty box: focus it, type, press Numpad * again)',
      );
    },
    group: 'Numeric keypad',
    inTransferBox: true,
  },
  {
    codes: ['NumpadDivide'],
    label: 'Numpad /',
    action: 'transfer',
    get description() {
      return msg(
        'Transfer the call to the target in the transfer box (empty box: focus it, type, press Numpad / again)',
      );
    },
    group: 'Numeric keypad',
    inTransferBox: true,
  },
  {
    codes: ['NumpadAdd'],
    label: 'Numpad +',
    action: 'complete-transfer',
    get description() {
      return msg('Complete the transfer (during a consultation)');
    },
    group: 'Numeric keypad',
  },
  {
    codes: ['NumpadDecimal'],
    label: 'Numpad .',
    action: 'park',
    get description() {
      return msg('Park the call');
    },
    group: 'Numeric keypad',
  },
  {
    codes: ['Numpad0'],
    label: 'Numpad 0',
    action: 'pick-next',
    get description() {
      return msg('Pick the next waiting caller (during a call: DTMF 0)');
    },
    group: 'Numeric keypad',
  },
  {
    keys: ['F2'],
    label: 'F2',
    action: 'answer',
    get description() {
      return msg('Answer the ringing call');
    },
    group: 'Keyboard',
    whileTyping: true,
  },
  {
    keys: ['F4'],
    label: 'F4',
    action: 'hangup',
    get description() {
      return msg('Hang up the line in front (or reject a ringing call)');
    },
    group: 'Keyboard',
    whileTyping: true,
  },
  {
    keys: ['F8'],
    label: 'F8',
    action: 'pick-next',
    get description() {
      return msg('Pick the next waiting caller');
    },
    group: 'Keyboard',
    whileTyping: true,
  },
  {
    keys: ['Escape'],
    label: 'Esc',
    action: 'reject-or-hangup',
    get description() {
      return msg('Reject a ringing call, else hang up the line in front; closes this help');
    },
    group: 'Keyboard',
    whileTyping: true,
    handledBy: 'softphone',
  },
  {
    keys: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#'],
    label: '0–9 * #',
    action: 'dtmf',
    get description() {
      return msg('Send DTMF tones during a call');
    },
    group: 'Keyboard',
    handledBy: 'softphone',
  },
  {
    keys: ['Enter'],
    get label() {
      return msg('Enter (in the dial box)');
    },
    action: 'dial',
    get description() {
      return msg('Call the number typed');
    },
    group: 'Keyboard',
    handledBy: 'dial-form',
  },
  {
    keys: ['?'],
    label: '?',
    action: 'help',
    get description() {
      return msg('Show the keyboard shortcuts');
    },
    group: 'Keyboard',
  },
  {
    keys: ['ArrowDown', 'ArrowUp', 'Home', 'End'],
    label: '↓ ↑ Home End',
    action: 'directory-select',
    get description() {
      return msg('Choose a colleague (↓ in the search box goes to the list)');
    },
    group: 'Directory',
    handledBy: 'directory',
  },
  {
    keys: ['Enter'],
    label: 'Enter',
    action: 'directory-transfer',
    get description() {
      return msg('On a call: transfer it to the chosen colleague (blind); otherwise call them');
    },
    group: 'Directory',
    handledBy: 'directory',
  },
  {
    keys: ['Enter'],
    shift: true,
    label: 'Shift+Enter',
    action: 'directory-consult',
    get description() {
      return msg('On a call: consult the chosen colleague first (complete with Numpad +)');
    },
    group: 'Directory',
    handledBy: 'directory',
  },
];

/** The groups in the order the help shows them. */
export const SHORTCUT_GROUPS: readonly ShortcutGroup[] = [
  'Numeric keypad',
  'Keyboard',
  'Directory',
];

/** Every key signature of `shortcut` (`code:NumpadEnter`, `key:F2`), for the uniqueness check. */
export function shortcutSignatures(shortcut: Shortcut): string[] {
  // The directory's keys only act in its list: they may reuse keys of the whole app.
  const scope = shortcut.group === 'Directory' ? 'directory:' : '';
  const shift = shortcut.shift ? 'shift+' : '';
  return [
    ...(shortcut.codes ?? []).map((c) => `${scope}code:${shift}${c}`),
    ...(shortcut.keys ?? []).map((k) => `${scope}key:${shift}${k}`),
  ];
}

type KeyLike = Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'altKey' | 'metaKey'>;

/**
 * The shortcut a key press means: a physical-key entry first (so Numpad 0 is "pick next", not
 * the digit), else a character entry. Presses with Ctrl, Alt or Meta are never shortcuts.
 */
export function shortcutFor(
  event: KeyLike,
  shortcuts: readonly Shortcut[] = SHORTCUTS,
): Shortcut | null {
  if (event.ctrlKey || event.altKey || event.metaKey) return null;
  const global = shortcuts.filter((s) => s.group !== 'Directory');
  return (
    global.find((s) => s.codes?.includes(event.code)) ??
    global.find((s) => s.keys?.includes(event.key)) ??
    null
  );
}

/** The directory list's action for a key press there (see the Directory entries), or null. */
export function directoryActionFor(
  event: KeyLike & Pick<KeyboardEvent, 'shiftKey'>,
  shortcuts: readonly Shortcut[] = SHORTCUTS,
): ShortcutAction | null {
  if (event.ctrlKey || event.altKey || event.metaKey) return null;
  const entry = shortcuts.find(
    (s) =>
      s.group === 'Directory' &&
      s.keys?.includes(event.key) &&
      (s.action === 'directory-select' || !!s.shift === event.shiftKey),
  );
  return entry?.action ?? null;
}

/** True when the key press goes into a field that takes text (or a select). */
export function isTyping(target: EventTarget | null): boolean {
  if (target instanceof HTMLInputElement) {
    return !['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file'].includes(
      target.type,
    );
  }
  return (
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    (target instanceof HTMLElement && target.isContentEditable)
  );
}
