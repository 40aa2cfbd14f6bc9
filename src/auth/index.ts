export type { CrmSession, DevCredentials, SignIn } from './types';
export { DevPasswordSignIn, normalizeCrmUrl } from './dev-sign-in';
export { storageSessionKeeper, NO_SESSION_KEEPER, type SessionKeeper, type KeptSession } from './session-keeper';
