import type { Strings } from '../strings.js';

// Japanese has no plural forms.
export const JA: Strings = {
  frameTitle: (agent) => agent + 'とのチャット',
  openChat: (agent) => agent + 'とのチャットを開く',
  openChatUnread: (agent, n) => agent + 'とのチャットを開く、新着メッセージ ' + n + ' 件',
  unreadAnnounce: (agent, n) => agent + 'から新着メッセージ ' + n + ' 件',
  closeChat: 'チャットを閉じる',
  conversation: '会話',
  composerLabel: (agent) => agent + 'へのメッセージ',
  placeholder: 'メッセージを入力…',
  send: '送信',
  you: 'あなた',
  said: (who) => who + ': ',
  typing: (agent) => agent + 'が入力中…',
  newMessages: '新着メッセージ',
  retry: '再試行',
  notSent: '送信されませんでした。',
  replyFailed: (agent) => agent + 'は応答できませんでした。もう一度お試しください。',
  expired: 'このチャットセッションは期限切れです。続けるにはページを再読み込みしてください。',
  unavailable: 'このチャットはこのサイトではご利用いただけなくなりました。',
  signIn: 'チャットをご利用いただくには、このサイトにログインしてください。',
  tooLong: (max) => 'メッセージは ' + max + ' 文字以内で入力してください。',
  rateLimited: 'メッセージの送信が速すぎます。少し待ってからもう一度お試しください。',
  timeout: 'チャットサービスの応答に時間がかかりすぎました。もう一度お試しください。',
  offline: 'チャットサービスに接続できませんでした。接続を確認して、もう一度お試しください。',
  httpError: (status) => 'エラーが発生しました (HTTP ' + status + ')。もう一度お試しください。',
};
