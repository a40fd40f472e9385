/** The HTTP header that carries a delivery's detached JWS (`header..signature`); the body travels as signed. */
export const SIGNATURE_HEADER = 'Webhook-Signature';
