/**
 * Base class of every store slice (Gerrit's polygerrit `Model<T>` pattern).
 *
 * The state lives in a private `BehaviorSubject`; the outside world reads it through `state$` and
 * through selectors built with {@link Model.select}, and changes it only through the slice's own
 * methods, which apply exported pure reducers.
 * @packageDocumentation
 */
import { BehaviorSubject, distinctUntilChanged, map, shareReplay } from 'rxjs';
import type { Observable } from 'rxjs';

export abstract class Model<T> {
  private readonly subject: BehaviorSubject<T>;

  /** Every state, starting with the current one. */
  readonly state$: Observable<T>;

  protected constructor(initialState: T) {
    this.subject = new BehaviorSubject(initialState);
    this.state$ = this.subject.asObservable();
  }

  /** The current state (for services and tests; views subscribe through a controller). */
  get state(): T {
    return this.subject.getValue();
  }

  /** Replaces the state. Subclasses call this with the output of a pure reducer. */
  protected setState(state: T): void {
    if (state !== this.subject.getValue()) this.subject.next(state);
  }

  /**
   * A derived stream that emits only when the selected value changes, shared between all
   * subscribers and replaying the latest value to late ones.
   */
  protected select<R>(selector: (state: T) => R): Observable<R> {
    return this.state$.pipe(map(selector), distinctUntilChanged(), shareReplay(1));
  }
}
