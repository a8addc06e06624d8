export { Alerts, type AlertsOptions } from './dispatcher.js';
export { DestinationRefused, isPublicAddress, parseWebhookUrl, resolveDestination, type Destination } from './destination.js';
export { openSecret, sealSecret, signatureOf } from './secrets.js';
