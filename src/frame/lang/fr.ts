import type { Strings } from '../strings.js';

// French counts 0 and 1 as singular.
export const FR: Strings = {
  frameTitle: (agent) => 'Discussion avec ' + agent,
  openChat: (agent) => 'Ouvrir la discussion avec ' + agent,
  openChatUnread: (agent, n) => 'Ouvrir la discussion avec ' + agent + ', ' + n + (n < 2 ? ' nouveau message' : ' nouveaux messages'),
  unreadAnnounce: (agent, n) => n + (n < 2 ? ' nouveau message de ' : ' nouveaux messages de ') + agent,
  closeChat: 'Fermer la discussion',
  conversation: 'Conversation',
  composerLabel: (agent) => 'Message à ' + agent,
  placeholder: 'Écrivez un message…',
  send: 'Envoyer',
  you: 'Vous',
  said: (who) => who + ' : ',
  typing: (agent) => agent + ' écrit…',
  newMessages: 'Nouveaux messages',
  retry: 'Réessayer',
  notSent: 'Non envoyé.',
  replyFailed: (agent) => agent + " n'a pas pu répondre. Veuillez réessayer.",
  expired: 'Cette session de discussion a expiré. Rechargez la page pour continuer.',
  unavailable: "Cette discussion n'est plus disponible sur ce site.",
  signIn: 'Veuillez vous connecter sur ce site pour discuter avec nous.',
  tooLong: (max) => 'Les messages peuvent contenir au plus ' + max + ' caractères.',
  rateLimited: 'Vous envoyez des messages trop vite. Patientez un instant puis réessayez.',
  timeout: 'Le service de discussion a mis trop de temps à répondre. Veuillez réessayer.',
  offline: 'Impossible de joindre le service de discussion. Vérifiez votre connexion et réessayez.',
  httpError: (status) => 'Une erreur est survenue (HTTP ' + status + '). Veuillez réessayer.',
};
