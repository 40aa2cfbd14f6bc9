// Builds the task pane (taskpane.html), the FunctionFile (commands.html), the icons and the manifest into dist/.
// The shape follows Microsoft's Office-Addin-TaskPane-React template (office-addins.md §1), without babel:
// ts-loader only transpiles (type checking is `npm run typecheck`).
//
//   npm run build        production: manifest URLs → ADDIN_URL (default https://outlook-addin.example.com/)
//   npm run build:dev    development: manifest stays on https://localhost:3000/
//   npm run dev-server   http://localhost:3000 (the standalone pane used by `npm start`)
//
// Build-time settings (environment variables, defaults in scripts/addin-config.js): ADDIN_URL, ADDIN_CRM_URL,
// ADDIN_GRAPH_URL, ADDIN_GRAPH_CLIENT_ID; the last three reach the bundle as process.env.* (DefinePlugin).
// ADDIN_OUT_DIR overrides dist/ (the browser tests build into a temp folder).
//
// Sideloading into real Outlook needs https with a trusted certificate. Create one with Microsoft's tool
// (`npx office-addin-dev-certs install`, kept out of our dependencies) and run
//   npm run dev-server -- --server-type https --server-options-key ~/.office-addin-dev-certs/localhost.key \
//     --server-options-cert ~/.office-addin-dev-certs/localhost.crt --server-options-ca ~/.office-addin-dev-certs/ca.crt
'use strict';
const path = require('node:path');
const webpack = require('webpack');
const HtmlWebpackPlugin = require('html-webpack-plugin');
const CopyWebpackPlugin = require('copy-webpack-plugin');
const { resolveAddinConfig, definedGlobals, manifestForBuild } = require('./scripts/addin-config');
const { cspMeta } = require('./scripts/addin-csp');

// Every page the add-in serves: <name>.html from its template, with its own entry.
const PAGES = [
  // fabric-config first: it must run before Fluent UI registers its fonts.
  { name: 'taskpane', template: './src/taskpane/taskpane.html', entry: ['./src/taskpane/fabric-config.ts', './src/taskpane/index.tsx'] },
  // The manifest's FunctionFile.
  { name: 'commands', template: './src/commands/commands.html', entry: './src/commands/commands.ts' },
  // The CRM sign-in dialog's pages on the add-in's origin (src/auth/crm-oauth-signin.ts): one markup, two entries.
  { name: 'auth-start', template: './src/auth/pages/crm-sign-in.html', entry: './src/auth/pages/auth-start.ts' },
  { name: 'auth-callback', template: './src/auth/pages/crm-sign-in.html', entry: './src/auth/pages/auth-callback.ts' },
  // Microsoft sign-in: the Office-dialog fallback and MSAL's redirect bridge (src/auth/graph-msal.ts).
  { name: 'graph-dialog', template: './src/auth/pages/graph-dialog.html', entry: './src/auth/pages/graph-dialog.ts' },
  { name: 'msal-redirect', template: './src/auth/pages/msal-redirect.html', entry: './src/auth/pages/msal-redirect.ts' },
];

module.exports = (_env, argv) => {
  const mode = argv.mode === 'production' ? 'production' : 'development';
  const dev = mode === 'development';
  const config = resolveAddinConfig(mode);
  const outDir = process.env.ADDIN_OUT_DIR ? path.resolve(process.env.ADDIN_OUT_DIR) : path.resolve(__dirname, 'dist');

  return {
    mode,
    context: __dirname,
    devtool: dev ? 'eval-cheap-module-source-map' : false,
    entry: Object.fromEntries(PAGES.map((page) => [page.name, page.entry])),
    output: {
      path: outDir,
      filename: dev ? '[name].js' : '[name].[contenthash:8].js',
      clean: true,
    },
    resolve: { extensions: ['.ts', '.tsx', '.js'] },
    module: {
      rules: [
        {
          test: /\.tsx?$/,
          exclude: /node_modules/,
          loader: 'ts-loader',
          options: {
            transpileOnly: true,
            // ES modules let webpack tree-shake Fluent UI; tsconfig's noEmit is for tsc only.
            compilerOptions: { module: 'es2020', noEmit: false, sourceMap: dev },
          },
        },
      ],
    },
    // Reused between builds (npm start, the browser tests); keyed by mode so the two don't evict each other.
    cache: { type: 'filesystem', name: mode, buildDependencies: { config: [__filename, require.resolve('./scripts/addin-config'), require.resolve('./scripts/addin-csp')] } },
    optimization: {
      // Libraries in their own file: they change less often than the pane, so browsers keep them cached.
      // Only the pane's: in development the dev-server client sits in every entry, and commands.html stays tiny.
      splitChunks: {
        cacheGroups: { defaultVendors: { test: /[\\/]node_modules[\\/]/, name: 'vendors', chunks: (chunk) => chunk.name === 'taskpane' } },
      },
    },
    stats: dev ? 'minimal' : 'normal', // npm start prints one line per rebuild
    performance: { hints: false }, // Fluent UI is large; size budgets come with a later issue.
    plugins: [
      new webpack.DefinePlugin(definedGlobals(config)),
      // Production pages carry the CSP (scripts/addin-csp.js); the dev server talks to emulators on any port.
      ...PAGES.map(
        (page) =>
          new HtmlWebpackPlugin({ filename: `${page.name}.html`, template: page.template, chunks: [page.name], meta: dev ? {} : cspMeta(config, process.env.ADDIN_CSP_EXTRA) }),
      ),
      new CopyWebpackPlugin({
        patterns: [
          { from: 'assets/*.png', to: 'assets/[name][ext]' },
          { from: 'manifest.xml', to: 'manifest.xml', transform: (content) => manifestForBuild(content.toString(), config) },
        ],
      }),
    ],
    devServer: {
      host: 'localhost',
      port: Number(process.env.npm_package_config_dev_server_port) || 3000,
      headers: { 'Access-Control-Allow-Origin': '*' },
      static: false,
      hot: false, // no react-refresh; a full reload keeps the pane's state honest
      client: { overlay: { errors: true, warnings: false } },
    },
  };
};
