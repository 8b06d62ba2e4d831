package io.ioth.tcpip.iface;

/**
 * Error results of the engine and socket API: negative ints named and numbered after Linux's errno values (the
 * kernel returns {@code -errno} the same way), so calls allocate nothing and the transport maps each to the Java
 * exception Netty users expect ({@code EADDRINUSE} to {@code BindException}, {@code ECONNREFUSED} to
 * {@code PortUnreachableException}/{@code ConnectException}, {@code ENETUNREACH}/{@code EHOSTUNREACH} to
 * {@code NoRouteToHostException}, {@code ECONNRESET} to "Connection reset by peer", ...). {@link #OK} (0) and
 * positive values mean success. TCP reports its results with these codes too (EPIPE, ECONNABORTED, ECONNRESET,
 * ETIMEDOUT, EALREADY...).
 *
 * <p>Static constants; thread-safe.
 */
public final class NetError {
    public static final int OK = 0;
    /** Write after the output side was shut down (TCP). */
    public static final int EPIPE = -32;
    /** The socket is closed. */
    public static final int EBADF = -9;
    /** Nothing to read / would block. */
    public static final int EAGAIN = -11;
    /** No interface for the request (multicast join without a usable interface). */
    public static final int ENODEV = -19;
    /** Broadcast without SO_BROADCAST (Linux udp_sendmsg, RFC 1122 §4.1.3.5 is silent; Linux refuses). */
    public static final int EACCES = -13;
    public static final int EINVAL = -22;
    /** send() on an unconnected socket. */
    public static final int EDESTADDRREQ = -89;
    /** Datagram larger than the protocol allows, or than the path MTU with DF required. */
    public static final int EMSGSIZE = -90;
    /** Protocol not available (ICMP protocol unreachable). */
    public static final int ENOPROTOOPT = -92;
    /** Address family not supported (e.g. a socket bound to an IPv4 address sending to IPv6). */
    public static final int EAFNOSUPPORT = -97;
    public static final int EADDRINUSE = -98;
    /** Not a local address (bind), or no source address for the route. */
    public static final int EADDRNOTAVAIL = -99;
    public static final int ENETDOWN = -100;
    public static final int ENETUNREACH = -101;
    /** The connection was aborted locally (TCP: e.g. the accept queue destroyed with the listener). */
    public static final int ECONNABORTED = -103;
    /** RST received (TCP, RFC 9293 §3.10.7.4: "signal 'connection reset'"). */
    public static final int ECONNRESET = -104;
    /** The link refused the frame (queue full). */
    public static final int ENOBUFS = -105;
    public static final int EISCONN = -106;
    public static final int ENOTCONN = -107;
    /** TCP retransmissions, SYN retries, zero-window or keepalive probes exhausted. */
    public static final int ETIMEDOUT = -110;
    public static final int ECONNREFUSED = -111;
    public static final int EHOSTUNREACH = -113;
    /** TCP connect() while a connection attempt is in progress. */
    public static final int EALREADY = -114;

    private NetError() {
    }

    /** The errno name of a result, e.g. {@code "EADDRINUSE"}; {@code "OK"} for non-negative values. */
    public static String name(final int result) {
        if (result >= 0) {
            return "OK";
        }
        switch (result) {
            case EPIPE: return "EPIPE";
            case EBADF: return "EBADF";
            case EAGAIN: return "EAGAIN";
            case ENODEV: return "ENODEV";
            case EACCES: return "EACCES";
            case EINVAL: return "EINVAL";
            case EDESTADDRREQ: return "EDESTADDRREQ";
            case EMSGSIZE: return "EMSGSIZE";
            case ENOPROTOOPT: return "ENOPROTOOPT";
            case EAFNOSUPPORT: return "EAFNOSUPPORT";
            case EADDRINUSE: return "EADDRINUSE";
            case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
            case ENETDOWN: return "ENETDOWN";
            case ENETUNREACH: return "ENETUNREACH";
            case ECONNABORTED: return "ECONNABORTED";
            case ECONNRESET: return "ECONNRESET";
            case ENOBUFS: return "ENOBUFS";
            case EISCONN: return "EISCONN";
            case ENOTCONN: return "ENOTCONN";
            case ETIMEDOUT: return "ETIMEDOUT";
            case ECONNREFUSED: return "ECONNREFUSED";
            case EHOSTUNREACH: return "EHOSTUNREACH";
            case EALREADY: return "EALREADY";
            default: return "E" + (-result);
        }
    }

    /** A human-readable message like strerror(3). */
    public static String message(final int result) {
        switch (result) {
            case EPIPE: return "Broken pipe";
            case EBADF: return "Socket closed";
            case EAGAIN: return "Resource temporarily unavailable";
            case ENODEV: return "No such device";
            case EACCES: return "Permission denied (broadcast needs SO_BROADCAST)";
            case EINVAL: return "Invalid argument";
            case EDESTADDRREQ: return "Destination address required";
            case EMSGSIZE: return "Message too long";
            case ENOPROTOOPT: return "Protocol not available";
            case EAFNOSUPPORT: return "Address family not supported by protocol";
            case EADDRINUSE: return "Address already in use";
            case EADDRNOTAVAIL: return "Cannot assign requested address";
            case ENETDOWN: return "Network is down";
            case ENETUNREACH: return "Network is unreachable";
            case ECONNABORTED: return "Software caused connection abort";
            case ECONNRESET: return "Connection reset by peer";
            case ENOBUFS: return "No buffer space available";
            case EISCONN: return "Transport endpoint is already connected";
            case ENOTCONN: return "Transport endpoint is not connected";
            case ETIMEDOUT: return "Connection timed out";
            case ECONNREFUSED: return "Connection refused";
            case EHOSTUNREACH: return "No route to host";
            case EALREADY: return "Operation already in progress";
            default: return result >= 0 ? "Success" : "Error " + (-result);
        }
    }
}
