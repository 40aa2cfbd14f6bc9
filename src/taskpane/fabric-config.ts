// Runs before any Fluent UI module (it is the first module of the taskpane entry, see webpack.config.js).
// An empty fontBaseUrl stops Fluent v8 from registering @font-face rules that fetch Segoe UI from
// res-1.cdn.office.net: the pane then uses the system font stack (Segoe UI inside Office on Windows and
// Mac), makes no third-party request besides office.js, and needs no font CDN in its CSP.
(window as unknown as { FabricConfig?: { fontBaseUrl?: string } }).FabricConfig = {
  ...(window as unknown as { FabricConfig?: object }).FabricConfig,
  fontBaseUrl: '',
};

export {};
