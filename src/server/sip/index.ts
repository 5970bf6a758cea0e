/**
 * Sentral's SIP stack: parser, message model, URIs, digest auth, the
 * WebSocket transport, transactions (RFC 3261 + RFC 6026) and dialogs.
 * It knows nothing of queues or calls; the B2BUA and registrar build on it.
 *
 * @packageDocumentation
 */
export { SipParseError, SipSyntaxError, SipTransportError } from './errors';
export type { SipParseErrorKind } from './errors';
export { isToken, quote, splitList, unquote } from './grammar';
export { headerName, isListHeader } from './headers';
export type { HeaderName } from './headers';
export { REASON_PHRASES, reasonPhrase } from './reasons';
export { SipMessage, SipRequest, SipResponse, isRequest, isResponse, parseCSeq } from './message';
export type { CSeq, HeaderField, HeaderInit } from './message';
export { NameAddr, SipUri, parseNameAddr, parseUri, unescapeUriPart, uriEquals } from './uri';
export type { SipUriInit } from './uri';
export { MAGIC_COOKIE, Via, parseVia } from './via';
export type { ViaInit } from './via';
export { SUPPORTED_URI_SCHEMES, parseMessage } from './parser';
export type { ParseOptions } from './parser';
export { byteLength, serialize } from './serializer';
export {
  buildChallenge,
  checkNonce,
  computeDigestResponse,
  computeHa1,
  createNonce,
  parseDigest,
  safeEqual,
  verifyDigestResponse,
} from './digest';
export type { ChallengeOptions, DigestParams, DigestResponseInput, NonceCheck } from './digest';
export {
  createCancel,
  createNon2xxAck,
  createResponse,
  newBranch,
  newCallId,
  newTag,
} from './helpers';
export type { ResponseOptions } from './helpers';
export { WsTransport, hostPort, sipWebSocketProtocols, stampVia } from './transport';
export {
  SipStreamFramer,
  TCP_FLOW_TRANSITIONS,
  TcpFlowState,
  TcpTransport,
  transitionTcpFlow,
} from './tcp-transport';
export type { StreamFrame, TcpFlowInfo, TcpTransportOptions } from './tcp-transport';
export { UdpTransport } from './udp-transport';
export type { UdpTransportOptions } from './udp-transport';
export { SipTransports } from './transports';
export type { FlowTarget, SipTransportsOptions } from './transports';
export { RateVerdict, SourceRateLimiter } from './rate-limit';
export type { SourceRateLimiterOptions } from './rate-limit';
export type {
  Flow,
  SipWebSocket,
  TransportName,
  UpgradeRequestInfo,
  WsFrameData,
  WsServerLike,
  WsTransportOptions,
} from './transport';
export {
  DEFAULT_TIMERS,
  InviteClientTransaction,
  InviteClientTransactionState,
  InviteServerTransaction,
  InviteServerTransactionState,
  NonInviteClientTransaction,
  NonInviteClientTransactionState,
  NonInviteServerTransaction,
  NonInviteServerTransactionState,
  TransactionLayer,
} from './transaction';
export type {
  ClientTransaction,
  ClientTransactionHandlers,
  Scheduler,
  ServerTransaction,
  TimerValues,
  TransactionLayerOptions,
} from './transaction';
export { Dialog, DialogState, dialogIdOfRequest, dialogIdOfResponse, dialogKey } from './dialog';
export type { DialogId, InDialogRequestOptions } from './dialog';
