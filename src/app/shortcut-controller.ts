import { msg, str } from '@lit/localize';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { CallState } from '../store/call-state.js';
import type { LinesModel } from '../store/lines-model.js';
import { activeLine, initialLines, isBusy, ringingIn } from '../store/lines-state.js';
import type { LinesSnapshot } from '../store/lines-state.js';
import type { PhoneService } from '../store/phone-service.js';
import type { SwitchboardModel } from '../store/switchboard-model.js';
import { initialSwitchboard, mergedCallers, myAgentStates } from '../store/switchboard-state.js';
import type { SwitchboardState } from '../store/switchboard-state.js';
import { commandErrorText } from './command-error.js';
import { isTyping, shortcutFor } from './keyboard-shortcuts.js';
import type { Shortcut, ShortcutAction } from './keyboard-shortcuts.js';

/** What the shortcuts act on, supplied by the shell. */
export interface ShortcutHost {
  /** Shortcuts are live (someone who has a phone is signed in). */
  enabled(): boolean;
  /** The user works the switchboard (the keypad's switchboard keys apply). */
  operator(): boolean;
  lines(): LinesModel | undefined;
  phone(): PhoneService | undefined;
  switchboard(): SwitchboardModel | undefined;
  /** The transfer box of the call actions, if shown. */
  transferBox(): HTMLInputElement | null;
  helpOpen(): boolean;
  openHelp(): void;
  /** Tells the user how a switchboard command went (`alert` for a failure). */
  report(text: string, kind: 'status' | 'alert'): void;
}

/**
 * Dispatches the key presses of {@link SHORTCUTS} to the services. Listens on the window in the
 * capture phase so a handled shortcut is consumed before the softphone's own keys (DTMF) see it;
 * a shortcut with nothing to act on (no ringing call for "answer", no call for "park"…) is left
 * alone and the key does what it did before.
 */
export class ShortcutController implements ReactiveController {
  constructor(
    host: ReactiveControllerHost,
    private readonly targets: ShortcutHost,
  ) {
    host.addController(this);
  }

  /*
   * The lines and the switchboard are read as they are at the key press (`model.state`), the
   * way the phone service reads them, rather than through `select()`: this controller renders
   * nothing, and a `select()` would re-render the whole shell on every switchboard event.
   */
  private get linesNow(): LinesSnapshot {
    return this.targets.lines()?.state ?? initialLines;
  }

  private get boardNow(): SwitchboardState {
    return this.targets.switchboard()?.state ?? initialSwitchboard;
  }

  hostConnected(): void {
    window.addEventListener('keydown', this.onKeyDown, { capture: true });
  }

  hostDisconnected(): void {
    window.removeEventListener('keydown', this.onKeyDown, { capture: true });
  }

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    if (event.defaultPrevented || event.repeat || !this.targets.enabled()) return;
    if (this.targets.helpOpen()) return; // the dialog is modal: it handles its own keys
    const shortcut = shortcutFor(event);
    if (!shortcut || shortcut.handledBy) return;
    const target = event.composedPath()[0] ?? null;
    if (isTyping(target) && !this.allowedWhileTyping(shortcut, target)) return;
    if (!this.run(shortcut.action)) return;
    event.preventDefault();
    event.stopPropagation();
  };

  private allowedWhileTyping(shortcut: Shortcut, target: EventTarget | null): boolean {
    if (shortcut.whileTyping) return true;
    return !!shortcut.inTransferBox && target !== null && target === this.targets.transferBox();
  }

  /** Runs `action` if it has something to act on; false leaves the key press alone. */
  run(action: ShortcutAction): boolean {
    const lines = this.linesNow;
    const phone = this.targets.phone();
    switch (action) {
      case 'answer': {
        const ringing = ringingIn(lines);
        if (!phone || !ringing?.callId) return false;
        void phone.answer(ringing.callId);
        return true;
      }
      case 'hangup': {
        const active = activeLine(lines);
        if (phone && active?.callId) {
          void phone.hangup(active.callId);
          return true;
        }
        const ringing = ringingIn(lines);
        if (!phone || !ringing?.callId) return false;
        void phone.reject(ringing.callId);
        return true;
      }
      case 'help':
        this.targets.openHelp();
        return true;
      default:
        return this.runSwitchboard(action);
    }
  }

  private runSwitchboard(action: ShortcutAction): boolean {
    const switchboard = this.targets.switchboard();
    if (!switchboard || !this.targets.operator()) return false;
    const board = this.boardNow;
    const talking = activeLine(this.linesNow)?.state === CallState.Established;
    switch (action) {
      case 'pick-next': {
        if (isBusy(this.linesNow)) return false;
        const me = switchboard.userId ?? '';
        const mine = myAgentStates(board, me);
        const queueIds = mine.length > 0 ? new Set(mine.map((a) => a.queueId)) : null;
        const next = mergedCallers(board, queueIds).find((c) => c.state !== 'picked');
        if (!next) return false;
        this.command(() => switchboard.pick(next.callId));
        return true;
      }
      case 'consult':
      case 'transfer': {
        if (!talking || board.consultation) return false;
        const box = this.targets.transferBox();
        if (!box) return false;
        const target = box.value.trim();
        if (!target) {
          box.focus();
          return true;
        }
        if (action === 'consult') {
          this.command(() => switchboard.consult(target));
        } else {
          this.command(
            () => switchboard.transferBlind(target),
            msg(str`Transferred to ${target}.`),
            box,
          );
        }
        return true;
      }
      case 'complete-transfer': {
        const consultation = board.consultation;
        if (!consultation) return false;
        const who = consultation.target.name || consultation.target.extension;
        this.command(() => switchboard.completeTransfer(), msg(str`Transferred to ${who}.`));
        return true;
      }
      case 'park': {
        if (!talking || board.consultation) return false;
        this.command(async () => {
          const slot = await switchboard.park();
          this.targets.report(msg(str`Parked on ${slot}.`), 'status');
        });
        return true;
      }
      default:
        return false;
    }
  }

  /** Runs a switchboard command, reporting failure (and `done` on success, emptying `box`). */
  private command(run: () => Promise<unknown>, done?: string, box?: HTMLInputElement): void {
    run().then(
      () => {
        if (done) this.targets.report(done, 'status');
        if (box) {
          box.value = '';
          box.dispatchEvent(new Event('input'));
        }
      },
      (error: unknown) => this.targets.report(commandErrorText(error), 'alert'),
    );
  }
}
