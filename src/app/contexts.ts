/**
 * One context per service (STYLE rule 4: no god object). `sentral-app` provides them all; views
 * consume only what they use, and element tests provide fakes.
 */
import { createContext } from '@lit/context';
import type { ApiClient } from '../store/api-client.js';
import type { AudioSettingsModel } from '../store/audio-settings-model.js';
import type { CallQualityModel } from '../store/call-quality-model.js';
import type { AudioOutput } from './audio-output.js';
import type { AuthService } from '../store/auth-service.js';
import type { CallLogModel } from '../store/call-log-model.js';
import type { DirectoryModel } from '../store/directory-model.js';
import type { LinesModel } from '../store/lines-model.js';
import type { PhoneService } from '../store/phone-service.js';
import type { RegistrationModel } from '../store/registration-model.js';
import type { SessionModel } from '../store/session-model.js';

export const apiClientContext = createContext<ApiClient>(Symbol('sentral-api-client'));
export const authServiceContext = createContext<AuthService>(Symbol('sentral-auth-service'));
export const sessionModelContext = createContext<SessionModel>(Symbol('sentral-session-model'));
export const registrationModelContext = createContext<RegistrationModel>(
  Symbol('sentral-registration-model'),
);
export const linesModelContext = createContext<LinesModel>(Symbol('sentral-lines-model'));
export const phoneServiceContext = createContext<PhoneService>(Symbol('sentral-phone-service'));
export const directoryModelContext = createContext<DirectoryModel>(
  Symbol('sentral-directory-model'),
);
export const callLogModelContext = createContext<CallLogModel>(Symbol('sentral-call-log-model'));
export const audioSettingsContext = createContext<AudioSettingsModel>(
  Symbol('sentral-audio-settings'),
);
export const callQualityContext = createContext<CallQualityModel>(Symbol('sentral-call-quality'));
/** The shell's sound outputs (tones, ringer) and the ready step. */
export const audioOutputContext = createContext<AudioOutput>(Symbol('sentral-audio-output'));
