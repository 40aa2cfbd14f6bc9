export * from './options';
export * from './validation';
export * from './scopes';
