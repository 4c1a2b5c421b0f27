export * from './logs/event.js';
export * from './util/errors.js';
