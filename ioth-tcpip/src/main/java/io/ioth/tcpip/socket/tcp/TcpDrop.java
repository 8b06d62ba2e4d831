package io.ioth.tcpip.socket.tcp;

/**
 * Why TCP dropped a segment (or refused a connection): one counter per reason, incremented right before the early
 * return that drops it (style.md §3 principle 7; gVisor's per-reason stats; Linux's {@code SKB_DROP_REASON_TCP_*}).
 * Each names the RFC clause that decides where there is one.
 *
 * <p>Immutable; thread-safe.
 */
public enum TcpDrop {
    /** Shorter than 20 bytes, or shorter than its data offset. */
    TRUNCATED,
    /** Data offset below 5 words (RFC 9293 §3.1). */
    BAD_HEADER_LEN,
    /** Checksum does not verify (RFC 9293 §3.1, §3.10.7: "discard"). */
    BAD_CHECKSUM,
    /** An option's length is below 2 or overruns the option area (RFC 9293 §3.2). */
    MALFORMED_OPTION,
    /** SYN and FIN together (never valid; Linux drops it in LISTEN, FreeBSD drop_synfin). */
    SYN_FIN,
    /** SYN and RST together. */
    SYN_RST,
    /** Source or destination port 0. */
    BAD_PORT,
    /** Addressed to a broadcast or multicast address (RFC 9293 §3.10.7.2: SYN to such addresses is ignored;
     * TCP is unicast only). */
    NOT_UNICAST,
    /** No socket: answered with RST unless it was one (RFC 9293 §3.10.7.1). */
    NO_SOCKET,
    /** A RST that matched no connection (RFC 9293 §3.10.7.1: "an incoming segment containing a RST is
     * discarded"). */
    RST_NO_SOCKET,
    /** LISTEN: a segment that is neither SYN nor ACK (RFC 9293 §3.10.7.2 "fourth other text or control"). */
    LISTEN_OTHER,
    /** LISTEN: a RST (RFC 9293 §3.10.7.2 first). */
    LISTEN_RST,
    /** The accept queue is full (Linux ListenOverflows). */
    LISTEN_OVERFLOW,
    /** The SYN queue is full and SYN cookies are off (Linux ListenDrops). */
    SYN_QUEUE_FULL,
    /** An ACK to a listener that carries no valid SYN cookie (Linux SyncookiesFailed); answered with RST. */
    BAD_COOKIE,
    /** No route back to a connecting peer (SYN dropped). */
    NO_ROUTE,
    /** SYN-SENT: ACK outside (ISS, SND.NXT] (RFC 9293 §3.10.7.3 first); answered with RST. */
    SYN_SENT_BAD_ACK,
    /** SYN-SENT: a segment without SYN or RST (RFC 9293 §3.10.7.3 fifth). */
    SYN_SENT_NO_SYN,
    /** SYN-SENT: a RST without an acceptable ACK (RFC 9293 §3.10.7.3 second; RFC 5961 §3.2). */
    SYN_SENT_BAD_RST,
    /** PAWS: timestamp older than TS.Recent (RFC 7323 §5.3 R1); answered with an ACK. */
    PAWS,
    /** Sequence number outside the receive window (RFC 9293 §3.10.7.4 first check); answered with an ACK. */
    OUT_OF_WINDOW,
    /** RST outside the receive window (RFC 5961 §3.2: "silently discarded"). */
    RST_OUT_OF_WINDOW,
    /** RST in the window but not at RCV.NXT (RFC 5961 §3.2): a challenge ACK was sent instead. */
    RST_NOT_EXACT,
    /** SYN in a synchronized state (RFC 5961 §4.2): a challenge ACK was sent instead. */
    SYN_IN_WINDOW,
    /** A segment without ACK in a synchronized state (RFC 9293 §3.10.7.4 fifth: "drop the segment"). */
    NO_ACK,
    /** ACK for data never sent (RFC 9293 §3.10.7.4 fifth, RFC 5961 §5.2): answered with an ACK. */
    ACK_UNSENT,
    /** ACK older than SND.UNA - MAX.SND.WND (RFC 5961 §5.2): answered with a challenge ACK. */
    ACK_TOO_OLD,
    /** SYN-RECEIVED: unacceptable ACK (RFC 9293 §3.10.7.4 fifth); answered with RST. */
    SYN_RECEIVED_BAD_ACK,
    /** A challenge or out-of-window ACK suppressed by the rate limit (RFC 5961 §7). */
    ACK_RATE_LIMITED,
    /** Data beyond the out-of-order queue bound (per connection or per stack). */
    OOO_QUEUE_FULL,
    /** Data that arrived after the receive side was closed by the peer's FIN (ignored, RFC 9293 §3.10.7.4). */
    DATA_AFTER_FIN,
    /** Data received after the application closed the socket: the connection was reset (RFC 9293 §3.10.4,
     * Linux tcp_rcv_state_process). */
    DATA_AFTER_CLOSE,
    /** Entirely duplicate data (already received); an ACK was sent. */
    DUPLICATE_DATA,
    /** A SYN-ACK or connection the stack could not use (e.g. address in TIME-WAIT, no memory). */
    OTHER;

    static final TcpDrop[] VALUES = values();
}
