// One jest run, six projects: pure units, services over real HTTP, the sync engine, components in jsdom, the browser, and the sync server.
// isolatedModules (tsconfig.json) makes ts-jest transpile only; `npm run typecheck` does the type checking.
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }];
const common = {
  transform: { '^.+\\.[tj]sx?$': tsJest },
  // idb and msal ship ESM builds; let ts-jest turn them into CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!(idb|@azure/msal-browser|@azure/msal-common)/)'],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
};

module.exports = {
  testTimeout: 30000,
  projects: [
    { ...common, displayName: 'unit', testEnvironment: 'node', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'http', testEnvironment: 'node', testMatch: ['<rootDir>/test/http/**/*.test.ts'] },
    { ...common, displayName: 'sync', testEnvironment: 'node', testMatch: ['<rootDir>/test/sync/**/*.test.ts'] },
    {
      ...common,
      displayName: 'components',
      testEnvironment: 'jsdom',
      testMatch: ['<rootDir>/test/components/**/*.test.tsx'],
    },
    { ...common, displayName: 'browser', testEnvironment: 'node', testMatch: ['<rootDir>/test/browser/**/*.test.ts'] },
    // The sync server with Redis and worker processes; finds or installs redis-server (src/server/redis.ts).
    { ...common, displayName: 'server', testEnvironment: 'node', testMatch: ['<rootDir>/test/server/**/*.test.ts'] },
  ],
};
