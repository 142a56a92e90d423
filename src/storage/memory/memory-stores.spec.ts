import {
  describeHistoryStore,
  describePendingNotificationStore,
  describePresenceStore,
} from '../stores.contract.js';
import { describeUserSocketsStore } from '../user-sockets.contract.js';
import { MemoryHistoryStore } from './memory-history.store.js';
import { MemoryPendingNotificationStore } from './memory-pending-notification.store.js';
import { MemoryPresenceStore } from './memory-presence.store.js';
import { MemoryUserSocketsStore } from './memory-user-sockets.store.js';

describeHistoryStore('memory', (limits) => new MemoryHistoryStore(limits));
describePresenceStore('memory', () => new MemoryPresenceStore());
describePendingNotificationStore('memory', (limits) => new MemoryPendingNotificationStore(limits));
describeUserSocketsStore('memory', () => new MemoryUserSocketsStore());
