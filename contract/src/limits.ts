/**
 * The contract's fixed limits (docs/protocol.md), read by the validating DTOs, the OpenAPI and AsyncAPI
 * documents and the client library, so that a limit changes in one place. Limits that an operator
 * sets (HISTORY_LIMIT, RELAY_MAX_BYTES, ...) live in the configuration instead.
 */
export const MESSAGE_TEXT_MAX = 4000;
export const CLIENT_MSG_ID_MAX = 64;
export const HISTORY_PAGE_MAX = 100;
export const HISTORY_PAGE_DEFAULT = 50;
export const NOTIFICATION_TITLE_MAX = 200;
export const NOTIFICATION_BODY_MAX = 2000;
/** The longest user id accepted where a request names one (a token's `sub` has no other bound). */
export const USER_ID_MAX = 256;
