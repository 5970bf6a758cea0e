
    // Do not modify this file by hand!
    // Re-generate this file by running lit-localize

    
    

    /* eslint-disable no-irregular-whitespace */
    /* eslint-disable @typescript-eslint/no-explicit-any */

    export const templates = {
      'sa6a92648588602bf': `Svar`,
's0a87de8392c19ae9': `Not answered`,
's6daad0462194c8cb': `The colleague was busy`,
's7fb4694c2ca7fed8': `The colleague rejected it`,
's30ec7c753c90ccb0': `Parked too long`,
'saea259591d0d0a48': `Unknown caller`,
's37b731ab2081cf4e': `Call waiting`,
'sbb06717319ece3fb': `Incoming call`,
's5157503d7642577e': `Recall:`,
'sba024e16341b8c33': `Answer and hold`,
's123da0f92f97dd86': `Reject`,
    };
  