export { createObservedApi, type ObservedApi, type ObservedApiOptions } from './otel-prometheus-api.js';
