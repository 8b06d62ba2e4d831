package io.ioth.tcpip.socket.tcp;

import io.ioth.tcpip.iface.NetError;

/**
 * The TCP results that {@link NetError} does not name yet, numbered like Linux's errno values (negative, as the
 * kernel returns them). The transport maps them: {@link #ECONNRESET} to an {@code IOException} "Connection reset by
 * peer", {@link #ETIMEDOUT} to a connect/read timeout, {@link NetError#ECONNREFUSED} to {@code ConnectException}.
 *
 * <p>Static constants; thread-safe.
 */
public final class TcpErrors {
    /** Write after the output side was shut down. */
    public static final int EPIPE = -32;
    /** The connection was aborted locally (e.g. the accept queue was destroyed with the listener). */
    public static final int ECONNABORTED = -103;
    /** RST received (RFC 9293 §3.10.7.4 second check: "signal 'connection reset'"). */
    public static final int ECONNRESET = -104;
    /** Retransmissions, SYN retries, zero-window probes or keepalive probes exhausted. */
    public static final int ETIMEDOUT = -110;
    /** connect() while a connection attempt is in progress. */
    public static final int EALREADY = -114;

    private TcpErrors() {
    }

    /** The errno name of a TCP result (falls back to {@link NetError#name}). */
    public static String name(final int result) {
        switch (result) {
            case EPIPE: return "EPIPE";
            case ECONNABORTED: return "ECONNABORTED";
            case ECONNRESET: return "ECONNRESET";
            case ETIMEDOUT: return "ETIMEDOUT";
            case EALREADY: return "EALREADY";
            default: return NetError.name(result);
        }
    }

    /** strerror(3)-like text. */
    public static String message(final int result) {
        switch (result) {
            case EPIPE: return "Broken pipe";
            case ECONNABORTED: return "Software caused connection abort";
            case ECONNRESET: return "Connection reset by peer";
            case ETIMEDOUT: return "Connection timed out";
            case EALREADY: return "Operation already in progress";
            default: return NetError.message(result);
        }
    }
}
