import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Observable, Subscription } from 'rxjs';

/**
 * Subscribes its host to an observable while the host is connected and re-renders the host on
 * every value: the only way views read the store (no bare `.subscribe()` in a component).
 *
 * The source is a function so it can read a service the host received by context; if it
 * returns a different observable later (the context value changed), the controller resubscribes.
 */
export class ObservableController<T> implements ReactiveController {
  /** The latest value, or the initial value until the first emission. */
  value: T;
  private source: Observable<T> | undefined;
  private subscription: Subscription | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly getSource: () => Observable<T> | undefined,
    initialValue: T,
  ) {
    this.value = initialValue;
    host.addController(this);
  }

  hostConnected(): void {
    this.subscribe(this.getSource());
  }

  hostUpdate(): void {
    const source = this.getSource();
    if (source !== this.source) this.subscribe(source);
  }

  hostDisconnected(): void {
    this.subscription?.unsubscribe();
    this.subscription = null;
    this.source = undefined;
  }

  private subscribe(source: Observable<T> | undefined): void {
    this.subscription?.unsubscribe();
    this.subscription = null;
    this.source = source;
    if (!source) return;
    this.subscription = source.subscribe((value) => {
      if (Object.is(value, this.value)) return;
      this.value = value;
      this.host.requestUpdate();
    });
  }
}

/** `select(this, () => this.model?.thing$, initial)`: shorthand for an {@link ObservableController}. */
export function select<T>(
  host: ReactiveControllerHost,
  getSource: () => Observable<T> | undefined,
  initialValue: T,
): ObservableController<T> {
  return new ObservableController(host, getSource, initialValue);
}
