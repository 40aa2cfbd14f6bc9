// tsconfig resolves modules the node10 way, which ignores package "exports"; webpack resolves the subpath itself.
declare module '@azure/msal-browser/redirect-bridge' {
  export function broadcastResponseToMainFrame(): Promise<void>;
}
