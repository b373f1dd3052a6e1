/** Base of every resource (`client.widgetKeys`, `client.agents`): a handle on the client that sends. */
import type { Kataven } from './kataven.js';

export abstract class APIResource {
  constructor(protected readonly client: Kataven) {}
}
