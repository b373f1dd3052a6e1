import type { Strings } from '../strings.js';

/** Arabic counts in six forms (CLDR); a widget's unread count needs these four. */
const messages = (n: number) => (n == 1 ? 'رسالة جديدة واحدة' : n == 2 ? 'رسالتان جديدتان' : n >= 3 && n <= 10 ? n + ' رسائل جديدة' : n + ' رسالة جديدة');

export const AR: Strings = {
  frameTitle: (agent) => 'محادثة مع ' + agent,
  openChat: (agent) => 'افتح المحادثة مع ' + agent,
  openChatUnread: (agent, n) => 'افتح المحادثة مع ' + agent + '، ' + messages(n),
  unreadAnnounce: (agent, n) => messages(n) + ' من ' + agent,
  closeChat: 'أغلق المحادثة',
  conversation: 'المحادثة',
  composerLabel: (agent) => 'رسالة إلى ' + agent,
  placeholder: 'اكتب رسالة…',
  send: 'إرسال',
  you: 'أنت',
  said: (who) => who + ': ',
  chattingWith: (who) => 'أنت تتحدث الآن مع ' + who,
  typing: (agent) => agent + ' يكتب…',
  newMessages: 'رسائل جديدة',
  retry: 'أعد المحاولة',
  notSent: 'لم تُرسل.',
  replyFailed: (agent) => 'تعذّر على ' + agent + ' الرد. يُرجى المحاولة مرة أخرى.',
  replyTimeout: (agent) => 'استغرق ' + agent + ' وقتًا طويلًا للرد. يُرجى المحاولة مرة أخرى.',
  replyCutShort: (agent) => 'كان رد ' + agent + ' طويلًا جدًا فتم اقتطاعه.',
  expired: 'انتهت جلسة المحادثة هذه. أعد تحميل الصفحة للمتابعة.',
  unavailable: 'هذه المحادثة لم تعد متاحة على هذا الموقع.',
  signIn: 'يرجى تسجيل الدخول إلى هذا الموقع للدردشة معنا.',
  testMode: 'تجريبي',
  tooLong: (max) => 'يمكن أن تحتوي الرسالة على ' + max + ' حرف على الأكثر.',
  rateLimited: 'أنت ترسل الرسائل بسرعة كبيرة. انتظر لحظة ثم أعد المحاولة.',
  timeout: 'استغرقت خدمة المحادثة وقتًا طويلًا للرد. يُرجى المحاولة مرة أخرى.',
  offline: 'تعذّر الوصول إلى خدمة المحادثة. تحقق من اتصالك وأعد المحاولة.',
  httpError: (status) => 'حدث خطأ ما (HTTP ' + status + '). يُرجى المحاولة مرة أخرى.',
};
