export { DeliveryLog, type DeliveryLogOptions, type DeliveryState } from './delivery-log.js';
export { listen, type RunningServer } from './listen.js';
export { startWebhookReceiver, type JwksSettings, type ReceivedEvent, type WebhookReceiver, type WebhookReceiverOptions } from './receiver.js';
export { runScenario, SENDER_ALIAS, WEBHOOK_TIMING, type ScenarioOptions, type ScenarioResult, type ScenarioStep, type StepId } from './run.js';
export { startWebhookSender, type Delivery, type DeliveryAttempt, type WebhookSender, type WebhookSenderOptions } from './sender.js';
export { SIGNATURE_HEADER } from './signature-header.js';
