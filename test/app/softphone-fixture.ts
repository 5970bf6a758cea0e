/** The softphone mounted with the contexts it always consumes (tests add their own). */
import { html } from 'lit';
import type { Services } from '../../src/app/services.js';
import {
  linesModelContext,
  phoneServiceContext,
  registrationModelContext,
  sessionModelContext,
} from '../../src/app/contexts.js';
import '../../src/app/sentral-softphone.js';
import type { SentralSoftphone } from '../../src/app/sentral-softphone.js';
import { mount, type Provided } from './fakes.js';

export function mountSoftphone(
  services: Services,
  extra: readonly Provided[] = [],
): Promise<{ element: SentralSoftphone; container: HTMLElement; cleanup: () => void }> {
  return mount<SentralSoftphone>(html`<sentral-softphone></sentral-softphone>`, [
    [registrationModelContext, services.registration],
    [linesModelContext, services.lines],
    [phoneServiceContext, services.phone],
    [sessionModelContext, services.session],
    ...extra,
  ]);
}
