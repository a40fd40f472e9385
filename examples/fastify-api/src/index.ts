export { createFastifyApi, type FastifyApi, type FastifyApiOptions } from './fastify-api.js';
